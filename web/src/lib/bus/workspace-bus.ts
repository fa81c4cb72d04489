// The workspace bus in the host page (docs/api.md "Message bus"). Every member (open card) of
// this tab attaches here; the page delivers to its own members at once (the shared BusEngine
// rules) and relays through the server to the person's other tabs, which is also where
// requests are routed (the server sees every tab's responders) and history is kept. Without a
// server connection the tab works alone: requests and history are answered locally.
//
// The page enforces the rules before anything leaves a card — declared topics, the grant,
// payload size, per-plugin rates — and the server checks them all again.
import { BusEngine, type BusMessage, type BusSubscription } from '../../../../sdk/src/bus-engine.ts';
import { isTopic, isTopicPattern, patternCovers } from '../../../../sdk/src/topics.ts';
import { BridgeError } from '../bridge/card-host';
import { TokenBucket } from '../bridge/token-bucket';
import {
  ApiCallError, DEFAULT_BUS_LIMITS, type BusAttachment, type IncomingApiCall, type ServiceControl, type BusDelivery, type BusError, type BusHistoryMessage, type BusLimits, type BusMemberInfo,
  type BusMemberRef, type BusOutcome, type BusRefusal, type BusRelay, type RelayEvents, type SubscribeOptions,
} from './types';

/** A `bus.*` failure of a request (`bus.timeout`, `bus.no_responder`, `bus.responder_failed`). */
export class BusRequestError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'BusRequestError';
  }
}

/** Refusals are reported to the host at most this often per member. */
export const REPORT_INTERVAL_MS = 2000;
/** How long a subscribe waits for the server connection before it resolves for this tab alone. */
export const RELAY_WAIT_MS = 3000;
/** Publishes kept while the connection is (re)starting, relayed once it is up; the oldest go first. */
export const OUTBOX_SIZE = 256;

interface Member {
  handle: string;
  ref: BusMemberRef;
  info: BusMemberInfo;
  onNotGranted: () => void;
  /** page sub id → the member's own sub id. */
  subs: Map<string, string>;
  unreported: Partial<Record<BusRefusal, number>>;
  reportTimer: ReturnType<typeof setTimeout> | null;
  /** Whether the host accepted the latest join; waiters of the next join otherwise. */
  accepted: boolean;
  joinWaiters: Set<(ok: boolean) => void>;
}

interface PendingCall {
  member: Member;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

interface PendingRequest {
  member: Member;
  /** Set when answered in this tab (no server): the engine's responder member. */
  localResponder?: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** A request this tab's member is answering: where the answer goes. */
type Incoming = { member: Member; remote: true } | { member: Member; remote: false; requestId: string };

export interface WorkspaceBusOptions {
  relay?: (events: RelayEvents) => BusRelay;
  limits?: () => Readonly<BusLimits>;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>;
  clearTimeout?: (h: ReturnType<typeof setTimeout>) => void;
}

export class WorkspaceBus {
  readonly #engine = new BusEngine<unknown>();
  readonly #members = new Map<string, Member>();
  readonly #pending = new Map<string, PendingRequest>();
  readonly #incoming = new Map<string, Incoming>();
  readonly #calls = new Map<string, PendingCall>();
  #onServiceControl: (c: ServiceControl) => void = () => {};
  #wake: (target: string, topic: string) => Promise<unknown> | null = () => null;
  readonly #publishBuckets = new Map<string, TokenBucket>();
  readonly #requestBuckets = new Map<string, TokenBucket>();
  readonly #relay: BusRelay | null;
  /** Page subscription ids the server holds for this connection (cleared on every (re)connect). */
  readonly #mirrored = new Set<string>();
  readonly #outbox: { handle: string; topic: string; payload: unknown; target: string | null }[] = [];
  readonly #limits: () => Readonly<BusLimits>;
  readonly #now: () => number;
  readonly #setTimeout: NonNullable<WorkspaceBusOptions['setTimeout']>;
  readonly #clearTimeout: NonNullable<WorkspaceBusOptions['clearTimeout']>;
  #seq = 0;

