/**
 * Handwriting allographs for the training generator ("style A"): each symbol as people commonly
 * write it, stroke by stroke in writing order, as control points in a unit box (y down), smoothed
 * into curves by {@link smooth}. Several forms per symbol (open and closed 4, 7 with and without
 * a bar, x as two lines or two arcs…). The held-out set uses other sources (bench/math).
 */
export type P = [number, number];
export type Template = P[][];

/** Points on an ellipse arc, angles in degrees, 0 = right, 90 = down. */
export function arc(cx: number, cy: number, rx: number, ry: number, a0: number, a1: number, n = 10): P[] {
  const out: P[] = [];
  for (let i = 0; i <= n; i++) {
    const a = ((a0 + (a1 - a0) * (i / n)) * Math.PI) / 180;
    out.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  return out;
}

/** Catmull-Rom through the control points, `per` samples per span. */
export function smooth(points: P[], per = 6): P[] {
  if (points.length < 3) return points.map((p) => [p[0], p[1]] as P);
  const out: P[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const p0 = points[Math.max(0, i - 1)]!, p1 = points[i]!, p2 = points[i + 1]!, p3 = points[Math.min(points.length - 1, i + 2)]!;
    for (let k = 0; k < per; k++) {
      const t = k / per, t2 = t * t, t3 = t2 * t;
      const f = (a: number, b: number, c: number, d: number) =>
        0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3);
      out.push([f(p0[0], p1[0], p2[0], p3[0]), f(p0[1], p1[1], p2[1], p3[1])]);
    }
  }
  out.push(points[points.length - 1]!);
  return out;
}

/** Straight polyline (no smoothing) marker: corners stay sharp. */
const line = (...pts: P[]): P[] => pts;

