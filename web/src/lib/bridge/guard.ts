import { validateCardMessage, type ValidationResult } from './schema';
import { TokenBucket } from './token-bucket';
import type { BridgeCounters, RejectReason } from './types';

export function emptyCounters(): BridgeCounters {
  return {
    accepted: 0,
    rejected: 0,
    byReason: { not_object: 0, unknown_type: 0, bad_shape: 0, oversize: 0, flood: 0 },
  };
}

/**
 * The gate every card → host message passes: rate limit first (a flood must not cost a
 * serialization each), then schema and size. Counts what it accepts and drops.
 */
export class MessageGuard {
  readonly counters: BridgeCounters;
  readonly #bucket: TokenBucket;

  constructor(now = 0, counters: BridgeCounters = emptyCounters(), rate = 100, burst = 200) {
    this.counters = counters;
    this.#bucket = new TokenBucket(rate, burst, now);
  }

  check(data: unknown, now: number): ValidationResult {
    if (!this.#bucket.take(now)) return this.#reject('flood');
    const r = validateCardMessage(data);
    if (!r.ok) return this.#reject(r.reason);
    this.counters.accepted++;
    return r;
  }

  #reject(reason: RejectReason): ValidationResult {
    this.counters.rejected++;
    this.counters.byReason[reason]++;
    return { ok: false, reason };
  }
}
