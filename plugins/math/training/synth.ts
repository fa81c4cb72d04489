/**
 * Synthetic handwritten expressions: a random expression tree, laid out in 2-D like handwriting
 * (fractions stacked, exponents raised and smaller, radicals over their radicand), each symbol
 * drawn from a glyph source and distorted. The training set uses {@link styleA}; bench/math makes
 * its held-out set with other glyph sources and another distortion model through the same layout.
 */
import { sym, symbolCount, toLatex, type Node } from '../src/recognizer/tree.ts';
import type { Glyph } from '../src/recognizer/classes.ts';
import { sqrtTemplate, smooth, TEMPLATES, type P } from './templates.ts';

export type Rng = () => number;

/** Mulberry32: small, seedable, good enough for data generation. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const uniform = (r: Rng, a: number, b: number) => a + (b - a) * r();
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export function gauss(r: Rng): number {
  const u = Math.max(r(), 1e-12), v = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

// ---- random expressions -------------------------------------------------------------------------

const digit = (r: Rng, nonZero = false) => sym(String(nonZero ? 1 + Math.floor(r() * 9) : Math.floor(r() * 10)));

function number(r: Rng): Node[] {
  const k = r();
  if (k < 0.5) return [digit(r)];
  if (k < 0.8) return [digit(r, true), digit(r)];
  if (k < 0.9) return [digit(r, true), digit(r), digit(r)];
  return [digit(r), sym('.'), digit(r)];
}

function atom(r: Rng, depth: number): Node[] {
  const k = r();
  if (k < 0.32) return number(r);
  if (k < 0.44) return [sym('x')];
  if (k < 0.56) return [...number(r).slice(0, 1), sym('x')];
  if (k < 0.6) return [sym('y')];
  if (k < 0.66) return r() < 0.5 ? [sym('\\pi')] : [digit(r, true), sym('\\pi')];
  if (depth > 1) return number(r);
  if (k < 0.74) return [{ kind: 'frac', num: sum(r, depth + 1, 2), den: sum(r, depth + 1, 2) }];
  if (k < 0.8) return [{ kind: 'sqrt', body: sum(r, depth + 1, 2) }];
  if (k < 0.86) return [sym('('), ...sum(r, depth + 1, 3), sym(')')];
  // A power: base^{exp}
  const base = pick(r, [digit(r), sym('x'), sym('x'), sym('y')]);
  const exp = r() < 0.7 ? [digit(r)] : r() < 0.5 ? [sym('x')] : [digit(r, true), digit(r)];
  const pre = base.kind === 'sym' && base.value === 'x' && r() < 0.4 ? [digit(r, true)] : [];
  return [...pre, { kind: 'sup', base, exp }];
}

function isNumeric(row: Node[]): boolean {
  return row.every((n) => n.kind === 'sym' && /^[0-9.]$/.test(n.value));
}

function sum(r: Rng, depth: number, maxTerms: number): Node[] {
  const terms = 1 + Math.floor(r() * maxTerms);
  let out = atom(r, depth);
  for (let t = 1; t < terms; t++) {
    const next = atom(r, depth);
    const op = isNumeric(out.slice(-1)) && isNumeric(next.slice(0, 1)) && r() < 0.35
      ? '\\times' : pick(r, ['+', '+', '-', '-', '\\div']);
    out = [...out, sym(op), ...next];
  }
  return out;
}

/** A random expression of at most `maxSymbols` drawn symbols. */
export function randomExpression(r: Rng, maxSymbols: number): Node[] {
  for (;;) {
    const k = r();
    let row: Node[];
    if (k < 0.2) row = [...sum(r, 0, 3), sym('='), ...sum(r, 1, 2)];
    else if (k < 0.3) row = [sym('y'), sym('='), ...sum(r, 0, 3)];
    else if (k < 0.38) row = [sym('-'), ...sum(r, 0, 3)];
    else row = sum(r, 0, 4);
    const n = symbolCount(row);
    if (n <= maxSymbols && n >= 1) return row;
  }
}

// ---- layout ---------------------------------------------------------------------------------------

/** A placed symbol: its class, the LaTeX symbol, its target box (line units, y down). */
export interface Placed { glyph: Glyph; value: string; x0: number; y0: number; x1: number; y1: number; /** line height it was laid at */ lh: number }

