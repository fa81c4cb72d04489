// Cross-card pub/sub, mediated by the host page (docs/api.md "Topics", CSC §9). One hub per board
// page; every open card's bridge registers with it. Nothing a card sends reaches another card
// except a publish that passes every rule here, and the receiver learns only the sender's typeID.
import type { CardTopics } from './card-host';
import { TokenBucket } from './token-bucket';
import { isTopic, isTopicPattern, patternCovers, topicMatches } from './topics';

/** Subscriptions one card may hold at once. */
export const MAX_SUBSCRIPTIONS = 64;

export const PUBSUB_CAPABILITY = 'crossCard:pubsub';
export const MAX_PUBLISH_BYTES = 64 * 1024;
export const PUBLISHES_PER_SECOND = 20;

/** One card as the hub sees it. */
export interface PubSubMember {
  readonly typeID: string;
  readonly topics: CardTopics;
  /** Whether the card holds `crossCard:pubsub` right now. */
  granted(): boolean;
  /** Delivers an `event` to the card. */
  deliver(topic: string, payload: unknown, from: { typeID: string }): void;
}

export type PublishOutcome =
  | { ok: true; delivered: number }
  | { ok: false; reason: 'topic_not_declared' | 'not_granted' | 'rate_limited' | 'too_large' };

export type SubscribeOutcome = { ok: true } | { ok: false; code: 'topic_not_declared' | 'not_granted' | 'rate_limited' };

/** A member's handle on the hub; `unregister` on close. */
export interface PubSubRegistration {
  /** `payloadBytes` is the serialized size the bridge measured. */
  publish(topic: string, payload: unknown, payloadBytes: number, now: number): PublishOutcome;
  subscribe(topic: string): SubscribeOutcome;
  unsubscribe(topic: string): void;
  /** Drops every subscription (the grant was revoked). */
  unsubscribeAll(): void;
  readonly subscriptions: ReadonlySet<string>;
  unregister(): void;
}

interface Entry {
  member: PubSubMember;
  subs: Set<string>;
  bucket: TokenBucket;
}

export class PubSubHub {
  readonly #entries = new Set<Entry>();
  readonly #rate: number;

  constructor(publishesPerSecond = PUBLISHES_PER_SECOND) {
    this.#rate = publishesPerSecond;
  }

  get size(): number {
    return this.#entries.size;
  }

  register(member: PubSubMember, now = 0): PubSubRegistration {
    const entry: Entry = { member, subs: new Set(), bucket: new TokenBucket(this.#rate, this.#rate, now) };
    this.#entries.add(entry);
    const hub = this;
    return {
      get subscriptions() {
        return entry.subs;
      },
      publish: (topic, payload, bytes, t) => hub.#publish(entry, topic, payload, bytes, t),
      subscribe(topic) {
        if (!isTopicPattern(topic) || !(member.topics.subscribe ?? []).some((p) => patternCovers(p, topic))) {
          return { ok: false, code: 'topic_not_declared' };
        }
        if (!member.granted()) return { ok: false, code: 'not_granted' };
        // A declared wildcard covers endless concrete topics; every publish scans the set.
        if (!entry.subs.has(topic) && entry.subs.size >= MAX_SUBSCRIPTIONS) return { ok: false, code: 'rate_limited' };
        entry.subs.add(topic);
        return { ok: true };
      },
      unsubscribe(topic) {
        entry.subs.delete(topic);
      },
      unsubscribeAll() {
        entry.subs.clear();
      },
      unregister() {
        entry.subs.clear();
        hub.#entries.delete(entry);
      },
    };
  }

  #publish(from: Entry, topic: string, payload: unknown, bytes: number, now: number): PublishOutcome {
    if (!this.#entries.has(from)) return { ok: false, reason: 'not_granted' };
    if (!isTopic(topic) || !(from.member.topics.publish ?? []).includes(topic)) return { ok: false, reason: 'topic_not_declared' };
    if (!from.member.granted()) return { ok: false, reason: 'not_granted' };
    if (bytes > MAX_PUBLISH_BYTES) return { ok: false, reason: 'too_large' };
    if (!from.bucket.take(now)) return { ok: false, reason: 'rate_limited' };
    const sender = { typeID: from.member.typeID };
    let delivered = 0;
    for (const to of [...this.#entries]) {
      if (to === from || to.subs.size === 0) continue;
      // Declared + subscribed + granted, checked at delivery time: a revoke takes effect at once.
      if (![...to.subs].some((p) => topicMatches(p, topic))) continue;
      if (!(to.member.topics.subscribe ?? []).some((p) => topicMatches(p, topic))) continue;
      if (!to.member.granted()) continue;
      try {
        to.member.deliver(topic, payload, { ...sender });
        delivered++;
      } catch {
        // One broken receiver must not stop delivery to the others.
      }
    }
    return { ok: true, delivered };
  }
}
