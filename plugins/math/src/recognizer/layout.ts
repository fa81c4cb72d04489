/**
 * The 2-D layout parser: recognised symbols (class + box) → an expression {@link Node} tree.
 * Fraction bars claim what lies above and below them, radicals what lies under them (largest
 * first, so nesting works), then each row is read left to right along a baseline: a smaller
 * symbol raised above it starts an exponent, `x` between two numbers is `×`.
 */
import { isDigit, type Glyph } from './classes.ts';
import { heightOf, union, widthOf, type Box } from './ink.ts';
import { sym, type Node } from './tree.ts';

export interface LayoutSymbol { glyph: Glyph; box: Box }

type Unit =
  | { kind: 'sym'; glyph: Glyph; box: Box }
  | { kind: 'frac'; box: Box; barY: number; num: Unit[]; den: Unit[] }
  | { kind: 'sqrt'; box: Box; body: Unit[] };

const cx = (b: Box) => (b.x0 + b.x1) / 2;
const cy = (b: Box) => (b.y0 + b.y1) / 2;
const OPERATORS = new Set<Glyph>(['+', '-', '=', 'div']);

export function parseLayout(symbols: readonly LayoutSymbol[], ref: number): Node[] {
  const units: Unit[] = mergeEquals(symbols.map((s) => ({ kind: 'sym', glyph: s.glyph, box: s.box })), ref);
  return readRow(structure(units, ref), ref);
}

/** Two short lines stacked closely that segmentation left apart are one `=`. */
function mergeEquals(units: Unit[], ref: number): Unit[] {
  const out = [...units];
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = out[i]!, b = out[j]!;
      if (a.kind !== 'sym' || b.kind !== 'sym' || a.glyph !== '-' || b.glyph !== '-') continue;
      const overlap = Math.min(a.box.x1, b.box.x1) - Math.max(a.box.x0, b.box.x0);
      const gap = Math.abs(cy(a.box) - cy(b.box));
      if (overlap > 0.6 * Math.min(widthOf(a.box), widthOf(b.box)) && gap < 0.55 * ref
        && Math.max(widthOf(a.box), widthOf(b.box)) < 1.6 * Math.min(widthOf(a.box), widthOf(b.box))) {
        out[i] = { kind: 'sym', glyph: '=', box: union(a.box, b.box) };
        out.splice(j, 1);
        break;
      }
    }
  }
  return out;
}

/** Builds fractions and radicals (outermost first) from a flat unit list. */
function structure(units: Unit[], ref: number): Unit[] {
  let rest = [...units];
  // Fraction bars, widest first: the main bar of a nested fraction owns the inner ones.
  const bars = rest.filter((u): u is Extract<Unit, { kind: 'sym' }> => u.kind === 'sym' && u.glyph === '-')
    .sort((a, b) => widthOf(b.box) - widthOf(a.box));
  for (const bar of bars) {
    if (!rest.includes(bar)) continue;
    const w = widthOf(bar.box), y = cy(bar.box);
    // Mostly over the bar: a symbol just before or after it (an `=`, a `+`) is not part of it.
    const inSpan = (u: Unit) => {
      if (u === bar || Math.abs(cy(u.box) - y) >= 3 * ref) return false;
      const overlap = Math.min(u.box.x1, bar.box.x1) - Math.max(u.box.x0, bar.box.x0);
      return overlap >= 0.5 * Math.max(widthOf(u.box), 1e-9 * ref) && cx(u.box) > bar.box.x0 - 0.05 * w && cx(u.box) < bar.box.x1 + 0.05 * w;
    };
    const above = rest.filter((u) => inSpan(u) && u.box.y1 <= y + 0.15 * ref && cy(u.box) < y);
    const below = rest.filter((u) => inSpan(u) && u.box.y0 >= y - 0.15 * ref && cy(u.box) > y);
    if (!above.length || !below.length) continue;
    // A bar narrower than what it would hold is a minus sign between stacked things.
    const held = [...above, ...below].reduce((b, u) => union(b, u.box), bar.box);
    if (w < 0.55 * widthOf(held)) continue;
    const box = held;
    rest = rest.filter((u) => u !== bar && !above.includes(u) && !below.includes(u));
    rest.push({ kind: 'frac', box, barY: y, num: structure(above, ref), den: structure(below, ref) });
  }
  // Radicals, largest first.
  const roots = rest.filter((u): u is Extract<Unit, { kind: 'sym' }> => u.kind === 'sym' && u.glyph === 'sqrt')
    .sort((a, b) => widthOf(b.box) * heightOf(b.box) - widthOf(a.box) * heightOf(a.box));
  for (const root of roots) {
    if (!rest.includes(root)) continue;
    const b = root.box, h = heightOf(b);
    const hook = Math.min(0.45 * h, 0.5 * widthOf(b));
    // Under the overline: starts after the hook, ends before the overline does, below its top.
    const inside = rest.filter((u) => u !== root && cx(u.box) > b.x0 + hook * 0.6 && u.box.x1 < b.x1 + 0.15 * h
      && cy(u.box) > b.y0 && cy(u.box) < b.y1 + 0.1 * h);
    rest = rest.filter((u) => u !== root && !inside.includes(u));
    rest.push({ kind: 'sqrt', box: inside.reduce((acc, u) => union(acc, u.box), b), body: structure(inside, ref) });
  }
  return rest.sort((a, b) => a.box.x0 - b.box.x0);
}

