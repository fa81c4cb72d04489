/**
 * Records the hand-drawn held-out set through a real browser: Playwright moves Chromium's mouse
 * along each stroke (pointer down, moves, up) over a canvas page that captures the ink from
 * pointer events, as the board's pen tool does. Writes bench/math/recorded.jsonl
 * ({latex, tree, strokes} per line). Re-run only to re-record; the file is committed.
 *
 *   npm i --no-save playwright-core@1.65.1 && node bench/math/record.mjs [--count 60]
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { drawExpression, gauss, randomExpression, rng, uniform, type Placed, type Rng } from '../../plugins/math/training/synth.ts';
import type { P } from '../../plugins/math/training/templates.ts';
import { handGlyphs } from './hand.ts';
import { SPACING_B } from './heldout.ts';

const args = process.argv.slice(2);
const opt = (n: string, d: string) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1]! : d; };
const count = Number(opt('--count', '60'));
const out = opt('--out', 'bench/math/recorded.jsonl');

/** A person's hand: each symbol a little scaled and turned; the browser adds the rest. */
function handDistort(strokes: P[][], p: Placed, h: number, r: Rng): P[][] {
  const cx = (p.x0 + p.x1) / 2, cy = (p.y0 + p.y1) / 2;
  const rot = uniform(r, -0.06, 0.06), s = uniform(r, 0.92, 1.08);
  const dx = 0.03 * h * gauss(r), dy = 0.03 * h * gauss(r);
  return strokes.map((st) => st.map(([x, y]) => {
    const u = (x - cx) * s, v = (y - cy) * s;
    return [cx + u * Math.cos(rot) - v * Math.sin(rot) + dx, cy + u * Math.sin(rot) + v * Math.cos(rot) + dy] as P;
  }));
}

// Resolved from the repository (npm i --no-save) or from PLAYWRIGHT_CORE_DIR.
const require = createRequire(path.join(process.env.PLAYWRIGHT_CORE_DIR ?? process.cwd(), 'package.json'));
const { chromium } = require('playwright-core') as typeof import('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 500 } });
await page.setContent(`<body style="margin:0"><canvas id="c" width="1400" height="500" style="touch-action:none"></canvas><script>
  const c = document.getElementById('c'), g = c.getContext('2d');
  window.ink = []; let cur = null;
  c.addEventListener('pointerdown', (e) => { cur = [[e.offsetX, e.offsetY]]; window.ink.push(cur); g.beginPath(); g.moveTo(e.offsetX, e.offsetY); });
  c.addEventListener('pointermove', (e) => { if (!cur) return; cur.push([e.offsetX, e.offsetY]); g.lineTo(e.offsetX, e.offsetY); g.stroke(); });
  c.addEventListener('pointerup', () => { cur = null; });
  window.reset = () => { window.ink = []; g.clearRect(0, 0, c.width, c.height); };
</script></body>`);

const r = rng(424242);
const lines: string[] = [];
const style = {
  glyph: handGlyphs, spacing: SPACING_B, slant: [0.0, 0.2] as [number, number],
  distort: (s: P[][], p: Placed, h: number, rr: Rng) => handDistort(s, p, h, rr),
};
while (lines.length < count) {
  const tree = randomExpression(r, 12);
  const sample = drawExpression(tree, r, style);
  // drawExpression scales to an arbitrary size; fit the line into the page at ~50 px per symbol row.
  const pts = sample.strokes.flat();
  const x0 = Math.min(...pts.map((q) => q[0])), y0 = Math.min(...pts.map((q) => q[1]));
  const x1 = Math.max(...pts.map((q) => q[0])), y1 = Math.max(...pts.map((q) => q[1]));
  const k = Math.min(1300 / (x1 - x0), 400 / (y1 - y0), 60 / ((y1 - y0) / Math.max(1, countRows(sample.latex))));
  await page.evaluate('window.reset()');
  for (const s of sample.strokes) {
    const to = (q: number[]) => [50 + (q[0]! - x0) * k, 50 + (q[1]! - y0) * k] as const;
    const [sx, sy] = to(s[0]!);
    await page.mouse.move(sx, sy);
    await page.mouse.down();
    for (const q of s.slice(1)) { const [x, y] = to(q); await page.mouse.move(x, y); }
    await page.mouse.up();
  }
  const ink = await page.evaluate('window.ink') as number[][][];
  if (ink.length !== sample.strokes.length) continue; // a stroke too short to register
  // A tenth of a CSS pixel is finer than any pointer reports.
  const rounded = ink.map((s) => s.map(([x, y]) => [Math.round(x! * 10) / 10, Math.round(y! * 10) / 10]));
  lines.push(JSON.stringify({ latex: sample.latex, tree: sample.tree, strokes: rounded }));
}
if (args.includes('--screenshot')) await page.screenshot({ path: 'bench/out/math-recorded.png' });
await browser.close();
fs.writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`${out}: ${lines.length} expressions recorded through Chromium's mouse`);

function countRows(latex: string): number { return latex.includes('\\frac') ? 2.5 : latex.includes('^') ? 1.5 : 1; }
