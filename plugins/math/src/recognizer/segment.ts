/**
 * Segmentation: which consecutive strokes form one symbol. A dynamic programme over the strokes
 * in drawing order, each candidate group (up to {@link MAX_GROUP} strokes that lie close together)
 * scored by the classifier (its `junk` class flags groups that span two symbols), plus a cost per
 * symbol (prefers one `+` over `1` and `-`) and a cost for separating strokes that cross (strokes
 * of two symbols rarely do).
 */
import { CLASSES, type Glyph } from './classes.ts';
import { boxOf, heightOf, strokeDistance, widthOf, type Box, type Stroke } from './ink.ts';
import type { Classifier } from './model.ts';
import { encodeGroup, FEATURES, SIZE } from './raster.ts';

export const MAX_GROUP = 4;
/** Strokes of one symbol lie within this share of the reference size of each other. */
const LINK = 0.6;
const SYMBOL_COST = 1.0;
const CROSS_SPLIT_COST = 3.0;
/** Strokes closer than this share of the reference size touch. */
const TOUCH = 0.08;
/** Per reference size of gap, for grouping strokes that do not touch into one symbol. */
const GAP_COST = 8;
const MAX_GAP_COST = 4;
/** Symbols made of parts that never touch. */
const DETACHED = new Set<string>(['=', 'div']);
/** A stroke this small (share of the reference size) is a dot; only ÷ has dots among its parts. */
const DOT = 0.2;
const DOT_IN_GROUP_COST = 4;
/**
 * How many strokes people use for each symbol at most (a 4 or a 7 with its bar in two, π in three,
 * ÷ in three; a radical in one). A group with more is two symbols, however it looks.
 */
const MAX_STROKES: Partial<Record<Glyph, number>> = { '-': 1, '(': 1, ')': 1, '.': 1, '0': 1, '6': 2, sqrt: 1, pi: 3, div: 3 };
const DEFAULT_MAX_STROKES = 2;
const TOO_MANY_STROKES_COST = 5;
/** π has a bar: a stroke at least this much wider than tall, spanning most of the group. */
const NO_BAR_COST = 3;
const JUNK = CLASSES.indexOf('junk');

export interface Segment {
  /** Indices into the stroke list, consecutive. */
  strokes: number[];
  glyph: Glyph;
  /** Probability of {@link Segment.glyph}. */
  p: number;
  /** Class probabilities, in CLASSES order. */
  probs: Float32Array;
  box: Box;
}

/** Candidate groups `[i, j)`: consecutive strokes whose single-link distance stays under LINK·ref. */
export function candidateGroups(strokes: readonly Stroke[], ref: number, dist = distances(strokes)): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < strokes.length; i++) {
    out.push([i, i + 1]);
    for (let j = i + 2; j <= Math.min(strokes.length, i + MAX_GROUP); j++) {
      if (!connected(i, j, dist, ref)) continue;
      out.push([i, j]);
    }
  }
  return out;
}

/**
 * Distances between strokes up to MAX_GROUP apart in drawing order. Pairs whose boxes are further
 * apart than `far` get the box distance (a lower bound): past that, only "far" matters.
 */
export function distances(strokes: readonly Stroke[], far = Infinity): number[][] {
  const n = strokes.length;
  const boxes = strokes.map((s) => boxOf([s]));
  const d: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < Math.min(n, i + MAX_GROUP); j++) {
      const a = boxes[i]!, b = boxes[j]!;
      const gap = Math.hypot(Math.max(0, a.x0 - b.x1, b.x0 - a.x1), Math.max(0, a.y0 - b.y1, b.y0 - a.y1));
      d[i]![j] = d[j]![i] = gap > far ? gap : strokeDistance(strokes[i]!, strokes[j]!);
    }
  }
  return d;
}

function connected(i: number, j: number, dist: number[][], ref: number): boolean {
  const seen = new Set([i]);
  const todo = [i];
  while (todo.length) {
    const a = todo.pop()!;
    for (let b = i; b < j; b++) {
      if (!seen.has(b) && dist[a]![b]! <= LINK * ref) { seen.add(b); todo.push(b); }
    }
  }
  return seen.size === j - i;
}

/**
 * The widest gap inside a group: the largest link of its single-link tree (0 when every stroke
 * touches another).
 */