/** Vertical extent on a line of height 1 (top, bottom; baseline at 1) and width, per glyph. */
const METRICS: Record<string, [number, number, number]> = {
  '0': [0, 1, 0.6], '1': [0, 1, 0.3], '2': [0, 1, 0.6], '3': [0, 1, 0.58], '4': [0, 1, 0.62], '5': [0, 1, 0.58],
  '6': [0, 1, 0.58], '7': [0, 1, 0.58], '8': [0, 1, 0.58], '9': [0, 1, 0.58],
  x: [0.4, 1, 0.55], '\\times': [0.35, 0.85, 0.45], y: [0.4, 1.4, 0.55], '+': [0.3, 0.9, 0.6], '-': [0.6, 0.6, 0.55],
  '=': [0.45, 0.75, 0.6], '\\div': [0.25, 0.95, 0.6], '(': [-0.1, 1.1, 0.28], ')': [-0.1, 1.1, 0.28],
  '.': [0.9, 1, 0.1], '\\pi': [0.35, 1, 0.7],
};

export const GLYPH_OF: Record<string, Glyph> = {
  '\\times': 'x', '\\div': 'div', '\\pi': 'pi', '.': '.', '\\frac': '-', '\\sqrt': 'sqrt',
};
export const glyphOf = (value: string): Glyph => GLYPH_OF[value] ?? (value as Glyph);

export interface Spacing { gap: [number, number]; opGap: [number, number]; supScale: [number, number]; supRaise: [number, number]; jitterY: number }
export const SPACING_A: Spacing = { gap: [0.08, 0.32], opGap: [0.15, 0.45], supScale: [0.5, 0.75], supRaise: [0.45, 0.8], jitterY: 0.06 };

interface Laid { symbols: Placed[]; width: number; top: number; bottom: number }

/** Lays a row out from x = 0 with its baseline at `baseline` and line height `h`. */
export function layoutRow(row: readonly Node[], baseline: number, h: number, r: Rng, sp: Spacing): Laid {
  const symbols: Placed[] = [];
  let x = 0, top = baseline - h, bottom = baseline;
  const add = (laid: Laid, dx: number) => {
    for (const s of laid.symbols) symbols.push({ ...s, x0: s.x0 + dx, x1: s.x1 + dx });
    top = Math.min(top, laid.top); bottom = Math.max(bottom, laid.bottom);
  };
  for (let k = 0; k < row.length; k++) {
    const node = row[k]!;
    const isOp = node.kind === 'sym' && ['+', '-', '=', '\\times', '\\div'].includes(node.value);
    const prevOp = k > 0 && row[k - 1]!.kind === 'sym' && ['+', '-', '=', '\\times', '\\div'].includes((row[k - 1] as { value: string }).value);
    if (k > 0) x += h * uniform(r, ...(isOp || prevOp ? sp.opGap : sp.gap));
    const laid = layoutNode(node, baseline + h * sp.jitterY * gauss(r) * 0.5, h, r, sp);
    add(laid, x);
    x += laid.width;
  }
  return { symbols, width: x, top, bottom };
}

