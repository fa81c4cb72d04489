// The host page's side of the workspace bus (docs/api.md "Message bus"). A member is anything a
// plugin runs in that can send and receive: a card, a background service or a plugin page, each
// with its own `kind`. The bridge of each member only sees a `BusAttachment`.
import type { BridgeErrorCode } from '../bridge/card-host';

/** The capability a card needs for the bus. */
export const PUBSUB_CAPABILITY = 'crossCard:pubsub';

/** What a bridge gets: attaches its member to this tab's bus (the page knows who the member is). */
export interface BusGate {
  attach(info: BusMemberInfo): BusAttachment;
}

/** How the host knows a member: what `/hubs/bus` `Join` takes. */
export type BusMemberRef =
  | { kind: 'card'; boardId: string; windowId: string }
  | { kind: 'service'; pluginId: string; version: string; serviceId: string }
  | { kind: 'page'; pluginId: string; version: string; path: string };

/** One schema problem of a call's input or output: a JSON pointer into the value and a sentence. */
export interface ApiProblem {
  pointer: string;
  message: string;
}

/** A plugin API call for a service member of this tab (the host routed it here). */
export interface IncomingApiCall {
  member: string;
  cid: string;
  method: string;
  input: unknown;
  /** The calling plugin's id: all a provider learns about its caller. */
  caller: string;
}

/** The Running apps panel (or an admin) asks this tab to stop or restart a service. */
export interface ServiceControl {
  pluginId: string;
  serviceId: string;
  action: 'stop' | 'restart';
}

/** A sender as receivers see it: its plugin and card type, never its instance or board. */
export interface BusSender {
  pluginId: string;
  typeID: string;
}

/** A delivery to one of the member's subscriptions (`sub` is the member's own id for it). */
export interface BusDelivery {
  sub: string;
  id: string;
  topic: string;
  payload: unknown;
  from: BusSender;
  target: string | null;
  ts: number;
  /** Set when this is a request for a responder: answer with `BusAttachment.reply(rid, …)`. */
  rid?: string;
}

/** What the bus needs to know about a member, given by its bridge. */
export interface BusMemberInfo {
  pluginId: string;
  typeID: string;
  topics: { publish?: readonly string[]; subscribe?: readonly string[] };
  /** Whether the member holds its bus grant right now (cards: `crossCard:pubsub`). */
  granted(): boolean;
  /** Sends a delivery or a request to the member (the bridge posts an `event`). */
  deliver(d: BusDelivery): void;
  /** Services only: a call of the plugin's API routed to this member (the bridge posts `apiCall`). */
  onApiCall?(call: IncomingApiCall): void;
}

export interface SubscribeOptions {
  priority?: number;
  once?: boolean;
  from?: string | null;
  responds?: boolean;
}

export type BusRefusal = Extract<BridgeErrorCode, 'topic_not_declared' | 'not_granted' | 'too_large' | 'rate_limited'>;

export type BusOutcome = { ok: true } | { ok: false; code: BusRefusal };

export interface BusHistoryMessage {
  id: string;
  topic: string;
  payload: unknown;
  from: BusSender;
  target: string | null;
  ts: number;
}

/** Error of a failed request, as the card sees it. */
export interface BusError {
  code: string;
  message: string;
}

