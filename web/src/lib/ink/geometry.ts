// Pure geometry of ink: stroke extents, lasso membership, eraser hits and the card-local
// selection snapshot. No DOM here, so all of it is unit-tested.
import type { InkStroke, Stroke } from './types';

/** A stroke with its extent (points grown by half the width). */
export function makeStroke(id: string, points: Float32Array, color: string, width: number): Stroke {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const h = width / 2;
  return { id, points, color, width, minX: minX - h, minY: minY - h, maxX: maxX + h, maxY: maxY + h };
}

/** Even-odd ray casting; `poly` is flat `[x0, y0, x1, y1, …]`, implicitly closed. */
export function pointInPolygon(x: number, y: number, poly: ArrayLike<number>): boolean {
  let inside = false;
  const n = poly.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = poly[i]!;
    const yi = poly[i + 1]!;
    const xj = poly[j]!;
    const yj = poly[j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * The lasso rule: a stroke is selected when MORE THAN HALF of its points lie inside the loop.
 * A stroke the loop only grazes stays out; one whose tail pokes out stays in.
 */
export function strokeInLasso(stroke: Stroke, poly: ArrayLike<number>): boolean {
  const n = stroke.points.length / 3;
  if (n === 0 || poly.length < 6) return false;
  let inside = 0;
  for (let i = 0; i < stroke.points.length; i += 3) {
    if (pointInPolygon(stroke.points[i]!, stroke.points[i + 1]!, poly)) inside++;
  }
  return inside * 2 > n;
}

/** Extent of a flat `[x, y, …]` polygon. */
export function polygonBounds(poly: ArrayLike<number>): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < poly.length; i += 2) {
    minX = Math.min(minX, poly[i]!);
    maxX = Math.max(maxX, poly[i]!);
    minY = Math.min(minY, poly[i + 1]!);
    maxY = Math.max(maxY, poly[i + 1]!);
  }
  return { minX, minY, maxX, maxY };
}

function distToSegmentSq(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len = dx * dx + dy * dy;
  let t = len === 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / len;
  t = Math.max(0, Math.min(1, t));
  const qx = ax + t * dx - px;
  const qy = ay + t * dy - py;
  return qx * qx + qy * qy;
}

/** The eraser (a circle of radius `r` at `x, y`) touches the stroke's ink. */
export function strokeHitByCircle(stroke: Stroke, x: number, y: number, r: number): boolean {
  const reach = r + stroke.width / 2;
  if (x < stroke.minX - r || x > stroke.maxX + r || y < stroke.minY - r || y > stroke.maxY + r) return false;
  const p = stroke.points;
  if (p.length === 3) return distToSegmentSq(x, y, p[0]!, p[1]!, p[0]!, p[1]!) <= reach * reach;
  for (let i = 3; i < p.length; i += 3) {
    if (distToSegmentSq(x, y, p[i - 3]!, p[i - 2]!, p[i]!, p[i + 1]!) <= reach * reach) return true;
  }
  return false;
}

export interface LocalSelection {
  strokes: InkStroke[];
  width: number;
  height: number;
  /** World position of the box's top-left (where the card goes beside). */
  originX: number;
  originY: number;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * The selection as a card receives it: only the strokes in `selected`, in the board's drawing
 * order, moved so (0, 0) is the top-left of their box (which includes the pen width, so drawing
 * them into a width × height canvas never clips). Nothing else of the board is in it.
 */
export function localSelection(ordered: readonly Stroke[], selected: ReadonlySet<string>): LocalSelection | null {
  const picked = ordered.filter((s) => selected.has(s.id));
  if (picked.length === 0) return null;
  const minX = Math.min(...picked.map((s) => s.minX));
  const minY = Math.min(...picked.map((s) => s.minY));
  const maxX = Math.max(...picked.map((s) => s.maxX));
  const maxY = Math.max(...picked.map((s) => s.maxY));
  const strokes = picked.map((s) => {
    const points: [number, number, number][] = [];
    for (let i = 0; i < s.points.length; i += 3) {
      points.push([round3(s.points[i]! - minX), round3(s.points[i + 1]! - minY), round3(s.points[i + 2]!)]);
    }
    return { points, color: s.color, width: s.width };
  });
  return { strokes, width: round3(Math.max(1, maxX - minX)), height: round3(Math.max(1, maxY - minY)), originX: minX, originY: minY };
}
