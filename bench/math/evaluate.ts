/**
 * The Math recogniser bench: symbol accuracy and whole-expression exact match on held-out ink
 * (bench/math/heldout.ts, and browser-recorded ink in recorded.jsonl), recognition time for
 * 12-symbol expressions, and the same figures for a baseline in the same run (segmentation by
 * touching strokes instead of the classifier-scored search). Prints one JSON line.
 */
import fs from 'node:fs';
import { clean, referenceSize, strokeDistance, boxOf, type Stroke } from '../../plugins/math/src/recognizer/ink.ts';
import { parseLayout } from '../../plugins/math/src/recognizer/layout.ts';
import { defaultClassifier, recognize } from '../../plugins/math/src/recognizer/recognize.ts';
import { CLASSES, type Glyph } from '../../plugins/math/src/recognizer/classes.ts';
import { encodeGroup, FEATURES, SIZE } from '../../plugins/math/src/recognizer/raster.ts';
import { glyphSequence, symbolCount, toLatex, type Node } from '../../plugins/math/src/recognizer/tree.ts';
import { drawExpression, randomExpression, rng } from '../../plugins/math/training/synth.ts';
import { heldoutStyle } from './heldout.ts';

const args = process.argv.slice(2);
const opt = (n: string, d: string) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1]! : d; };
const N = Number(opt('--expressions', '400'));
// Seed 20261205 was the development held-out set: its errors were read while tuning the
// segmentation priors. The default is a seed nobody looked at before reporting.
const SEED = Number(opt('--seed', '7340033'));
const recordedFile = opt('--recorded', 'bench/math/recorded.jsonl');
const penFile = opt('--pen', 'bench/math/pen-tool.jsonl');
const verbose = args.includes('--verbose');

interface Case { strokes: number[][][]; latex: string; tree: Node[] }

/** Levenshtein distance between two token lists. */
function edits(a: string[], b: string[]): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
    d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** Symbols of a LaTeX string in reading order, via the card's own parser where possible. */
function tokens(tree: Node[]): string[] { return glyphSequence(tree); }

type Recognizer = (strokes: number[][][]) => Node[];
const full: Recognizer = (s) => recognize(s).tree;

/** Baseline: a symbol is a set of consecutive strokes that touch; the classifier names each. */
const baseline: Recognizer = (raw) => {
  const strokes: Stroke[] = clean(raw);
  if (!strokes.length) return [];
  const ref = referenceSize(strokes);
  const model = defaultClassifier();
  const groups: number[][] = [];
  for (let i = 0; i < strokes.length; i++) {
    const last = groups[groups.length - 1];
    if (last && strokeDistance(strokes[last[last.length - 1]!]!, strokes[i]!) <= 0.08 * ref) last.push(i); else groups.push([i]);
  }
  const input = new Float32Array(SIZE * SIZE + FEATURES);
  const symbols = groups.map((g) => {
    const ink = g.map((k) => strokes[k]!);
    encodeGroup(ink, ref, input);
    const p = model.classify(input);
    let best = 0;
    for (let c = 1; c < p.length - 1; c++) if (p[c]! > p[best]!) best = c;
    return { glyph: CLASSES[best] as Glyph, box: boxOf(ink) };
  });
  return parseLayout(symbols, ref);
};

function score(cases: Case[], rec: Recognizer, label: string) {
  let symbols = 0, wrong = 0, exact = 0;
  const misses: string[] = [];
  for (const c of cases) {
    const truth = tokens(c.tree);
    let got: Node[] = [];
    try { got = rec(c.strokes); } catch (e) { misses.push(`${c.latex} → threw ${String(e)}`); }
    const latex = toLatex(got);
    symbols += truth.length;
    wrong += Math.min(truth.length, edits(truth, tokens(got)));
    if (latex === c.latex) exact++; else misses.push(`${c.latex}  →  ${latex}`);
  }
  if (verbose) console.error(`--- ${label}: ${misses.length} misses\n${misses.slice(0, 60).join('\n')}`);
  return { expressions: cases.length, symbols, symbol_accuracy: round(1 - wrong / Math.max(1, symbols)), expression_exact: round(exact / Math.max(1, cases.length)) };
}
const round = (x: number) => Math.round(x * 10000) / 10000;