/** How a plugin API call fails (`api.*` codes, with pointers for invalid input or output). */
export class ApiCallError extends Error {
  constructor(readonly code: string, message: string, readonly problems: readonly ApiProblem[] = []) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** One member's handle on the bus; `leave()` when the member closes. */
export interface BusAttachment {
  publish(topic: string, payload: unknown, payloadBytes: number, target: string | null, now: number): BusOutcome;
  /**
   * Resolves once the subscription holds everywhere it can: in this tab at once, and on the
   * server (so messages from the person's other tabs reach it) when the relay is connected or
   * connects within a few seconds.
   */
  subscribe(sub: string, pattern: string, options: SubscribeOptions): Promise<BusOutcome>;
  unsubscribe(sub: string): void;
  /** Drops every subscription and responder (the grant was revoked). */
  unsubscribeAll(): void;
  /** Resolves the one answer; rejects a `BridgeError` (refusals) or a `BusRequestError` (`bus.*`). */
  request(topic: string, payload: unknown, payloadBytes: number, target: string | null, timeoutMs: number | null, now: number): Promise<unknown>;
  /** The member's answer to a request it was given (`BusDelivery.rid`). */
  reply(rid: string, answer: { ok: true; result: unknown; bytes: number } | { ok: false; message: string }): void;
  history(pattern: string, limit: number): Promise<BusHistoryMessage[]>;
  /** A plugin API call through the host; rejects an `ApiCallError`. */
  call(pluginId: string, method: string, input: unknown, timeoutMs: number | null): Promise<unknown>;
  /** A service's answer to an `IncomingApiCall`. */
  answer(cid: string, outcome: { ok: true; result: unknown } | { ok: false; message: string }): void;
  /** A line for the plugin's log. */
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Resolves whether the host accepted this member's latest join (false after `timeoutMs`). */
  joined(timeoutMs: number): Promise<boolean>;
  leave(): void;
}

/** Bus limits as the host publishes them (`GET /api/cards/limits` → `bus`). */
export interface BusLimits {
  publishesPerSecond: number;
  publishBurst: number;
  requestsPerSecond: number;
  requestBurst: number;
  maxPayloadBytes: number;
  historySize: number;
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  maxSubscriptionsPerMember: number;
  callsPerSecond: number;
  callBurst: number;
}

export const DEFAULT_BUS_LIMITS: Readonly<BusLimits> = Object.freeze({
  publishesPerSecond: 50,
  publishBurst: 100,
  requestsPerSecond: 20,
  requestBurst: 40,
  maxPayloadBytes: 64 * 1024,
  historySize: 1000,
  defaultTimeoutMs: 5000,
  maxTimeoutMs: 30_000,
  maxSubscriptionsPerMember: 64,
  callsPerSecond: 20,
  callBurst: 40,
});

/** The server connection the bus relays through (SignalR in the page; a fake in tests). */
export interface BusRelay {
  /** True while connected: requests and history go to the server, which sees every tab. */
  readonly connected: boolean;
  /** Connects (idempotent); called when the first member attaches. */
  start?(): void;
  /** Resolves true once connected (at once when it is), false after `timeoutMs` without a connection. */
  ready?(timeoutMs: number): Promise<boolean>;
  join(handle: string, member: BusMemberRef): Promise<RelayAck>;
  leave(handle: string): void;
  subscribe(handle: string, sub: { sub: string; pattern: string; priority: number; once: boolean; from: string | null; responds: boolean }): Promise<RelayAck>;
  unsubscribe(handle: string, sub: string): void;
  publish(handle: string, message: { topic: string; payload: unknown; target: string | null }): void;
  request(handle: string, message: { id: string; topic: string; payload: unknown; target: string | null; timeoutMs: number }): Promise<RelayAck>;
  reply(handle: string, reply: { rid: string; ok: boolean; result?: unknown; error?: BusError }): void;
  history(handle: string, pattern: string, limit: number): Promise<{ ok: boolean; messages?: BusHistoryMessage[]; code?: string; message?: string }>;
  report(handle: string, reason: BusRefusal, count: number): void;
  call(handle: string, call: { id: string; pluginId: string; method: string; input: unknown; timeoutMs: number }): Promise<RelayAck>;
  answer(handle: string, answer: { cid: string; ok: boolean; result?: unknown; error?: BusError }): void;
  log(handle: string, level: string, message: string): void;
}

export interface RelayAck {
  ok: boolean;
  code?: string | null;
  message?: string | null;
  problems?: ApiProblem[] | null;
}

/** What the relay hands the bus from the server. */
export interface RelayEvents {
  onEvent(e: { subs: string[]; id: string; topic: string; payload: unknown; from: BusSender; target: string | null; ts: number }): void;
  onRequest(r: { member: string; sub: string; rid: string; topic: string; payload: unknown; from: BusSender }): void;
  onReply(r: { member: string; id: string; ok: boolean; result?: unknown; error?: BusError | null }): void;
  /** (Re)connected: the server forgot this tab; join and subscribe everything again. */
  onConnected(): void;
  onApiCall(c: IncomingApiCall): void;
  onCallReply(r: { member: string; id: string; ok: boolean; result?: unknown; error?: (BusError & { problems?: ApiProblem[] | null }) | null }): void;
  onServiceControl(c: ServiceControl): void;
}