function layoutNode(node: Node, baseline: number, h: number, r: Rng, sp: Spacing): Laid {
  switch (node.kind) {
    case 'sym': {
      const [t, b, w] = METRICS[node.value]!;
      const width = Math.max(w * h * uniform(r, 0.85, 1.15), 0.04 * h);
      const y0 = baseline - h + t * h, y1 = baseline - h + b * h;
      return { symbols: [{ glyph: glyphOf(node.value), value: node.value, x0: 0, y0, x1: width, y1, lh: h }], width, top: y0, bottom: y1 };
    }
    case 'frac': {
      const s = uniform(r, 0.75, 1);
      const axis = baseline - h * uniform(r, 0.4, 0.6);
      const gapV = h * uniform(r, 0.12, 0.3);
      const num = layoutRow(node.num, 0, h * s, r, sp);
      const den = layoutRow(node.den, 0, h * s, r, sp);
      const over = h * uniform(r, 0.05, 0.3);
      const width = Math.max(num.width, den.width) + 2 * over;
      const numDy = axis - gapV - num.bottom, denDy = axis + gapV - den.top;
      const numDx = (width - num.width) / 2 + h * 0.1 * gauss(r), denDx = (width - den.width) / 2 + h * 0.1 * gauss(r);
      const bar: Placed = { glyph: '-', value: '\\frac', x0: 0, y0: axis, x1: width, y1: axis, lh: h };
      const shift = (l: Laid, dx: number, dy: number) => l.symbols.map((p) => ({ ...p, x0: p.x0 + dx, x1: p.x1 + dx, y0: p.y0 + dy, y1: p.y1 + dy }));
      // Writing order: numerator, bar, denominator (sometimes the bar first).
      const parts = r() < 0.8 ? [...shift(num, numDx, numDy), bar, ...shift(den, denDx, denDy)] : [bar, ...shift(num, numDx, numDy), ...shift(den, denDx, denDy)];
      return { symbols: parts, width, top: num.top + numDy, bottom: den.bottom + denDy };
    }
    case 'sqrt': {
      const body = layoutRow(node.body, baseline, h, r, sp);
      const hook = h * uniform(r, 0.4, 0.6);
      const top = body.top - h * uniform(r, 0.08, 0.25);
      const bottom = baseline + h * uniform(r, 0.0, 0.15);
      const tail = h * uniform(r, 0.0, 0.25);
      const sign: Placed = { glyph: 'sqrt', value: '\\sqrt', x0: 0, y0: top, x1: hook + body.width + tail, y1: bottom, lh: h };
      const inner = body.symbols.map((p) => ({ ...p, x0: p.x0 + hook + h * 0.08, x1: p.x1 + hook + h * 0.08 }));
      return { symbols: [sign, ...inner], width: hook + body.width + tail, top, bottom: Math.max(bottom, body.bottom) };
    }
    case 'sup': {
      const base = layoutNode(node.base, baseline, h, r, sp);
      const s = uniform(r, ...sp.supScale);
      const exp = layoutRow(node.exp, 0, h * s, r, sp);
      const raise = uniform(r, ...sp.supRaise);
      const dy = baseline - h * raise - exp.bottom;
      const dx = base.width + h * uniform(r, 0.0, 0.15);
      const symbols = [...base.symbols, ...exp.symbols.map((p) => ({ ...p, x0: p.x0 + dx, x1: p.x1 + dx, y0: p.y0 + dy, y1: p.y1 + dy }))];
      return { symbols, width: dx + exp.width, top: Math.min(base.top, exp.top + dy), bottom: base.bottom };
    }
  }
}

// ---- drawing ----------------------------------------------------------------------------------------

/** Strokes for one symbol in a unit box (writing order), before placement. */
export type GlyphSource = (p: Placed, r: Rng) => P[][];

/** Style A glyphs: the handwriting templates. */
export const templateSource: GlyphSource = (p, r) => {
  if (p.glyph === 'sqrt') {
    const t = sqrtTemplate(Math.floor(r() * 2), Math.max(0.2, (p.x1 - p.x0) / Math.max(1e-6, p.y1 - p.y0) - 0.45));
    return t.strokes.map((s) => s.map((q) => [q[0], q[1]] as P));
  }
  const forms = TEMPLATES[p.value === '\\times' ? 'x' : p.glyph]!;
  const form = pick(r, forms);
  const strokes = form.strokes.map((s, i) => (form.smooth[i] ? smooth(s) : densify(s)));
  // Multi-stroke symbols are not always written in the same order.
  if (strokes.length > 1 && r() < 0.25) strokes.reverse();
  return strokes;
};

/** Adds points along straight segments so distortion bends them. */
export function densify(s: P[], step = 0.08): P[] {
  if (s.length === 1) return [s[0]!];
  const out: P[] = [s[0]!];
  for (let i = 1; i < s.length; i++) {
    const a = s[i - 1]!, b = s[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / step));
    for (let k = 1; k <= n; k++) out.push([a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n]);
  }
  return out;
}

/** Maps strokes (any coordinates) onto the placed box: bbox to box, a degenerate axis centred. */
export function place(strokes: P[][], p: Placed): P[][] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const s of strokes) for (const [x, y] of s) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  const bw = p.x1 - p.x0, bh = p.y1 - p.y0;
  // A degenerate side (a line's height, a 1's width) keeps the glyph's own aspect.
  let sx = x1 - x0 > 1e-6 && bw > 1e-6 ? bw / (x1 - x0) : 0;
  let sy = y1 - y0 > 1e-6 && bh > 1e-6 ? bh / (y1 - y0) : 0;
  if (!sx) sx = sy || 1;
  if (!sy) sy = sx;
  const mx = (x0 + x1) / 2, my = (y0 + y1) / 2, tx = (p.x0 + p.x1) / 2, ty = (p.y0 + p.y1) / 2;
  return strokes.map((s) => s.map(([x, y]) => [tx + (x - mx) * sx, ty + (y - my) * sy] as P));
}

