/** Ink geometry shared by the recogniser, the training-data generator and the bench. */
export type Point = readonly [number, number];
export type Stroke = readonly Point[];

export interface Box { x0: number; y0: number; x1: number; y1: number }

export function boxOf(strokes: readonly Stroke[]): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const s of strokes) for (const [x, y] of s) {
    if (x < x0) x0 = x; if (x > x1) x1 = x;
    if (y < y0) y0 = y; if (y > y1) y1 = y;
  }
  return { x0, y0, x1, y1 };
}

export const widthOf = (b: Box): number => b.x1 - b.x0;
export const heightOf = (b: Box): number => b.y1 - b.y0;

export function union(a: Box, b: Box): Box {
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

/**
 * Drops non-finite points, repeated points and empty strokes; any scale and offset is fine
 * (everything downstream is relative to {@link referenceSize}).
 */
export function clean(strokes: readonly (readonly (readonly number[])[])[]): Stroke[] {
  const out: Stroke[] = [];
  for (const s of strokes) {
    const pts: Point[] = [];
    for (const p of s) {
      const x = p[0], y = p[1];
      if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) continue;
      const last = pts[pts.length - 1];
      if (last && last[0] === x && last[1] === y) continue;
      pts.push([x, y]);
    }
    if (pts.length) out.push(pts);
  }
  return out;
}

/**
 * The expression's typical symbol size: the 70th percentile of the strokes' larger side. Every
 * size cue (a dot, a raised exponent, a gap) is measured against it, so input scale never matters.
 */
export function referenceSize(strokes: readonly Stroke[]): number {
  const sizes = strokes.map((s) => { const b = boxOf([s]); return Math.max(widthOf(b), heightOf(b)); }).sort((a, b) => a - b);
  if (!sizes.length) return 1;
  const v = sizes[Math.min(sizes.length - 1, Math.floor(sizes.length * 0.7))]!;
  return v > 0 ? v : 1;
}

/** Shortest distance between two strokes' polylines (0 when they cross). */
export function strokeDistance(a: Stroke, b: Stroke): number {
  let best = Infinity;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!, p2 = a[Math.min(i + 1, a.length - 1)]!;
    for (let j = 0; j < b.length; j++) {
      const q = b[j]!, q2 = b[Math.min(j + 1, b.length - 1)]!;
      if (segmentsCross(p, p2, q, q2)) return 0;
      best = Math.min(best, pointSegment(p, q, q2), pointSegment(q, p, p2));
    }
  }
  return best;
}

function pointSegment(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const len = dx * dx + dy * dy;
  let t = len > 0 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

function segmentsCross(a: Point, b: Point, c: Point, d: Point): boolean {
  const o = (p: Point, q: Point, r: Point) => (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
  const d1 = o(c, d, a), d2 = o(c, d, b), d3 = o(a, b, c), d4 = o(a, b, d);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}
