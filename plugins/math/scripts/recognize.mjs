#!/usr/bin/env node
// Handwritten math → LaTeX outside the browser, with the card's own recogniser (bundled from
// src/recognizer by esbuild at start, so it is the same code the card runs).
//
//   echo '{"strokes": [[[0,0],[0,10]], [[-5,5],[5,5]]]}' | node plugins/math/scripts/recognize.mjs
//   → {"latex":"+"}
//
// One JSON line in, one out: {"strokes": [[[x, y], …], …]} (y down, any scale, drawing order).
// A line that is not such an object answers {"latex":"","error":"…"}.
import { build } from 'esbuild';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { outputFiles } = await build({
  entryPoints: [path.join(root, 'src/recognizer/recognize.ts')],
  bundle: true, platform: 'neutral', format: 'esm', write: false, logLevel: 'warning',
});
const { recognize } = await import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].contents).toString('base64')}`);

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let out;
  try {
    const input = JSON.parse(line);
    if (!input || !Array.isArray(input.strokes)) throw new Error('expected {"strokes": [[[x, y], …], …]}');
    out = { latex: recognize(input.strokes).latex };
  } catch (e) {
    out = { latex: '', error: e instanceof Error ? e.message : String(e) };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
