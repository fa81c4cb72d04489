/**
 * Turns a stroke group into the classifier's input: a SIZE×SIZE anti-aliased raster of the group
 * fitted to the square (aspect kept, never enlarged past {@link MIN_FIT} of the reference size, so
 * a dot stays a dot) plus a few shape features. The training-data generator calls this same code,
 * so training and inference see identical inputs.
 */
import { boxOf, heightOf, widthOf, type Stroke } from './ink.ts';

export const SIZE = 24;
export const FEATURES = 6;
const PAD = 2;
const RADIUS = 0.9;
/** A group smaller than this share of the reference size is drawn at that fraction of the box. */
const MIN_FIT = 0.35;

const clip = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** Writes the raster into `out[offset … offset + SIZE²)` and the features after it. */
export function encodeGroup(strokes: readonly Stroke[], reference: number, out: Float32Array, offset = 0): void {
  const img = out.subarray(offset, offset + SIZE * SIZE);
  img.fill(0);
  const b = boxOf(strokes);
  const w = widthOf(b), h = heightOf(b);
  const span = Math.max(w, h, MIN_FIT * reference, 1e-9);
  const s = (SIZE - 2 * PAD) / span;
  const ox = SIZE / 2 - ((b.x0 + b.x1) / 2) * s;
  const oy = SIZE / 2 - ((b.y0 + b.y1) / 2) * s;
  for (const stroke of strokes) {
    if (stroke.length === 1) { const [x, y] = stroke[0]!; segment(img, x * s + ox, y * s + oy, x * s + ox, y * s + oy); continue; }
    for (let i = 1; i < stroke.length; i++) {
      const [ax, ay] = stroke[i - 1]!, [bx, by] = stroke[i]!;
      segment(img, ax * s + ox, ay * s + oy, bx * s + ox, by * s + oy);
    }
  }
  const f = offset + SIZE * SIZE;
  out[f] = clip(Math.log((w + reference * 0.05) / (h + reference * 0.05)) / 3, -1, 1);
  out[f + 1] = clip(Math.log(Math.max(w, h, 1e-9) / reference) / 3, -1.5, 1.5);
  const n = strokes.length;
  out[f + 2] = n === 1 ? 1 : 0;
  out[f + 3] = n === 2 ? 1 : 0;
  out[f + 4] = n === 3 ? 1 : 0;
  out[f + 5] = n >= 4 ? 1 : 0;
}

/** Max-blends an anti-aliased line of radius {@link RADIUS} into `img`. */
function segment(img: Float32Array, ax: number, ay: number, bx: number, by: number): void {
  const r = RADIUS + 1;
  const minX = Math.max(0, Math.floor(Math.min(ax, bx) - r)), maxX = Math.min(SIZE - 1, Math.ceil(Math.max(ax, bx) + r));
  const minY = Math.max(0, Math.floor(Math.min(ay, by) - r)), maxY = Math.min(SIZE - 1, Math.ceil(Math.max(ay, by) + r));
  const dx = bx - ax, dy = by - ay;
  const len = dx * dx + dy * dy;
  for (let y = minY; y <= maxY; y++) {
    const py = y + 0.5;
    for (let x = minX; x <= maxX; x++) {
      const px = x + 0.5;
      let t = len > 0 ? ((px - ax) * dx + (py - ay) * dy) / len : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const d = Math.hypot(px - ax - t * dx, py - ay - t * dy);
      const v = d <= RADIUS ? 1 : d >= RADIUS + 1 ? 0 : RADIUS + 1 - d;
      const k = y * SIZE + x;
      if (v > img[k]!) img[k] = v;
    }
  }
}
