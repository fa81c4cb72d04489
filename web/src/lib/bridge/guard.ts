import { validateCardMessage, type ValidationResult } from './schema';
import { TokenBucket } from './token-bucket';
import type { BridgeCounters, RejectReason } from './types';

export function emptyCounters(): BridgeCounters {
  return {
    accepted: 0,
    rejected: 0,
    byReason: { not_object: 0, unknown_type: 0, bad_shape: 0, oversize: 0, flood: 0, parent_message: 0, focus_steal: 0, navigated: 0 },
  };
}

const NOT_COUNTED_FOR_SUSPENSION: ReadonlySet<RejectReason> = new Set(['parent_message', 'focus_steal', 'navigated']);

/** Rejections within {@link SUSPEND_WINDOW_MS} that suspend a card (docs/api.md "Violations and suspension"). */
export const SUSPEND_AFTER = 50;
export const SUSPEND_WINDOW_MS = 10_000;

/**
 * The gate every card → host message passes: rate limit first (a flood must not cost a
 * serialization each), then schema and size. Counts what it accepts and drops, and remembers
 * when recent rejections happened so the bridge can suspend a card that keeps violating.
 */
export class MessageGuard {
  readonly counters: BridgeCounters;
  readonly #bucket: TokenBucket;
  /** Times of the last {@link SUSPEND_AFTER} rejections that count toward suspension (a ring). */
  readonly #recent: number[] = [];
  #next = 0;

  constructor(now = 0, counters: BridgeCounters = emptyCounters(), rate = 100, burst = 200) {
    this.counters = counters;
    this.#bucket = new TokenBucket(rate, burst, now);
  }

  check(data: unknown, now: number): ValidationResult {
    if (!this.#bucket.take(now)) return this.reject('flood', now);
    const r = validateCardMessage(data);
    if (!r.ok) return this.reject(r.reason, now);
    this.counters.accepted++;
    return r;
  }

  /** Counts a rejection found outside the schema (e.g. a duplicate pending request id). */
  reject(reason: RejectReason, now: number): ValidationResult {
    this.counters.rejected++;
    this.counters.byReason[reason]++;
    // Window messages and focus attempts are reported but never suspend on their own: the bridge
    // decides about those (a navigation tears the card down; a host-detected focus theft suspends).
    if (!NOT_COUNTED_FOR_SUSPENSION.has(reason)) {
      if (this.#recent.length < SUSPEND_AFTER) this.#recent.push(now);
      else this.#recent[this.#next] = now;
      this.#next = (this.#next + 1) % SUSPEND_AFTER;
    }
    return { ok: false, reason };
  }

  /** True once {@link SUSPEND_AFTER} counted rejections fell within {@link SUSPEND_WINDOW_MS}. */
  shouldSuspend(now: number): boolean {
    if (this.#recent.length < SUSPEND_AFTER) return false;
    const oldest = this.#recent[this.#next % SUSPEND_AFTER]!;
    return now - oldest < SUSPEND_WINDOW_MS;
  }
}