/** Distortion model A: per-symbol affine, low-frequency wobble, resampling, noise. */
export function distortA(strokes: P[][], p: Placed, h: number, r: Rng, slant: number): P[][] {
  const cx0 = (p.x0 + p.x1) / 2, cy0 = (p.y0 + p.y1) / 2;
  const s = uniform(r, 0.88, 1.12), ax = s * uniform(r, 0.88, 1.14), ay = s;
  const rot = (uniform(r, -6, 6) * Math.PI) / 180, sh = slant + uniform(r, -0.08, 0.08);
  const dx = h * 0.03 * gauss(r), dy = h * 0.03 * gauss(r);
  const cos = Math.cos(rot), sin = Math.sin(rot);
  return strokes.map((st) => {
    const ox = h * 0.02 * gauss(r), oy = h * 0.02 * gauss(r);
    const amp = h * uniform(r, 0.005, 0.03), f1 = uniform(r, 1, 3), ph = uniform(r, 0, 6.28), ph2 = uniform(r, 0, 6.28);
    const n = st.length;
    const moved = st.map(([x, y], i) => {
      let u = (x - cx0) * ax, v = (y - cy0) * ay;
      u -= sh * v;
      const ru = u * cos - v * sin, rv = u * sin + v * cos;
      const t = n > 1 ? i / (n - 1) : 0;
      return [cx0 + ru + dx + ox + amp * Math.sin(6.28 * f1 * t + ph), cy0 + rv + dy + oy + amp * Math.sin(6.28 * f1 * t + ph2)] as P;
    });
    return resample(moved, h * uniform(r, 0.02, 0.06)).map(([x, y]) => [x + h * 0.004 * gauss(r), y + h * 0.004 * gauss(r)] as P);
  });
}

/** Points every `step` along the polyline (a digitiser's even sampling). */
export function resample(s: P[], step: number): P[] {
  if (s.length < 2) return s;
  const out: P[] = [s[0]!];
  let carry = 0;
  for (let i = 1; i < s.length; i++) {
    const a = s[i - 1]!, b = s[i]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    let d = step - carry;
    while (d <= len) { const t = d / len; out.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]); d += step; }
    carry = len - (d - step);
  }
  const last = s[s.length - 1]!;
  const end = out[out.length - 1]!;
  if (end[0] !== last[0] || end[1] !== last[1]) out.push(last);
  return out;
}

export interface Sample {
  /** Strokes in drawing order, y down, any scale. */
  strokes: [number, number][][];
  latex: string;
  tree: Node[];
  /** Per drawn symbol: its glyph class and the indices of its strokes. */
  symbols: { glyph: Glyph; value: string; strokes: number[] }[];
}

export interface Style {
  glyph: GlyphSource;
  distort: (strokes: P[][], p: Placed, h: number, r: Rng, slant: number) => P[][];
  spacing: Spacing;
  slant: [number, number];
}

export function drawExpression(tree: Node[], r: Rng, style: Style): Sample {
  const h = 1;
  const laid = layoutRow(tree, 0, h, r, style.spacing);
  const slant = uniform(r, ...style.slant);
  const scale = uniform(r, 20, 160), ox = uniform(r, -500, 500), oy = uniform(r, -500, 500);
  const strokes: [number, number][][] = [];
  const symbols: Sample['symbols'] = [];
  for (const p of laid.symbols) {
    const raw = style.glyph(p, r);
    const drawn = style.distort(place(raw, p).map((st) => densify(st, 0.05 * p.lh)), p, p.lh, r, slant);
    const idx: number[] = [];
    for (const s of drawn) {
      if (!s.length) continue;
      idx.push(strokes.length);
      strokes.push(s.map(([x, y]) => [x * scale + ox, y * scale + oy]));
    }
    symbols.push({ glyph: p.glyph, value: p.value, strokes: idx });
  }
  return { strokes, latex: toLatex(tree), tree, symbols };
}
