// Every limit a card meets, as the server publishes it once (GET /api/cards/limits, docs/api.md).
// The board page loads it before cards start; the bridge validates against it and hands the card's
// share of it to the frame in `init` (the SDK reads it there). Sizes are UTF-8 bytes.
import { DEFAULT_CARD_LIMITS } from '../../../../sdk/src/protocol.ts';
import type { CardLimits } from '../../../../sdk/src/types.ts';

export interface BridgeLimits extends CardLimits {
  /** Card → host messages per second (token bucket rate). */
  messagesPerSecond: number;
  /** Token bucket size. */
  burst: number;
}

/**
 * Used only until the server's answer arrives (and if it is malformed): an unconfigured host's
 * numbers (the sizes are the SDK's defaults), so a card that starts first meets what it will meet.
 */
export const DEFAULT_BRIDGE_LIMITS: Readonly<BridgeLimits> = Object.freeze({ messagesPerSecond: 100, burst: 200, ...DEFAULT_CARD_LIMITS });

let current: Readonly<BridgeLimits> = DEFAULT_BRIDGE_LIMITS;

export function bridgeLimits(): Readonly<BridgeLimits> {
  return current;
}

/** The part of the limits a card's own code needs (sent in `init`). */
export function cardLimits(l: Readonly<BridgeLimits> = current): CardLimits {
  return { maxMessageBytes: l.maxMessageBytes, maxPayloadBytes: l.maxPayloadBytes, maxPublishBytes: l.maxPublishBytes, maxSnapshotBytes: l.maxSnapshotBytes };
}

/**
 * Applies `GET /api/cards/limits` (publish = `bus.maxPayloadBytes`). Nonsense (a value that is not
 * a positive integer, a burst below the rate) keeps the defaults whole.
 */
export function setBridgeLimits(limits: unknown): void {
  const l = (typeof limits === 'object' && limits !== null ? limits : {}) as Record<string, unknown>;
  const bus = (typeof l.bus === 'object' && l.bus !== null ? l.bus : {}) as Record<string, unknown>;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
  const next = {
    messagesPerSecond: l.messagesPerSecond,
    burst: l.burst,
    maxMessageBytes: l.maxMessageBytes,
    maxPayloadBytes: l.maxPayloadBytes,
    maxPublishBytes: bus.maxPayloadBytes,
    maxSnapshotBytes: l.maxSnapshotBytes,
  };
  current = Object.values(next).every(ok) && (next.burst as number) >= (next.messagesPerSecond as number)
    ? Object.freeze(next as BridgeLimits)
    : DEFAULT_BRIDGE_LIMITS;
}