/** Where the unit says the baseline is and how tall the line is, if it sits on the line. */
function lineEstimate(u: Unit): { baseline: number; height: number } | null {
  const h = heightOf(u.box);
  if (u.kind === 'frac' || u.kind === 'sqrt') return null;
  const g = u.glyph;
  if (isDigit(g)) return { baseline: u.box.y1, height: h };
  if (g === 'x') return { baseline: u.box.y1, height: h / 0.6 };
  if (g === 'y') return { baseline: u.box.y0 + 0.6 * h, height: h };
  if (g === 'pi') return { baseline: u.box.y1, height: h / 0.65 };
  if (g === '(' || g === ')') return { baseline: u.box.y1 - 0.1 * h / 1.2, height: h / 1.2 };
  return null;
}

/** Vertical middle of a unit relative to the line (what "raised" is measured on). */
function midline(u: Unit, line: { baseline: number; height: number }): number {
  if (u.kind === 'frac') return u.barY;
  if (u.kind === 'sqrt') return u.box.y1 - 0.5 * line.height;
  return cy(u.box);
}

function isRaised(u: Unit, line: { baseline: number; height: number }): boolean {
  const H = line.height;
  if (u.kind === 'sym' && OPERATORS.has(u.glyph)) {
    // Operators sit at mid-line; raised only when clearly above it.
    return cy(u.box) < line.baseline - 0.95 * H && heightOf(u.box) < 0.8 * H;
  }
  // A variable x sits on the baseline and × floats just above it; an exponent x is well above.
  if (u.kind === 'sym' && u.glyph === 'x') return u.box.y1 < line.baseline - 0.33 * H && heightOf(u.box) < 0.75 * H;
  if (u.kind === 'sym' && u.glyph === '.') return u.box.y1 < line.baseline - 0.5 * H;
  if (u.kind === 'sym' && u.glyph === 'y') return u.box.y0 + 0.6 * heightOf(u.box) < line.baseline - 0.4 * H;
  return u.box.y1 < line.baseline - 0.38 * H && heightOf(u.box) < 0.9 * H && midline(u, line) < line.baseline - 0.55 * H;
}

const canCarryExponent = (n: Node | undefined): boolean =>
  !!n && (n.kind !== 'sym' || isDigit(n.value) || ['x', 'y', ')', '\\pi'].includes(n.value));

function readRow(units: Unit[], ref: number): Node[] {
  const out: Node[] = [];
  const geo: Unit[] = []; // the unit behind each out[] entry (for × vs x)
  let line: { baseline: number; height: number } | null = null;
  let i = 0;
  while (i < units.length) {
    const u = units[i]!;
    if (!line) {
      line = lineEstimate(u) ?? { baseline: midline(u, { baseline: 0, height: ref }) + 0.5 * ref, height: ref };
    }
    if (out.length && canCarryExponent(out[out.length - 1]) && isRaised(u, line)) {
      const group: Unit[] = [];
      while (i < units.length && isRaised(units[i]!, line)) group.push(units[i++]!);
      const base = out.pop()!;
      out.push({ kind: 'sup', base, exp: readRow(group, ref) });
      continue;
    }
    out.push(toNode(u, ref));
    geo.push(u);
    const est = lineEstimate(u);
    if (est) line = { baseline: est.baseline, height: 0.5 * line.height + 0.5 * est.height };
    i++;
  }
  return crosses(out, geo);
}

function toNode(u: Unit, ref: number): Node {
  switch (u.kind) {
    case 'frac': return { kind: 'frac', num: readRow(u.num, ref), den: readRow(u.den, ref) };
    case 'sqrt': return { kind: 'sqrt', body: readRow(u.body, ref) };
    case 'sym': return sym(u.glyph === 'div' ? '\\div' : u.glyph === 'pi' ? '\\pi' : u.glyph === 'sqrt' ? '\\sqrt{}' : u.glyph);
  }
}

/** A fraction, root or power ends like a number; so do digits, `)` and π. */
const endsNumber = (n: Node | undefined): boolean => !!n && (n.kind !== 'sym' || isDigit(n.value) || n.value === ')' || n.value === '\\pi');
const startsNumber = (n: Node | undefined): boolean => !!n && (n.kind === 'frac' || n.kind === 'sqrt' || (n.kind === 'sym' && (isDigit(n.value) || n.value === '(' || n.value === '\\pi')) || (n.kind === 'sup' && startsNumber(n.base)));

/** `x` between two numbers is multiplication: `3×4`, `2×(1+3)`; otherwise the variable. */
function crosses(row: Node[], _geo: Unit[]): Node[] {
  return row.map((n, k) => (n.kind === 'sym' && n.value === 'x' && endsNumber(row[k - 1]) && startsNumber(row[k + 1]) ? sym('\\times') : n));
}
