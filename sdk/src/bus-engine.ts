/**
 * The workspace message bus rules, transport-free (docs/api.md "Message bus"): subscriptions and
 * responders in {@link TopicIndex}es, delivery order (priority, then subscription order),
 * `once`, `target` (only that plugin's members), `from` (only that sender plugin), a member
 * never receiving its own message, requests routed to exactly one responder with a deadline,
 * and a bounded history. The host page's bus and the mock host run it; the server runs the C#
 * twin (`Labyrinth.Core.Messaging.BusEngine`); both pass `tests/vectors/bus.json`.
 *
 * Declared topics, grants, sizes and rates are the caller's policy, not the engine's.
 *
 * @example
 * ```ts
 * const bus = new BusEngine();
 * bus.subscribe({ id: 's1', memberId: 'card-a', pluginId: 'dev.a', pattern: 'timer:*:finished' });
 * const to = bus.publish({ id: 'm1', topic: 'timer:countdown:finished', senderMember: 'card-b',
 *   senderPlugin: 'dev.b', senderType: 'timer', target: null, timestamp: Date.now(), payload: null });
 * to.map((s) => s.id); // ['s1']
 * ```
 */
import { TopicIndex } from './topic-index.ts';
import { isTopicPattern, topicMatches } from './topics.ts';

export const DEFAULT_HISTORY_CAPACITY = 1000;
export const MIN_PRIORITY = -1000;
export const MAX_PRIORITY = 1000;

/** A subscription or responder. Identity is the object: the same pattern twice is two subscriptions. */
export interface BusSubscription {
  /** Unique within one engine. */
  readonly id: string;
  /** The member (a card today; later a page or a service) that holds it. */
  readonly memberId: string;
  /** The member's plugin: what `target` and `from` compare against. */
  readonly pluginId: string;
  readonly pattern: string;
  /** Higher first; ties in subscription order. Default 0, clamped to ±1000. */
  readonly priority?: number;
  /** Removed after its first delivery. */
  readonly once?: boolean;
  /** Only messages sent by this plugin, when set. */
  readonly from?: string | null;
  /** A responder answers requests instead of receiving publishes. */
  readonly responds?: boolean;
}

/** A message on the bus; the payload is opaque to the engine. */
export interface BusMessage<P = unknown> {
  readonly id: string;
  readonly topic: string;
  readonly senderMember: string;
  readonly senderPlugin: string;
  readonly senderType: string;
  readonly target: string | null;
  readonly timestamp: number;
  readonly payload: P;
}

export interface BusPendingRequest<P = unknown> {
  readonly request: BusMessage<P>;
  readonly responder: BusSubscription;
  readonly deadline: number;
}

export interface BusEngineOptions {
  historyCapacity?: number;
  maxSubscriptionsPerMember?: number;
  maxPendingRequests?: number;
}

export type SubscribeResult = 'ok' | 'invalid_pattern' | 'duplicate_id' | 'too_many';

const accepts = (s: BusSubscription, m: BusMessage) =>
  s.memberId !== m.senderMember && (m.target === null || s.pluginId === m.target) && (s.from == null || s.from === m.senderPlugin);

const clampPriority = (p: number | undefined) =>
  Number.isFinite(p) ? Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.trunc(p!))) : 0;

export class BusEngine<P = unknown> {
  readonly #events = new TopicIndex<BusSubscription>();
  readonly #responders = new TopicIndex<BusSubscription>();
  readonly #byId = new Map<string, BusSubscription>();
  readonly #byMember = new Map<string, BusSubscription[]>();
  readonly #pending = new Map<string, BusPendingRequest<P>>();
  readonly #history: (BusMessage<P> | undefined)[];
  #historyNext = 0;
  #historyCount = 0;
  readonly maxSubscriptionsPerMember: number;
  readonly maxPendingRequests: number;

  constructor(options: BusEngineOptions = {}) {
    const capacity = options.historyCapacity ?? DEFAULT_HISTORY_CAPACITY;
    if (!(capacity > 0)) throw new RangeError('historyCapacity must be positive');
    this.#history = new Array<BusMessage<P> | undefined>(capacity);
    this.maxSubscriptionsPerMember = options.maxSubscriptionsPerMember ?? 64;
    this.maxPendingRequests = options.maxPendingRequests ?? 256;
  }

  get subscriptionCount(): number {
    return this.#byId.size;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  get historyCount(): number {
    return this.#historyCount;
  }

  find(id: string): BusSubscription | undefined {
    return this.#byId.get(id);
  }

