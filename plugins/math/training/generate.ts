/**
 * Writes the classifier's training set: synthetic expressions (style A) cut into every candidate
 * stroke group the recogniser would consider, each encoded exactly as at inference
 * (src/recognizer/raster.ts) and labelled with its class, or `junk` when it spans two symbols.
 * Groups that are only part of one symbol are left out (their look-alikes are real symbols).
 *
 * Usage: node scripts/generate-training.mjs [--expressions 30000] [--seed 1] [--out training/data/train.bin]
 * Format: "LMD1", u32 count, u32 pixels, u32 features, then per sample u8 pixels, f32 features, u8 label.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CLASS_INDEX } from '../src/recognizer/classes.ts';
import { clean, referenceSize } from '../src/recognizer/ink.ts';
import { encodeGroup, FEATURES, SIZE } from '../src/recognizer/raster.ts';
import { candidateGroups } from '../src/recognizer/segment.ts';
import { trainingStyles } from './styles.ts';
import { drawExpression, randomExpression, rng } from './synth.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : def; };
const expressions = Number(opt('--expressions', '30000'));
const seed = Number(opt('--seed', '1'));
const out = opt('--out', 'training/data/train.bin');
const junkKeep = 0.25;

const r = rng(seed);
const styles = trainingStyles();
const total = styles.reduce((a, s) => a + s.weight, 0);
const PIX = SIZE * SIZE;
const rec = PIX + FEATURES * 4 + 1;
const chunks: Buffer[] = [];
let count = 0;
const perClass = new Map<number, number>();
const buf = new Float32Array(PIX + FEATURES);

for (let e = 0; e < expressions; e++) {
  let u = r() * total;
  const { style } = styles.find((s) => (u -= s.weight) < 0) ?? styles[0]!;
  const sample = drawExpression(randomExpression(r, 14), r, style);
  const strokes = clean(sample.strokes);
  if (strokes.length !== sample.strokes.length) continue; // a degenerate stroke: labels would shift
  const owner = new Array<number>(strokes.length);
  sample.symbols.forEach((s, k) => s.strokes.forEach((i) => { owner[i] = k; }));
  const ref = referenceSize(strokes);
  for (const [i, j] of candidateGroups(strokes, ref)) {
    const owners = new Set(owner.slice(i, j));
    let label: number;
    if (owners.size > 1) {
      if (r() > junkKeep) continue;
      label = CLASS_INDEX.junk;
    } else {
      const sym = sample.symbols[owner[i]!]!;
      if (sym.strokes.length !== j - i) continue; // part of a symbol
      label = CLASS_INDEX[sym.glyph];
    }
    encodeGroup(strokes.slice(i, j), ref, buf);
    const b = Buffer.alloc(rec);
    for (let k = 0; k < PIX; k++) b[k] = Math.round(buf[k]! * 255);
    for (let k = 0; k < FEATURES; k++) b.writeFloatLE(buf[PIX + k]!, PIX + k * 4);
    b[rec - 1] = label;
    chunks.push(b);
    count++;
    perClass.set(label, (perClass.get(label) ?? 0) + 1);
  }
}

const head = Buffer.alloc(16);
head.write('LMD1', 0, 'latin1');
head.writeUInt32LE(count, 4);
head.writeUInt32LE(PIX, 8);
head.writeUInt32LE(FEATURES, 12);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, Buffer.concat([head, ...chunks]));
console.log(JSON.stringify({ out, expressions, samples: count, perClass: Object.fromEntries([...perClass].sort((a, b) => a[0] - b[0])) }));
