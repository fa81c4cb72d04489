/**
 * Ink written for the tests: coordinates as a person's pen leaves them on the board (y down,
 * ~40 units per symbol), points every few units along each stroke.
 */
export type Ink = [number, number][][];

/** Points along a Catmull-Rom curve through `pts`, about every 3 units. */
export function curve(...pts: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < pts.length - 1; i++) {
    const p0 = pts[Math.max(0, i - 1)]!, p1 = pts[i]!, p2 = pts[i + 1]!, p3 = pts[Math.min(pts.length - 1, i + 2)]!;
    const n = Math.max(2, Math.ceil(Math.hypot(p2[0] - p1[0], p2[1] - p1[1]) / 3));
    for (let k = 0; k < n; k++) {
      const t = k / n, t2 = t * t, t3 = t2 * t;
      const f = (a: number, b: number, c: number, d: number) => 0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3);
      out.push([f(p0[0], p1[0], p2[0], p3[0]), f(p0[1], p1[1], p2[1], p3[1])]);
    }
  }
  out.push(pts[pts.length - 1]!);
  return out;
}
/** Straight segments through `pts`, a point every 3 units. */
export function line(...pts: [number, number][]): [number, number][] {
  const out: [number, number][] = [pts[0]!];
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!, b = pts[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 3));
    for (let k = 1; k <= n; k++) out.push([a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n]);
  }
  return out;
}
const shift = (ink: Ink, dx: number, dy = 0): Ink => ink.map((s) => s.map(([x, y]) => [x + dx, y + dy]));
const scale = (ink: Ink, k: number, ox = 0, oy = 0): Ink => ink.map((s) => s.map(([x, y]) => [ox + x * k, oy + y * k]));

/** One symbol each, in a 40-unit cell with its baseline at y = 40. */
export const GLYPHS = {
  '1': [line([8, 10], [18, 1], [18, 40])],
  '2': [curve([3, 11], [14, 1], [27, 4], [28, 15], [16, 27], [2, 40]), line([2, 40], [29, 39])],
  '3': [curve([4, 6], [16, 0], [27, 8], [15, 19], [28, 28], [20, 39], [3, 35])],
  '4': [line([20, 1], [2, 28], [30, 28]), line([23, 12], [23, 41])],
  '+': [line([15, 8], [15, 34]), line([2, 21], [28, 21])],
  '-': [line([2, 22], [26, 22])],
  '=': [line([3, 16], [27, 16]), line([3, 28], [27, 28])],
  x: [line([3, 16], [24, 40]), line([24, 16], [3, 40])],
  '7': [line([2, 2], [28, 2], [10, 40])],
  '0': [curve([15, 1], [4, 12], [3, 30], [15, 40], [27, 30], [27, 11], [15, 1])],
} as const satisfies Record<string, Ink>;

/** Writes symbols left to right, 40 units apart. */
export function write(...symbols: (keyof typeof GLYPHS)[]): Ink {
  return symbols.flatMap((s, i) => shift(GLYPHS[s] as unknown as Ink, i * 40));
}

/** `2 + 3`. */
export const TWO_PLUS_THREE: Ink = write('2', '+', '3');

/** `1/2` as a stacked fraction. */
export const ONE_HALF: Ink = [...shift(write('1'), 10, -48), line([0, -3], [48, -3]), ...shift(write('2'), 10, 8)];

/** `x²`: the 2 smaller and raised. */
export const X_SQUARED: Ink = [...write('x'), ...scale(GLYPHS['2'] as unknown as Ink, 0.55, 30, -6)];
