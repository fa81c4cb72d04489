// How many messages a card may send per second (token bucket), as the server is configured
// (`Labyrinth:Bridge`, GET /api/cards/limits). Defaults apply until the board page has loaded them.

export interface BridgeLimits {
  messagesPerSecond: number;
  burst: number;
}

export const DEFAULT_BRIDGE_LIMITS: Readonly<BridgeLimits> = Object.freeze({ messagesPerSecond: 100, burst: 200 });

let current: Readonly<BridgeLimits> = DEFAULT_BRIDGE_LIMITS;

export function bridgeLimits(): Readonly<BridgeLimits> {
  return current;
}

/** Applies limits from the server; nonsense (not positive integers, burst below rate) keeps the defaults. */
export function setBridgeLimits(limits: unknown): void {
  const l = limits as Partial<BridgeLimits> | null;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
  if (l && ok(l.messagesPerSecond) && ok(l.burst) && l.burst >= l.messagesPerSecond) {
    current = Object.freeze({ messagesPerSecond: l.messagesPerSecond, burst: l.burst });
  } else {
    current = DEFAULT_BRIDGE_LIMITS;
  }
}
