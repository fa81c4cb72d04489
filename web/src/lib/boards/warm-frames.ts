import type { WindowPluginRef } from '../api/types';
import type { PoolBudget } from '../bridge/frame-pool';
import { isPoolableFrameUrl } from '../bridge/frames';
import type { WindowState } from '../windows/types';

/** A frame URL and the card origin it must be on, as the catalogue published them. */
export interface CardFrame {
  url: string;
  origin: string;
}

/**
 * The frames worth keeping warm for a board: one per card type of its *closed* cards, the ones the
 * person is likely to open next, within the pool's budget (`max` frames, or a {@link PoolBudget}
 * of frames and card origins: more would only start frames the pool throws away while they load). Open cards already have their frame; warming their type too
 * loaded a second copy of every open card's frame on each board load. Stopped (killed) cards get
 * none (the frame would hold the 410 page), and HTML entries are never pooled (their scripts would
 * run before the card opens).
 */
export function framesToWarm(
  windows: readonly WindowState[],
  frameFor: (ref: WindowPluginRef) => CardFrame | null,
  isStopped: (windowId: string) => boolean,
  max: number | PoolBudget,
): CardFrame[] {
  const budget = typeof max === 'number' ? { maxFrames: max, maxOrigins: max } : max;
  const out = new Map<string, CardFrame>();
  const origins = new Set<string>();
  for (const w of windows) {
    if (out.size >= budget.maxFrames) break;
    if (w.kind !== 'plugin' || !w.plugin || w.open !== false || isStopped(w.id)) continue;
    const frame = frameFor(w.plugin);
    if (!frame || !isPoolableFrameUrl(frame.url) || out.has(frame.url)) continue;
    if (!origins.has(frame.origin) && origins.size >= budget.maxOrigins) continue;
    origins.add(frame.origin);
    out.set(frame.url, frame);
  }
  return [...out.values()];
}