  subscribe(s: BusSubscription): SubscribeResult {
    if (!isTopicPattern(s.pattern)) return 'invalid_pattern';
    if (this.#byId.has(s.id)) return 'duplicate_id';
    let mine = this.#byMember.get(s.memberId);
    if (!mine) this.#byMember.set(s.memberId, (mine = []));
    if (mine.length >= this.maxSubscriptionsPerMember) return 'too_many';
    (s.responds ? this.#responders : this.#events).add(s.pattern, s, clampPriority(s.priority));
    this.#byId.set(s.id, s);
    mine.push(s);
    return 'ok';
  }

  unsubscribe(id: string): boolean {
    const s = this.#byId.get(id);
    if (!s) return false;
    this.#byId.delete(id);
    (s.responds ? this.#responders : this.#events).remove(s.pattern, s);
    const mine = this.#byMember.get(s.memberId);
    if (mine) {
      mine.splice(mine.indexOf(s), 1);
      if (mine.length === 0) this.#byMember.delete(s.memberId);
    }
    return true;
  }

  subscriptionsOf(memberId: string): readonly BusSubscription[] {
    return [...(this.#byMember.get(memberId) ?? [])];
  }

  /**
   * The member left: its subscriptions go, requests it sent are forgotten, and the requests
   * waiting on it are returned so the caller fails them (`bus.no_responder`).
   */
  removeMember(memberId: string): BusPendingRequest<P>[] {
    for (const s of this.subscriptionsOf(memberId)) this.unsubscribe(s.id);
    const orphaned: BusPendingRequest<P>[] = [];
    for (const [rid, p] of [...this.#pending]) {
      if (p.request.senderMember === memberId) this.#pending.delete(rid);
      else if (p.responder.memberId === memberId) {
        this.#pending.delete(rid);
        orphaned.push(p);
      }
    }
    return orphaned;
  }

  /** Subscriptions `m` is delivered to, in order; `once` ones are removed. No history. */
  deliver(m: BusMessage<P>): BusSubscription[] {
    const to: BusSubscription[] = [];
    let anyOnce = false;
    for (const e of this.#events.match(m.topic)) {
      if (!accepts(e.value, m)) continue;
      to.push(e.value);
      anyOnce ||= e.value.once === true;
    }
    if (anyOnce) for (const s of to) if (s.once) this.unsubscribe(s.id);
    return to;
  }

  /** {@link BusEngine.deliver}, then records `m` in the history. */
  publish(m: BusMessage<P>): BusSubscription[] {
    const to = this.deliver(m);
    this.record(m);
    return to;
  }

  record(m: BusMessage<P>): void {
    this.#history[this.#historyNext] = m;
    this.#historyNext = (this.#historyNext + 1) % this.#history.length;
    this.#historyCount = Math.min(this.#historyCount + 1, this.#history.length);
  }

  /**
   * The responder that answers `request` (first by priority, then subscription order; never
   * the sender; only the target plugin's when targeted), pending until `deadline`; null when
   * there is none or too many requests are pending.
   */
  request(request: BusMessage<P>, deadline: number): BusSubscription | null {
    if (this.#pending.size >= this.maxPendingRequests || this.#pending.has(request.id)) return null;
    for (const e of this.#responders.match(request.topic)) {
      if (!accepts(e.value, request)) continue;
      this.#pending.set(request.id, { request, responder: e.value, deadline });
      return e.value;
    }
    return null;
  }

  /** Whether a responder exists for `request` (registers nothing). */
  hasResponder(request: BusMessage<P>): boolean {
    return this.#responders.match(request.topic).some((e) => accepts(e.value, request));
  }

  /** The pending request `requestId` when `memberId` is its responder; null when unknown, late or not asked. */
  reply(requestId: string, memberId: string): BusPendingRequest<P> | null {
    const p = this.#pending.get(requestId);
    if (!p || p.responder.memberId !== memberId) return null;
    this.#pending.delete(requestId);
    return p;
  }

  /** Removes and returns the requests whose deadline is at or before `now`. */
  expire(now: number): BusPendingRequest<P>[] {
    const expired: BusPendingRequest<P>[] = [];
    for (const [rid, p] of [...this.#pending]) {
      if (p.deadline > now) continue;
      this.#pending.delete(rid);
      expired.push(p);
    }
    return expired;
  }

  /** The earliest deadline pending, or null (to arm one timer). */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const p of this.#pending.values()) if (next === null || p.deadline < next) next = p.deadline;
    return next;
  }

  /**
   * Up to `limit` of the most recent messages (oldest first) whose topic matches `pattern` and
   * that the reader may receive: within one of `readable` (its declared subscribe patterns), and
   * not targeted at another plugin.
   */
  history(pattern: string, readable: readonly string[], readerPlugin: string, limit: number): BusMessage<P>[] {
    if (!isTopicPattern(pattern) || !(limit > 0) || readable.length === 0) return [];
    const found: BusMessage<P>[] = [];
    const n = this.#history.length;
    for (let i = 1; i <= this.#historyCount && found.length < limit; i++) {
      const m = this.#history[(this.#historyNext - i + n) % n]!;
      if (m.target !== null && m.target !== readerPlugin) continue;
      if (!topicMatches(pattern, m.topic) || !readable.some((r) => topicMatches(r, m.topic))) continue;
      found.push(m);
    }
    return found.reverse();
  }
}
