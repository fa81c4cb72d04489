// Which windows the board draws, and how much of each, for a camera: cheap arithmetic on the
// windows' world rectangles and the viewport, so it runs at every pan/zoom frame without a layout
// read. The board is not composited (see Canvas.svelte), so every camera change repaints and
// re-layerises everything drawn; drawing less is what makes a frame cheaper.
import type { Rect, Size, ViewportState } from './viewport-math';

/**
 * How a window is drawn.
 * - `full`: everything.
 * - `outline`: a plain rectangle with a title-bar band and none of its contents (zoomed out so far
 *   that 13 px text is under 5 px on screen).
 * - `culled`: outside the view and its margin; none of its contents are drawn.
 */
export type WindowDetail = 'full' | 'outline' | 'culled';

/** Below this zoom, windows are drawn as outlines. */
export const OUTLINE_ZOOM = 0.4;

/**
 * Screen pixels around the view inside which windows are still drawn: a window about to come into
 * view is already rendered, and one wobbling at the edge during a gesture does not toggle at every
 * frame.
 */
export const CULL_MARGIN_PX = 200;

/** How much of the window at world rectangle `r` to draw for viewport `v` of screen size `size`. */
export function windowDetail(r: Rect, v: ViewportState, size: Size, margin = CULL_MARGIN_PX): WindowDetail {
  // Not measured yet (the first frame, a hidden board): draw everything rather than guess.
  if (!(size.width > 0 && size.height > 0)) return 'full';
  const left = r.x * v.zoom + v.x;
  const top = r.y * v.zoom + v.y;
  const right = left + r.width * v.zoom;
  const bottom = top + r.height * v.zoom;
  if (right < -margin || bottom < -margin || left > size.width + margin || top > size.height + margin) return 'culled';
  return v.zoom < OUTLINE_ZOOM ? 'outline' : 'full';
}

/**
 * At most this many windows get their contents drawn again in one frame. Bringing a window back
 * from an outline (or from off screen) means styling, laying out, painting and rastering
 * everything in it; crossing {@link OUTLINE_ZOOM} on a big board asked that of a hundred windows
 * in one frame, which froze it for several frames.
 */
export const REDRAWS_PER_FRAME = 4;

/** A window whose detail the camera changes. */
export interface DetailChange {
  rect: Rect;
  from: WindowDetail;
  to: WindowDetail;
  /** Never reduced (see `alwaysDrawn`): applies at once. */
  pinned: boolean;
}

/**
 * Which of a camera frame's detail changes to apply in that frame; the others wait for the next.
 * Drawing less applies at once, and so does a pinned window and a culled window that is now on
 * screen (it would show as an empty box). Redrawing an outline, which already stands for the
 * window, or a window still off screen in the margin is what a frame pays for: at most `budget`
 * of those apply, nearest the middle of the view first.
 */
export function paceDetailChanges<T extends DetailChange>(changes: readonly T[], v: ViewportState, size: Size, budget = REDRAWS_PER_FRAME): T[] {
  const now: T[] = [];
  const waiting: { change: T; distance: number }[] = [];
  for (const c of changes) {
    if (c.to !== 'full' || c.pinned || (c.from === 'culled' && windowDetail(c.rect, v, size, 0) !== 'culled')) {
      now.push(c);
      continue;
    }
    const dx = (c.rect.x + c.rect.width / 2) * v.zoom + v.x - size.width / 2;
    const dy = (c.rect.y + c.rect.height / 2) * v.zoom + v.y - size.height / 2;
    waiting.push({ change: c, distance: dx * dx + dy * dy });
  }
  if (waiting.length > budget) waiting.sort((a, b) => a.distance - b.distance);
  for (const w of waiting.slice(0, budget)) now.push(w.change);
  return now;
}

/**
 * The viewport moved as little as possible (zoom unchanged) so that the world rectangle `r` is on
 * screen with `padding` screen pixels around it; a rectangle larger than the view shows its top-left
 * corner (where the title bar is). Returns `v` itself when `r` is already in view.
 */
export function panIntoView(v: ViewportState, size: Size, r: Rect, padding = 24): ViewportState {
  if (!(size.width > 0 && size.height > 0)) return v;
  const dx = shift(r.x * v.zoom + v.x, r.width * v.zoom, size.width, padding);
  const dy = shift(r.y * v.zoom + v.y, r.height * v.zoom, size.height, padding);
  return dx === 0 && dy === 0 ? v : { x: v.x + dx, y: v.y + dy, zoom: v.zoom };
}

/** How far to move a span [start, start + length) so it lies in [padding, view - padding]. */
function shift(start: number, length: number, view: number, padding: number): number {
  const pad = Math.min(padding, Math.max(0, (view - length) / 2));
  if (length > view - 2 * pad || start < pad) return pad - start;
  const end = start + length;
  return end > view - pad ? view - pad - end : 0;
}
