/**
 * The held-out test set, made differently from the training data (plugins/math/training):
 * - glyphs: Hershey families the training never sees (`rowmans`, `cursive`, Greek `greeks`) and,
 *   for × ÷ √ and bars, a plain geometric pen — none of the training's handwriting templates;
 * - distortion B: a smooth 2-D elastic field over the whole line (not per stroke), a wavy
 *   baseline, a consistent per-writer slant, pen-down hooks at stroke starts, speed-dependent
 *   sampling (dense in curves, sparse on straights) and coarser noise;
 * - tighter, more irregular spacing.
 * The 2-D layout (where a fraction's parts or an exponent go) is shared with the generator.
 */
import { hersheySource } from '../../plugins/math/training/hershey.ts';
import {
  densify, gauss, uniform, type GlyphSource, type Placed, type Rng, type Spacing, type Style,
} from '../../plugins/math/training/synth.ts';
import type { P } from '../../plugins/math/training/templates.ts';

export const HELDOUT_FONTS = ['rowmans', 'cursive'];
export const HELDOUT_GREEK = ['greeks'];

/** × ÷ √, bars: straight pen lines, proportions unlike the training templates. */
const geometric: GlyphSource = (p: Placed, r: Rng): P[][] => {
  switch (p.value) {
    case '\\times': return [[[0, 0], [1, 1]], [[0.05, 1], [0.95, 0]]];
    case '\\div': return r() < 0.5
      ? [[[0, 0.5], [1, 0.5]], [[0.5, 0.1], [0.5, 0.14]], [[0.5, 0.86], [0.5, 0.9]]]
      : [[[0.47, 0.08], [0.53, 0.12]], [[0, 0.5], [1, 0.5]], [[0.47, 0.88], [0.53, 0.92]]];
    case '\\sqrt': {
      const w = Math.max(1.2, (p.x1 - p.x0) / Math.max(1e-6, p.y1 - p.y0));
      return [[[0, 0.62], [0.3 / w, 1], [0.55 / w, 0], [1, 0]]];
    }
    default: return [[[0, 0.5], [1, 0.5]]];
  }
};

const fontOrPen = (() => {
  let src: GlyphSource | null = null;
  return (): GlyphSource => (src ??= hersheySource(HELDOUT_FONTS, HELDOUT_GREEK, geometric));
})();

export const heldoutGlyphs: GlyphSource = (p, r) => fontOrPen()(p, r);

export const SPACING_B: Spacing = { gap: [0.05, 0.22], opGap: [0.1, 0.35], supScale: [0.55, 0.8], supRaise: [0.4, 0.7], jitterY: 0.08 };

/** Per-expression writer: elastic field and baseline wave, shared by every symbol of the line. */
function writer(r: Rng) {
  const waves = Array.from({ length: 3 }, () => ({ kx: uniform(r, 0.5, 2.5), ky: uniform(r, 0.5, 2.5), ph: uniform(r, 0, 6.28), a: uniform(r, 0.01, 0.035) }));
  const wave = { f: uniform(r, 0.05, 0.2), a: uniform(r, 0, 0.08), ph: uniform(r, 0, 6.28) };
  return (x: number, y: number): P => {
    let dx = 0, dy = 0;
    for (const w of waves) { dx += w.a * Math.sin(w.kx * x + w.ph); dy += w.a * Math.cos(w.ky * y + w.ph + x * 0.3); }
    return [x + dx, y + dy + wave.a * Math.sin(wave.f * 6.28 * x + wave.ph)];
  };
}

let current: { key: number; field: (x: number, y: number) => P } | null = null;

export function distortB(strokes: P[][], p: Placed, h: number, r: Rng, slant: number): P[][] {
  // The slant value is drawn per expression: use it to know when a new writer starts.
  if (!current || current.key !== slant) current = { key: slant, field: writer(r) };
  const field = current.field;
  const cx = (p.x0 + p.x1) / 2, by = p.y1;
  const scale = uniform(r, 0.9, 1.1);
  return strokes.map((st) => {
    let pts = st.map(([x, y]) => {
      const u = cx + (x - cx) * scale - slant * (y - by), v = by + (y - by) * scale;
      return field(u, v);
    });
    // A pen-down hook: the first few points curl in from a random direction.
    if (pts.length > 3 && r() < 0.4) {
      const a = uniform(r, 0, 6.28), len = h * uniform(r, 0.02, 0.06);
      const [x0, y0] = pts[0]!;
      pts = [[x0 + len * Math.cos(a), y0 + len * Math.sin(a)], ...pts];
    }
    return speedSample(densify(pts, 0.01 * h), h, r).map(([x, y]) => [x + 0.007 * h * gauss(r), y + 0.007 * h * gauss(r)] as P);
  });
}

/** Keeps points more densely where the path turns (a pen slows in curves), sparsely on straights. */
function speedSample(s: P[], h: number, r: Rng): P[] {
  if (s.length < 3) return s;
  const out: P[] = [s[0]!];
  let acc = 0;
  const base = h * uniform(r, 0.03, 0.07);
  for (let i = 1; i < s.length - 1; i++) {
    const a = s[i - 1]!, b = s[i]!, c = s[i + 1]!;
    const turn = Math.abs(Math.atan2(c[1] - b[1], c[0] - b[0]) - Math.atan2(b[1] - a[1], b[0] - a[0]));
    const t = Math.min(turn, 2 * Math.PI - turn);
    acc += Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (acc >= base / (1 + 6 * t)) { out.push(b); acc = 0; }
  }
  out.push(s[s.length - 1]!);
  return out;
}

export const heldoutStyle = (): Style => ({ glyph: heldoutGlyphs, distort: distortB, spacing: SPACING_B, slant: [0.05, 0.35] });