export const TEMPLATES: Record<string, { smooth: boolean[]; strokes: P[][] }[]> = {
  '0': [
    { smooth: [false], strokes: [arc(0.5, 0.5, 0.45, 0.5, -80, 290, 16)] },
    { smooth: [false], strokes: [arc(0.5, 0.5, 0.42, 0.5, 260, -100, 16)] },
    { smooth: [false], strokes: [arc(0.5, 0.5, 0.47, 0.5, -95, 275, 16)] },
  ],
  '1': [
    { smooth: [false], strokes: [line([0.55, 0], [0.5, 1])] },
    { smooth: [false], strokes: [line([0.2, 0.25], [0.6, 0], [0.6, 1])] },
    { smooth: [false, false], strokes: [line([0.25, 0.2], [0.55, 0], [0.55, 1]), line([0.2, 1], [0.85, 1])] },
  ],
  '2': [
    { smooth: [true], strokes: [[[0.1, 0.25], [0.35, 0.02], [0.75, 0.05], [0.85, 0.3], [0.6, 0.6], [0.1, 1], [0.55, 0.97], [0.95, 0.98]]] },
    { smooth: [true], strokes: [[[0.15, 0.2], [0.5, 0], [0.85, 0.2], [0.7, 0.55], [0.05, 1], [0.95, 1]]] },
    { smooth: [true], strokes: [[[0.1, 0.3], [0.45, 0], [0.85, 0.25], [0.4, 0.75], [0.15, 0.95], [0.3, 0.85], [0.5, 0.95], [0.95, 0.97]]] },
  ],
  '3': [
    { smooth: [true], strokes: [[[0.1, 0.15], [0.5, 0], [0.85, 0.2], [0.45, 0.48], [0.9, 0.72], [0.55, 1], [0.1, 0.88]]] },
    { smooth: [false, true], strokes: [line([0.1, 0.02], [0.85, 0.02], [0.4, 0.42]), [[0.4, 0.42], [0.85, 0.6], [0.8, 0.9], [0.45, 1], [0.1, 0.85]]] },
    { smooth: [true], strokes: [[[0.15, 0.2], [0.55, 0.0], [0.8, 0.25], [0.35, 0.5], [0.85, 0.7], [0.5, 1], [0.05, 0.85]]] },
  ],
  '4': [
    { smooth: [false, false], strokes: [line([0.6, 0], [0.05, 0.7], [0.95, 0.7]), line([0.7, 0.3], [0.7, 1])] },
    { smooth: [false, false], strokes: [line([0.2, 0], [0.1, 0.6], [0.9, 0.6]), line([0.7, 0], [0.7, 1])] },
    { smooth: [false], strokes: [line([0.7, 1], [0.7, 0], [0.05, 0.68], [0.95, 0.68])] },
    { smooth: [false, false], strokes: [line([0.15, 0], [0.15, 0.55], [0.9, 0.55]), line([0.75, 0.1], [0.7, 1])] },
  ],
  '5': [
    { smooth: [true, false], strokes: [[[0.2, 0], [0.15, 0.45], [0.55, 0.35], [0.9, 0.6], [0.75, 0.95], [0.35, 1], [0.05, 0.85]], line([0.2, 0.02], [0.85, 0])] },
    { smooth: [true], strokes: [[[0.85, 0], [0.2, 0.02], [0.15, 0.45], [0.6, 0.38], [0.9, 0.65], [0.6, 1], [0.1, 0.88]]] },
    { smooth: [false, true], strokes: [line([0.2, 0], [0.15, 0.45]), [[0.15, 0.45], [0.6, 0.35], [0.92, 0.65], [0.6, 1], [0.08, 0.88]]] },
  ],
  '6': [
    { smooth: [true], strokes: [[[0.8, 0.02], [0.35, 0.2], [0.1, 0.65], [0.35, 1], [0.8, 0.9], [0.85, 0.6], [0.45, 0.5], [0.15, 0.7]]] },
    { smooth: [true], strokes: [[[0.7, 0], [0.25, 0.35], [0.12, 0.75], [0.45, 1], [0.85, 0.78], [0.6, 0.5], [0.15, 0.65]]] },
  ],
  '7': [
    { smooth: [false], strokes: [line([0.05, 0.02], [0.95, 0.02], [0.35, 1])] },
    { smooth: [false, false], strokes: [line([0.05, 0.05], [0.95, 0], [0.4, 1]), line([0.3, 0.52], [0.85, 0.5])] },
    { smooth: [false], strokes: [line([0.05, 0.15], [0.1, 0.02], [0.95, 0.02], [0.4, 1])] },
  ],
  '8': [
    { smooth: [true], strokes: [[[0.8, 0.12], [0.5, 0], [0.2, 0.15], [0.35, 0.4], [0.8, 0.65], [0.6, 1], [0.2, 0.85], [0.35, 0.55], [0.8, 0.35], [0.75, 0.1], [0.5, 0]]] },
    { smooth: [false, false], strokes: [arc(0.5, 0.25, 0.3, 0.25, -90, 270, 12), arc(0.5, 0.74, 0.4, 0.26, -90, 270, 12)] },
  ],
  '9': [
    { smooth: [true], strokes: [[[0.85, 0.2], [0.5, 0], [0.15, 0.2], [0.3, 0.5], [0.8, 0.35], [0.85, 0.1], [0.8, 0.5], [0.7, 1]]] },
    { smooth: [false, false], strokes: [arc(0.5, 0.27, 0.38, 0.27, 0, 360, 14), line([0.88, 0.25], [0.75, 1])] },
    { smooth: [true], strokes: [[[0.8, 0.1], [0.4, 0], [0.15, 0.3], [0.5, 0.5], [0.85, 0.2], [0.85, 0.6], [0.5, 1], [0.15, 0.9]]] },
  ],
  x: [
    { smooth: [false, false], strokes: [line([0, 0], [1, 1]), line([1, 0], [0, 1])] },
    { smooth: [false, false], strokes: [line([0.05, 0.05], [0.95, 0.95]), line([0.95, 0.0], [0.05, 1])] },
    { smooth: [true, true], strokes: [[[0, 0.1], [0.4, 0.1], [0.5, 0.5], [0.6, 0.9], [1, 0.85]], [[1, 0.05], [0.5, 0.5], [0.05, 1]]] },
    { smooth: [false, false], strokes: [arc(0.1, 0.5, 0.4, 0.5, -80, 80, 8), arc(0.9, 0.5, 0.4, 0.5, 260, 100, 8)] },
  ],
  y: [
    { smooth: [false, false], strokes: [line([0, 0], [0.5, 0.55]), line([1, 0], [0.15, 1])] },
    { smooth: [true], strokes: [[[0.05, 0], [0.1, 0.4], [0.45, 0.5], [0.9, 0.05], [0.85, 0.6], [0.5, 1], [0.15, 0.85]]] },
    { smooth: [false, false], strokes: [line([0.05, 0], [0.5, 0.5]), line([0.95, 0], [0.5, 0.5], [0.45, 1])] },
  ],
  '+': [
    { smooth: [false, false], strokes: [line([0.5, 0], [0.5, 1]), line([0, 0.5], [1, 0.5])] },
    { smooth: [false, false], strokes: [line([0, 0.5], [1, 0.5]), line([0.5, 0], [0.5, 1])] },
  ],
  '-': [{ smooth: [false], strokes: [line([0, 0.5], [1, 0.5])] }],
  '=': [{ smooth: [false, false], strokes: [line([0, 0], [1, 0]), line([0, 1], [1, 1])] }],
  div: [
    { smooth: [false, false, false], strokes: [line([0.5, 0], [0.52, 0.03]), line([0, 0.5], [1, 0.5]), line([0.5, 0.97], [0.52, 1])] },
    { smooth: [false, false, false], strokes: [line([0, 0.5], [1, 0.5]), line([0.5, 0], [0.5, 0.02]), line([0.5, 0.98], [0.5, 1])] },
  ],
  '(': [{ smooth: [false], strokes: [arc(1.6, 0.5, 1.5, 0.55, 245, 115, 10)] }],
  ')': [{ smooth: [false], strokes: [arc(-0.6, 0.5, 1.5, 0.55, -65, 65, 10)] }],
  '.': [
    { smooth: [false], strokes: [line([0.4, 0.4], [0.6, 0.6])] },
    { smooth: [false], strokes: [arc(0.5, 0.5, 0.3, 0.3, 0, 360, 6)] },
  ],
  pi: [
    { smooth: [false, false, false], strokes: [line([0, 0.1], [1, 0]), line([0.3, 0.05], [0.25, 1]), line([0.72, 0.05], [0.8, 1])] },
    { smooth: [false, false, false], strokes: [line([0.3, 0], [0.25, 1]), line([0.72, 0], [0.8, 1]), line([0, 0.05], [1, 0])] },
    { smooth: [true, false], strokes: [[[0, 0.2], [0.15, 0.05], [0.6, 0.05], [1, 0]], line([0.3, 0.05], [0.25, 1])] },
    { smooth: [false, true], strokes: [line([0, 0.1], [1, 0.05]), [[0.3, 0.08], [0.28, 1]]] },
  ],
};

// A pi drawn as bar + left leg only is not a pi: keep three-part forms complete.
TEMPLATES.pi![2]!.strokes.push(line([0.72, 0.05], [0.82, 1]));
TEMPLATES.pi![2]!.smooth.push(false);
TEMPLATES.pi![3]!.strokes.push(line([0.72, 0.08], [0.8, 1]));
TEMPLATES.pi![3]!.smooth.push(false);

/**
 * √ over a radicand: `reach` is how far the overline runs, in units of the hook's height.
 * Forms: with or without the small entry tick.
 */
export function sqrtTemplate(variant: number, reach: number): { smooth: boolean[]; strokes: P[][] } {
  const w = 0.45 + reach;
  const sx = (x: number) => x / w;
  const pts: P[] = variant % 2 === 0
    ? [[sx(0), 0.6], [sx(0.1), 0.55], [sx(0.25), 1], [sx(0.45), 0], [1, 0]]
    : [[sx(0.05), 0.5], [sx(0.25), 1], [sx(0.42), 0], [1, 0.02]];
  return { smooth: [false], strokes: [pts] };
}