function internalGap(i: number, j: number, dist: number[][]): number {
  const inTree = new Set([i]);
  let widest = 0;
  while (inTree.size < j - i) {
    let best = Infinity, next = -1;
    for (const a of inTree) for (let b = i; b < j; b++) if (!inTree.has(b) && dist[a]![b]! < best) { best = dist[a]![b]!; next = b; }
    inTree.add(next);
    widest = Math.max(widest, best);
  }
  return widest;
}

/**
 * Best class and the cost of calling the group one symbol: the classifier's surprise, a cost per
 * symbol, and for parts that do not touch a cost growing with the gap — except for `=` and `÷`,
 * whose parts never touch. (A dot beside a 6 is a decimal point, not part of the 6.)
 */
interface GroupShape { gap: number; hasDot: boolean; strokes: number; hasBar: boolean }

function scoreGroup(probs: Float32Array, g: GroupShape): { glyph: Glyph; p: number; cost: number } {
  const detachedCost = (g.gap > TOUCH ? Math.min(MAX_GAP_COST, GAP_COST * (g.gap - TOUCH)) : 0) + (g.hasDot ? DOT_IN_GROUP_COST : 0);
  let best = -1, p = 0, cost = Infinity;
  for (let c = 0; c < probs.length; c++) {
    if (c === JUNK) continue;
    const q = probs[c]!;
    const glyph = CLASSES[c] as Glyph;
    const k = -Math.log(Math.max(q, 1e-6)) + (DETACHED.has(glyph) ? 0 : detachedCost)
      + (g.strokes > (MAX_STROKES[glyph] ?? DEFAULT_MAX_STROKES) ? TOO_MANY_STROKES_COST : 0)
      + (glyph === 'pi' && !g.hasBar ? NO_BAR_COST : 0);
    if (k < cost) { cost = k; best = c; p = q; }
  }
  return { glyph: CLASSES[best] as Glyph, p, cost: cost + SYMBOL_COST };
}

export function segment(strokes: readonly Stroke[], ref: number, model: Classifier): Segment[] {
  const n = strokes.length;
  if (n === 0) return [];
  const dist = distances(strokes, LINK * ref);
  const boxes = strokes.map((st) => boxOf([st]));
  const input = new Float32Array(SIZE * SIZE + FEATURES);
  const scored = new Map<number, { glyph: Glyph; p: number; cost: number; probs: Float32Array }>();
  for (const [i, j] of candidateGroups(strokes, ref, dist)) {
    encodeGroup(strokes.slice(i, j), ref, input);
    const probs = model.classify(input);
    const group = boxes.slice(i, j);
    const span = widthOf(group.reduce((a, b) => ({ x0: Math.min(a.x0, b.x0), y0: 0, x1: Math.max(a.x1, b.x1), y1: 0 })));
    const shape: GroupShape = {
      gap: j - i > 1 ? internalGap(i, j, dist) / ref : 0,
      hasDot: j - i > 1 && group.some((b) => boxSize(b) < DOT * ref),
      strokes: j - i,
      hasBar: group.some((b) => widthOf(b) >= 1.2 * heightOf(b) && widthOf(b) >= 0.6 * span),
    };
    scored.set(i * 64 + j, { ...scoreGroup(probs, shape), probs });
  }
  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(-1);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    for (let i = Math.max(0, j - MAX_GROUP); i < j; i++) {
      const s = scored.get(i * 64 + j);
      if (!s || best[i] === Infinity) continue;
      // Separating stroke i-1 from stroke i when they cross costs extra.
      const split = i > 0 && dist[i - 1]![i] === 0 ? CROSS_SPLIT_COST : 0;
      const c = best[i]! + s.cost + split;
      if (c < best[j]!) { best[j] = c; from[j] = i; }
    }
  }
  const out: Segment[] = [];
  for (let j = n; j > 0; j = from[j]!) {
    const i = from[j]!;
    const s = scored.get(i * 64 + j)!;
    const idx = Array.from({ length: j - i }, (_, k) => i + k);
    out.push({ strokes: idx, glyph: s.glyph, p: s.p, probs: s.probs, box: boxOf(idx.map((k) => strokes[k]!)) });
  }
  return out.reverse();
}

export const boxSize = (b: Box): number => Math.max(widthOf(b), heightOf(b));
