/**
 * Samples y = f(x) over the plot range into SVG path data, with axis positions and "nice" ticks.
 * Pure (no DOM) so it is unit-tested; the card draws the result.
 */
import type { PlotSettings } from './payload.ts';

export interface Tick { value: number; pos: number; label: string }
export interface PlotGeometry {
  /** SVG path data, one `M…L…` run per continuous piece. */
  path: string;
  yMin: number;
  yMax: number;
  xTicks: Tick[];
  yTicks: Tick[];
  /** Pixel position of the axes, or null when the axis is outside the view. */
  xAxisY: number | null;
  yAxisX: number | null;
  /** How many samples were finite (0 → nothing to draw). */
  finite: number;
}

const SAMPLES = 480;

export function plotGeometry(f: (x: number) => number, s: PlotSettings, width: number, height: number): PlotGeometry {
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i <= SAMPLES; i++) {
    const x = s.xMin + ((s.xMax - s.xMin) * i) / SAMPLES;
    xs.push(x);
    ys.push(f(x));
  }
  const finite = ys.filter(Number.isFinite);
  let yMin = s.yMin, yMax = s.yMax;
  if (s.yAuto) {
    if (finite.length) {
      // Robust range: ignore the extreme 2 % on each side (poles would flatten everything else).
      const sorted = [...finite].sort((a, b) => a - b);
      yMin = sorted[Math.floor(sorted.length * 0.02)]!;
      yMax = sorted[Math.ceil(sorted.length * 0.98) - 1]!;
    } else { yMin = -10; yMax = 10; }
    if (yMax - yMin < 1e-9) { yMin -= 1; yMax += 1; }
    const pad = (yMax - yMin) * 0.08;
    yMin -= pad; yMax += pad;
  }
  const px = (x: number) => ((x - s.xMin) / (s.xMax - s.xMin)) * width;
  const py = (y: number) => height - ((y - yMin) / (yMax - yMin)) * height;
  let path = '';
  let pen = false;
  const span = yMax - yMin;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i]!;
    const prev = ys[i - 1];
    // Break at non-finite values and at jumps across the whole view (a pole, not a steep line).
    if (!Number.isFinite(y) || (pen && prev !== undefined && Math.abs(y - prev) > 2 * span)) { pen = false; if (!Number.isFinite(y)) continue; }
    const Y = Math.max(-height, Math.min(2 * height, py(y)));
    path += `${pen ? 'L' : 'M'}${px(xs[i]!).toFixed(1)} ${Y.toFixed(1)}`;
    pen = true;
  }
  return {
    path, yMin, yMax,
    xTicks: ticks(s.xMin, s.xMax).map((v) => ({ value: v, pos: px(v), label: label(v) })),
    yTicks: ticks(yMin, yMax).map((v) => ({ value: v, pos: py(v), label: label(v) })),
    xAxisY: yMin <= 0 && yMax >= 0 ? py(0) : null,
    yAxisX: s.xMin <= 0 && s.xMax >= 0 ? px(0) : null,
    finite: finite.length,
  };
}

/** About 5–10 ticks at 1, 2 or 5 × 10ⁿ. */
export function ticks(lo: number, hi: number, target = 6): number[] {
  const raw = (hi - lo) / target;
  if (!(raw > 0) || !Number.isFinite(raw)) return [];
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((v) => v >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

function label(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(6)));
}