function synthetic(n: number, seed: number, maxSymbols: number, exactly?: number): Case[] {
  const r = rng(seed);
  const style = heldoutStyle();
  const out: Case[] = [];
  while (out.length < n) {
    const tree = randomExpression(r, maxSymbols);
    if (exactly !== undefined && symbolCount(tree) !== exactly) continue;
    const s = drawExpression(tree, r, style);
    out.push({ strokes: s.strokes, latex: s.latex, tree });
  }
  return out;
}

function recorded(): Case[] {
  if (!fs.existsSync(recordedFile)) return [];
  return fs.readFileSync(recordedFile, 'utf8').split('\n').filter(Boolean).map((line) => {
    const { strokes, latex, tree } = JSON.parse(line) as Case;
    if (toLatex(tree) !== latex) throw new Error(`${recordedFile}: tree and latex disagree for ${latex}`);
    return { strokes, latex, tree };
  });
}

/**
 * Ink drawn through the board's real pen tool and lassoed into a Math card (record-pen.ts): the
 * snapshot the card received, and what the card read in the browser (`card`).
 */
interface PenCase extends Case { card: string }
function penTool(): PenCase[] {
  if (!fs.existsSync(penFile)) return [];
  return fs.readFileSync(penFile, 'utf8').split('\n').filter(Boolean).map((line) => {
    const { latex, tree, card, snapshot } = JSON.parse(line) as { latex: string; tree: Node[]; card: string; snapshot: { strokes: { points: number[][] }[] } };
    if (toLatex(tree) !== latex) throw new Error(`${penFile}: tree and latex disagree for ${latex}`);
    return { latex, tree, card, strokes: snapshot.strokes.map((st) => st.points) };
  });
}

const heldout = synthetic(N, SEED, 12);
const hand = recorded();
const pen = penTool();
const twelve = synthetic(60, 7, 12, 12);

/**
 * Wall time and this process's CPU time per recognition. On a shared machine wall time mostly
 * measures the neighbours; CPU time is the work the recogniser does.
 */
function timing(rec: Recognizer) {
  const wall: number[] = [], cpu: number[] = [];
  for (const c of twelve) {
    rec(c.strokes); // warm
    const t0 = performance.now(), c0 = process.cpuUsage();
    rec(c.strokes);
    const dc = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((dc.user + dc.system) / 1000);
  }
  const p50 = (xs: number[]) => Math.round(xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]! * 10) / 10;
  return { wall: p50(wall), cpu: p50(cpu) };
}
const fullTime = timing(full);
const baseTime = timing(baseline);

const all = [...heldout, ...hand, ...pen];
const result = {
  bench: 'math',
  seed: SEED,
  ...(({ symbol_accuracy, expression_exact }) => ({ symbol_accuracy, expression_exact }))(score(all, full, 'recogniser (all held-out)')),
  recognize_ms_p50_12: fullTime.wall,
  recognize_cpu_ms_p50_12: fullTime.cpu,
  sets: {
    synthetic_b: score(heldout, full, 'synthetic B'),
    recorded: score(hand, full, 'recorded'),
    // The card in the browser and this bench run the same source on the same strokes: they must agree.
    pen_tool: { ...score(pen, full, 'pen tool'), card_agrees: round(pen.filter((c) => recognize(c.strokes).latex === c.card).length / Math.max(1, pen.length)) },
  },
  baseline_touching_strokes: {
    ...score(all, baseline, 'baseline'),
    recognize_ms_p50_12: baseTime.wall,
    recognize_cpu_ms_p50_12: baseTime.cpu,
  },
  strokes_p50_12: twelve.map((c) => c.strokes.length).sort((a, b) => a - b)[Math.floor(twelve.length / 2)],
};
console.log(JSON.stringify(result));