  constructor(options: WorkspaceBusOptions = {}) {
    this.#limits = options.limits ?? (() => DEFAULT_BUS_LIMITS);
    this.#now = options.now ?? (() => performance.now());
    this.#setTimeout = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimeout = options.clearTimeout ?? ((h) => clearTimeout(h));
    this.#relay = options.relay?.({
      onEvent: (e) => this.#onRelayedEvent(e),
      onRequest: (r) => this.#onRelayedRequest(r),
      onReply: (r) => this.#onRelayedReply(r),
      onConnected: () => this.#rejoinAll(),
      onApiCall: (c) => this.#onApiCall(c),
      onCallReply: (r) => this.#onCallReply(r),
      onServiceControl: (c) => this.#onServiceControl(c),
    }) ?? null;
  }

  /** Members attached now (for tests and the metadata window). */
  get size(): number {
    return this.#members.size;
  }

  #id(prefix: string): string {
    return `${prefix}${(++this.#seq).toString(36)}`;
  }

  /**
   * Attaches a member. `onNotGranted` runs when the member is refused only for lack of its grant
   * (the page asks the person once; the refused message stays refused).
   */
  /** Where `serviceControl` from the host goes (the tab's service manager). */
  set onServiceControl(fn: (c: ServiceControl) => void) {
    this.#onServiceControl = fn;
  }

  /**
   * Asked before a message or request aimed at a plugin (`target`) goes out: a promise when that
   * plugin has a background service that subscribes to the topic and is being started here (the
   * message waits for it, as an API call waits for its provider), null to send at once.
   */
  set wakeTarget(fn: (target: string, topic: string) => Promise<unknown> | null) {
    this.#wake = fn;
  }

  attach(ref: BusMemberRef, info: BusMemberInfo, onNotGranted: () => void = () => {}): BusAttachment {
    const member: Member = {
      handle: this.#id('h'), ref, info, onNotGranted, subs: new Map(), unreported: {}, reportTimer: null, accepted: false, joinWaiters: new Set(),
    };
    this.#members.set(member.handle, member);
    this.#relay?.start?.();
    if (this.#relay?.connected) this.#join(member);
    const bus = this;
    return {
      publish: (topic, payload, bytes, target, now) => bus.#publish(member, topic, payload, bytes, target, now),
      subscribe: (sub, pattern, options) => bus.#subscribe(member, sub, pattern, options),
      unsubscribe(sub) {
        for (const [pageSub, own] of member.subs) if (own === sub) bus.#unsubscribe(member, pageSub);
      },
      unsubscribeAll() {
        for (const pageSub of [...member.subs.keys()]) bus.#unsubscribe(member, pageSub);
        bus.#failOrphans(bus.#engine.removeMember(member.handle));
      },
      request: (topic, payload, bytes, target, timeoutMs, now) => bus.#request(member, topic, payload, bytes, target, timeoutMs, now),
      reply: (rid, answer) => bus.#reply(member, rid, answer),
      history: (pattern, limit) => bus.#history(member, pattern, limit),
      call: (pluginId, method, input, timeoutMs) => bus.#call(member, pluginId, method, input, timeoutMs),
      answer(cid, outcome) {
        bus.#relay?.answer(member.handle, outcome.ok
          ? { cid, ok: true, result: outcome.result }
          : { cid, ok: false, error: { code: 'api.provider_failed', message: outcome.message.slice(0, 500) } });
      },
      log(level, message) {
        if (bus.#relay?.connected) bus.#relay.log(member.handle, level, message);
      },
      joined: (timeoutMs) => bus.#joined(member, timeoutMs),
      leave: () => bus.#leave(member),
    };
  }

  #join(member: Member): void {
    const relay = this.#relay;
    if (!relay) return;
    member.accepted = false;
    void relay.join(member.handle, member.ref).then((ack) => {
      member.accepted = ack.ok;
      for (const w of [...member.joinWaiters]) w(ack.ok);
      if (!ack.ok) return;
      for (const pageSub of member.subs.keys()) void this.#mirror(member, this.#engine.find(pageSub));
    }, () => {});
  }

  #joined(member: Member, timeoutMs: number): Promise<boolean> {
    if (member.accepted) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        member.joinWaiters.delete(done);
        this.#clearTimeout(timer);
        resolve(ok);
      };
      const timer = this.#setTimeout(() => done(false), timeoutMs);
      member.joinWaiters.add(done);
    });
  }

  #call(member: Member, pluginId: string, method: string, input: unknown, timeoutMs: number | null): Promise<unknown> {
    const relay = this.#relay;
    if (!relay?.connected) return Promise.reject(new ApiCallError('api.provider_unavailable', 'This tab is not connected to the host; try again in a moment.'));
    const limits = this.#limits();
    const timeout = Math.min(Math.max(1, timeoutMs ?? limits.defaultTimeoutMs), limits.maxTimeoutMs);
    const id = this.#id('c');
    return new Promise((resolve, reject) => {
      // The page's own deadline, a little after the server's, so a lost connection still ends the call.
      const timer = this.#setTimeout(() => this.#settleCall(id, { ok: false, error: { code: 'api.timeout', message: 'No answer came in time.' } }), timeout + 1000);
      this.#calls.set(id, { member, resolve, reject, timer });
      relay.call(member.handle, { id, pluginId, method, input, timeoutMs: timeout }).then(
        (ack) => {
          if (!ack.ok) this.#settleCall(id, { ok: false, error: { code: ack.code ?? 'api.provider_unavailable', message: ack.message ?? 'The host refused the call.', problems: ack.problems } });
        },
        () => this.#settleCall(id, { ok: false, error: { code: 'api.provider_unavailable', message: 'The host could not route the call.' } }),
      );
    });
  }

  #settleCall(id: string, outcome: Parameters<RelayEvents['onCallReply']>[0] | { ok: false; error: { code: string; message: string; problems?: ApiCallError['problems'] | null } }): void {
    const p = this.#calls.get(id);
    if (!p) return;
    this.#calls.delete(id);
    this.#clearTimeout(p.timer);
    if (outcome.ok) p.resolve(outcome.result ?? null);
    else p.reject(new ApiCallError(outcome.error?.code ?? 'api.provider_failed', outcome.error?.message ?? 'The call failed.', outcome.error?.problems ?? []));
  }

  #onCallReply(r: Parameters<RelayEvents['onCallReply']>[0]): void {
    const p = this.#calls.get(r.id);
    if (!p || p.member.handle !== r.member) return;
    this.#settleCall(r.id, r);
  }

  #onApiCall(c: IncomingApiCall): void {
    const member = this.#members.get(c.member);
    if (!member?.info.onApiCall) {
      this.#relay?.answer(c.member, { cid: c.cid, ok: false, error: { code: 'api.provider_failed', message: 'The service is gone.' } });
      return;
    }
    member.info.onApiCall(c);
  }

  #refuse(member: Member, code: BusRefusal): BusOutcome {
    if (code === 'not_granted') member.onNotGranted();
    member.unreported[code] = (member.unreported[code] ?? 0) + 1;
    member.reportTimer ??= this.#setTimeout(() => this.#flushReports(member), REPORT_INTERVAL_MS);
    return { ok: false, code };
  }

  #flushReports(member: Member): void {
    member.reportTimer = null;
    const counts = member.unreported;
    member.unreported = {};
    if (!this.#relay?.connected) return;
    for (const [reason, count] of Object.entries(counts) as [BusRefusal, number][]) this.#relay.report(member.handle, reason, count);
  }

  /** Checks every rule a sent message passes before anything is delivered; null when it may go. */
  #checkSend(member: Member, topic: string, bytes: number, buckets: Map<string, TokenBucket>, rate: number, burst: number, now: number): BusRefusal | null {
    if (!isTopic(topic) || !(member.info.topics.publish ?? []).includes(topic)) return 'topic_not_declared';
    if (!member.info.granted()) return 'not_granted';
    if (bytes > this.#limits().maxPayloadBytes) return 'too_large';
    let bucket = buckets.get(member.info.pluginId);
    if (!bucket) buckets.set(member.info.pluginId, (bucket = new TokenBucket(rate, burst, now)));
    if (!bucket.take(now)) return 'rate_limited';
    return null;
  }

  #message(member: Member, topic: string, payload: unknown, target: string | null): BusMessage<unknown> {
    return {
      id: this.#id('m'), topic, senderMember: member.handle, senderPlugin: member.info.pluginId, senderType: member.info.typeID,
      target, timestamp: Date.now(), payload,
    };
  }

  #publish(member: Member, topic: string, payload: unknown, bytes: number, target: string | null, now: number): BusOutcome {
    const limits = this.#limits();
    const refused = this.#checkSend(member, topic, bytes, this.#publishBuckets, limits.publishesPerSecond, limits.publishBurst, now);
    if (refused) return this.#refuse(member, refused);
    const waking = target === null ? null : this.#wake(target, topic);
    if (waking) {
      // Accepted now (rate, size and grant were checked); sent once the target's service listens.
      const send = () => {
        if (this.#members.has(member.handle)) this.#send(member, topic, payload, target);
      };
      waking.then(send, send);
      return { ok: true };
    }
    this.#send(member, topic, payload, target);
    return { ok: true };
  }

  #send(member: Member, topic: string, payload: unknown, target: string | null): void {
    const message = this.#message(member, topic, payload, target);
    this.#deliver(this.#engine.publish(message), message);
    if (this.#relay?.connected) this.#relay.publish(member.handle, { topic, payload, target });
    else if (this.#relay) {
      // Not lost while the connection starts or comes back: relayed, in order, once it is up.
      if (this.#outbox.length >= OUTBOX_SIZE) this.#outbox.shift();
      this.#outbox.push({ handle: member.handle, topic, payload, target });
    }
  }

  #deliver(to: readonly BusSubscription[], m: BusMessage<unknown>, rid?: string): void {
    for (const s of to) {
      const member = this.#members.get(s.memberId);
      const sub = member?.subs.get(s.id);
      if (!member || sub === undefined) continue;
      if (s.once) member.subs.delete(s.id);
      // Checked again at delivery: a revoke takes effect at once, even for a message in flight.
      if (!member.info.granted()) continue;
      const d: BusDelivery = { sub, id: m.id, topic: m.topic, payload: m.payload, from: { pluginId: m.senderPlugin, typeID: m.senderType }, target: m.target, ts: m.timestamp };
      if (rid !== undefined) d.rid = rid;
      try {
        member.info.deliver(d);
      } catch {
        // One broken receiver must not stop delivery to the others.
      }
      if (s.once) this.#relay?.unsubscribe(member.handle, s.id);
    }
  }

  async #subscribe(member: Member, sub: string, pattern: string, o: SubscribeOptions): Promise<BusOutcome> {
    if (!isTopicPattern(pattern) || !(member.info.topics.subscribe ?? []).some((p) => patternCovers(p, pattern))) return this.#refuse(member, 'topic_not_declared');
    if (!member.info.granted()) return this.#refuse(member, 'not_granted');
    if (member.subs.size >= this.#limits().maxSubscriptionsPerMember) return this.#refuse(member, 'rate_limited');
    const s = {
      id: this.#id('s'), memberId: member.handle, pluginId: member.info.pluginId, pattern,
      priority: o.priority ?? 0, once: o.once === true, from: o.from ?? null, responds: o.responds === true,
    };
    if (this.#engine.subscribe(s) !== 'ok') return this.#refuse(member, 'rate_limited');
    member.subs.set(s.id, sub);
    // Delivered in this tab from now on; resolved once the server holds it too, so a card that
    // subscribed hears what the person's other tabs send next.
    const relay = this.#relay;
    if (relay && (await (relay.ready?.(RELAY_WAIT_MS) ?? Promise.resolve(relay.connected))) && this.#members.has(member.handle)) {
      await this.#mirror(member, this.#engine.find(s.id));
    }
    return { ok: true };
  }

  /** Sends a subscription to the server once per connection. */
  async #mirror(member: Member, s: BusSubscription | undefined): Promise<void> {
    const relay = this.#relay;
    if (!relay?.connected || !s || this.#mirrored.has(s.id)) return;
    this.#mirrored.add(s.id);
    await relay.subscribe(member.handle, { sub: s.id, pattern: s.pattern, priority: s.priority ?? 0, once: s.once === true, from: s.from ?? null, responds: s.responds === true });
  }

  #unsubscribe(member: Member, pageSub: string): void {
    member.subs.delete(pageSub);
    this.#mirrored.delete(pageSub);
    this.#engine.unsubscribe(pageSub);
    this.#relay?.unsubscribe(member.handle, pageSub);
  }

  #request(member: Member, topic: string, payload: unknown, bytes: number, target: string | null, timeoutMs: number | null, now: number): Promise<unknown> {
    const limits = this.#limits();
    const refused = this.#checkSend(member, topic, bytes, this.#requestBuckets, limits.requestsPerSecond, limits.requestBurst, now);
    if (refused) {
      this.#refuse(member, refused);
      return Promise.reject(new BridgeError(refused));
    }
    const timeout = Math.min(Math.max(1, timeoutMs ?? limits.defaultTimeoutMs), limits.maxTimeoutMs);
    const waking = target === null ? null : this.#wake(target, topic);
    if (waking) {
      // The target's service starts first; the request's own timeout starts when it is sent.
      const go = () => this.#members.has(member.handle)
        ? this.#sendRequest(member, topic, payload, target, timeout)
        : Promise.reject(new BusRequestError('bus.no_responder', 'The requester left.'));
      return waking.then(go, go);
    }
    return this.#sendRequest(member, topic, payload, target, timeout);
  }

  #sendRequest(member: Member, topic: string, payload: unknown, target: string | null, timeout: number): Promise<unknown> {
    const message = this.#message(member, topic, payload, target);
    return new Promise((resolve, reject) => {
      // The page's own deadline, a little after the server's, so a lost connection still ends the request.
      const timer = this.#setTimeout(() => this.#settle(message.id, { ok: false, error: { code: 'bus.timeout', message: 'No answer came in time.' } }), timeout + (this.#relay?.connected ? 1000 : 0));
      this.#pending.set(message.id, { member, resolve, reject, timer });
      if (this.#relay?.connected) {
        this.#relay.request(member.handle, { id: message.id, topic, payload, target, timeoutMs: timeout }).then(
          (ack) => {
            if (!ack.ok) this.#settle(message.id, { ok: false, error: { code: ack.code ?? 'bus.no_responder', message: ack.message ?? 'The host refused the request.' } });
          },
          () => this.#settle(message.id, { ok: false, error: { code: 'bus.no_responder', message: 'The host could not route the request.' } }),
        );
        return;
      }
      const responder = this.#engine.request(message, this.#now() + timeout);
      if (!responder) {
        this.#settle(message.id, { ok: false, error: { code: 'bus.no_responder', message: `No open card answers "${topic}".` } });
        return;
      }
      this.#pending.get(message.id)!.localResponder = responder.memberId;
      this.#incoming.set(message.id, { member: this.#members.get(responder.memberId)!, remote: false, requestId: message.id });
      this.#deliver([responder], message, message.id);
    });
  }

  /** Ends a pending request once; later outcomes for the same id are dropped. */
  #settle(id: string, outcome: { ok: true; result: unknown } | { ok: false; error: BusError }): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    this.#clearTimeout(p.timer);
    this.#incoming.delete(id);
    if (p.localResponder !== undefined) this.#engine.reply(id, p.localResponder);
    if (outcome.ok) p.resolve(outcome.result);
    else p.reject(outcome.error.code.startsWith('bus.') ? new BusRequestError(outcome.error.code, outcome.error.message) : new BridgeError(cardCodeOf(outcome.error.code)));
  }

  #reply(member: Member, rid: string, answer: { ok: true; result: unknown; bytes: number } | { ok: false; message: string }): void {
    const incoming = this.#incoming.get(rid);
    if (!incoming || incoming.member !== member) return;
    this.#incoming.delete(rid);
    const tooLarge = answer.ok && answer.bytes > this.#limits().maxPayloadBytes;
    const error: BusError | undefined = tooLarge
      ? { code: 'bus.too_large', message: 'The answer is larger than 64 KiB.' }
      : answer.ok ? undefined : { code: 'bus.responder_failed', message: answer.message.slice(0, 500) };
    if (incoming.remote) {
      this.#relay?.reply(member.handle, error ? { rid, ok: false, error } : { rid, ok: true, result: (answer as { result: unknown }).result });
      return;
    }
    this.#engine.reply(rid, member.handle);
    this.#settle(incoming.requestId, error ? { ok: false, error } : { ok: true, result: (answer as { result: unknown }).result });
  }

  async #history(member: Member, pattern: string, limit: number): Promise<BusHistoryMessage[]> {
    if (!isTopicPattern(pattern)) throw new BridgeError('topic_not_declared');
    if (!member.info.granted()) {
      this.#refuse(member, 'not_granted');
      throw new BridgeError('not_granted');
    }
    const n = Math.min(Math.max(1, Math.trunc(limit) || 100), this.#limits().historySize);
    if (this.#relay?.connected) {
      const r = await this.#relay.history(member.handle, pattern, n);
      if (!r.ok) throw new BridgeError(cardCodeOf(r.code ?? 'bus.not_granted'));
      return r.messages ?? [];
    }
    return this.#engine.history(pattern, member.info.topics.subscribe ?? [], member.info.pluginId, n).map((m) => ({
      id: m.id, topic: m.topic, payload: m.payload, from: { pluginId: m.senderPlugin, typeID: m.senderType }, target: m.target, ts: m.timestamp,
    }));
  }

  #leave(member: Member): void {
    if (!this.#members.delete(member.handle)) return;
    if (member.reportTimer) this.#clearTimeout(member.reportTimer);
    this.#flushReports(member);
    this.#failOrphans(this.#engine.removeMember(member.handle));
    for (const [id, p] of [...this.#pending]) {
      if (p.member !== member) continue;
      this.#pending.delete(id);
      this.#clearTimeout(p.timer);
    }
    for (const [id, c] of [...this.#calls]) {
      if (c.member !== member) continue;
      this.#calls.delete(id);
      this.#clearTimeout(c.timer);
    }
    for (const w of [...member.joinWaiters]) w(false);
    for (const [rid, i] of [...this.#incoming]) {
      if (i.member !== member) continue;
      this.#incoming.delete(rid);
      // A request this member was answering for another tab: that tab hears "no responder" from the host.
    }
    this.#relay?.leave(member.handle);
  }

  #failOrphans(orphaned: readonly { request: BusMessage<unknown> }[]): void {
    for (const o of orphaned) this.#settle(o.request.id, { ok: false, error: { code: 'bus.no_responder', message: 'The responder closed before answering.' } });
  }

  #onRelayedEvent(e: Parameters<RelayEvents['onEvent']>[0]): void {
    const m: BusMessage<unknown> = {
      id: e.id, topic: e.topic, senderMember: '', senderPlugin: e.from.pluginId, senderType: e.from.typeID, target: e.target, timestamp: e.ts, payload: e.payload,
    };
    this.#engine.record(m);
    const to: BusSubscription[] = [];
    for (const id of e.subs) {
      const s = this.#engine.find(id);
      if (s && !s.responds) to.push(s);
    }
    for (const s of to) if (s.once) this.#engine.unsubscribe(s.id);
    this.#deliver(to, m);
  }

  #onRelayedRequest(r: Parameters<RelayEvents['onRequest']>[0]): void {
    const member = this.#members.get(r.member);
    const s = this.#engine.find(r.sub);
    if (!member || !s || !s.responds || s.memberId !== member.handle) {
      this.#relay?.reply(r.member, { rid: r.rid, ok: false, error: { code: 'bus.no_responder', message: 'The responder is gone.' } });
      return;
    }
    this.#incoming.set(r.rid, { member, remote: true });
    const m: BusMessage<unknown> = {
      id: r.rid, topic: r.topic, senderMember: '', senderPlugin: r.from.pluginId, senderType: r.from.typeID, target: null, timestamp: Date.now(), payload: r.payload,
    };
    this.#deliver([s], m, r.rid);
  }

  #onRelayedReply(r: Parameters<RelayEvents['onReply']>[0]): void {
    const p = this.#pending.get(r.id);
    if (!p || p.member.handle !== r.member) return;
    this.#settle(r.id, r.ok ? { ok: true, result: r.result ?? null } : { ok: false, error: r.error ?? { code: 'bus.responder_failed', message: 'The responder failed.' } });
  }

  #rejoinAll(): void {
    const relay = this.#relay;
    if (!relay) return;
    // The server forgot this tab: join every member again (invocations keep their order, so the
    // joins land before the publishes below), mirror the subscriptions, then relay the outbox.
    this.#mirrored.clear();
    for (const member of this.#members.values()) this.#join(member);
    for (const m of this.#outbox.splice(0)) {
      if (this.#members.has(m.handle)) relay.publish(m.handle, { topic: m.topic, payload: m.payload, target: m.target });
    }
  }
}

/** Host refusal codes (`bus.rate_limited`) as the card knows them (`rate_limited`). */
export function cardCodeOf(code: string): BusRefusal {
  const bare = code.startsWith('bus.') ? code.slice(4) : code;
  return (['topic_not_declared', 'not_granted', 'too_large', 'rate_limited'] as const).find((c) => c === bare) ?? 'not_granted';
}
