/**
 * How this tab's cards opened and stopped, counted for people measuring the board (and the E2E
 * suite, which reads them through `globalThis.labyrinthCardStats`). Counts only: no card data.
 */
export interface CardStats {
  /** A card opened on a frame the pool had pre-started. */
  warmOpens: number;
  /** A card opened on a frame started for it (the sandboxed frame's cold start). */
  coldOpens: number;
  /** Cards already open when their board loaded (their frame starts with the page: never warm, not in the rate). */
  restores: number;
  /** Cards whose frame was unloaded after not responding for the stop delay. */
  unresponsiveStops: number;
}

export const cardStats: CardStats = { warmOpens: 0, coldOpens: 0, restores: 0, unresponsiveStops: 0 };

/** Share of a person's opens (spawn, open, reload) that found a warm frame, or null before any. */
export function warmHitRate(s: CardStats = cardStats): number | null {
  const opens = s.warmOpens + s.coldOpens;
  return opens === 0 ? null : s.warmOpens / opens;
}

// A copy on each read: the page's counters cannot be changed from outside the module.
if (typeof globalThis !== 'undefined' && !('labyrinthCardStats' in globalThis)) {
  Object.defineProperty(globalThis, 'labyrinthCardStats', { get: () => ({ ...cardStats, warmHitRate: warmHitRate() }), configurable: false });
}
