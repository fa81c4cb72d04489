// Pure viewport math. Convention: screen = world * zoom + (x, y), i.e. (x, y) is where the
// world origin appears on screen, matching `transform: translate(x, y) scale(zoom)` with
// `transform-origin: 0 0` on the content layer.

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 4;

export interface Point {
  x: number;
  y: number;
}
export interface Size {
  width: number;
  height: number;
}
export interface Rect extends Point, Size {}
export interface ViewportState {
  x: number;
  y: number;
  zoom: number;
}

export function clampZoom(z: number): number {
  if (!Number.isFinite(z)) return 1;
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
}

export function screenToWorld(v: ViewportState, p: Point): Point {
  return { x: (p.x - v.x) / v.zoom, y: (p.y - v.y) / v.zoom };
}

export function worldToScreen(v: ViewportState, p: Point): Point {
  return { x: p.x * v.zoom + v.x, y: p.y * v.zoom + v.y };
}

/** Zooms by `factor` keeping the world point under the screen point `p` fixed. */
export function zoomAt(v: ViewportState, p: Point, factor: number): ViewportState {
  const zoom = clampZoom(v.zoom * factor);
  const w = screenToWorld(v, p);
  return { x: p.x - w.x * zoom, y: p.y - w.y * zoom, zoom };
}

export function boundsOf(rects: readonly Rect[]): Rect | null {
  if (rects.length === 0) return null;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const r of rects) {
    minX = Math.min(minX, r.x);
    minY = Math.min(minY, r.y);
    maxX = Math.max(maxX, r.x + r.width);
    maxY = Math.max(maxY, r.y + r.height);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export interface FitOptions {
  /** Screen pixels kept free around the content. */
  padding?: number;
  /** Fitting never magnifies past this (a single small window stays at 100 %). */
  maxZoom?: number;
}

/** The viewport that shows every rect centred in `size`; zoom clamped to 0.1–4. */
export function fitTo(rects: readonly Rect[], size: Size, opts: FitOptions = {}): ViewportState {
  const padding = opts.padding ?? 48;
  const b = boundsOf(rects);
  if (!b || size.width <= 0 || size.height <= 0) return { x: size.width / 2, y: size.height / 2, zoom: 1 };
  const availW = Math.max(1, size.width - padding * 2);
  const availH = Math.max(1, size.height - padding * 2);
  const raw = Math.min(availW / Math.max(b.width, 1), availH / Math.max(b.height, 1));
  const zoom = clampZoom(Math.min(raw, opts.maxZoom ?? 1));
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  return { x: size.width / 2 - cx * zoom, y: size.height / 2 - cy * zoom, zoom };
}

/** The world rectangle currently visible in a viewport of `size` screen pixels. */
export function visibleWorldRect(v: ViewportState, size: Size): Rect {
  const tl = screenToWorld(v, { x: 0, y: 0 });
  return { x: tl.x, y: tl.y, width: size.width / v.zoom, height: size.height / v.zoom };
}

/** Wheel delta → zoom factor; smooth for trackpads, bounded for mouse wheels. */
export function wheelZoomFactor(deltaY: number, deltaMode = 0): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  const clamped = Math.max(-100, Math.min(100, px));
  return Math.exp(-clamped * 0.0025);
}
