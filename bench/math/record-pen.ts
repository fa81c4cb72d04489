/**
 * Records held-out ink through the product itself: starts the real host on a throwaway data
 * directory, signs in, and for each expression draws it with Chromium's mouse through the board's
 * pen tool (a person's hand: one pointer move every 2–4 px, with a slow sideways wobble), lassoes
 * it, chooses Convert to Math, and saves the selection snapshot the Math card received (as stored
 * by the host and pushed again on every reload) with the truth and what the card read in the
 * browser. Writes bench/math/pen-tool.jsonl: {latex, tree, card, snapshot: {width, height, strokes}}.
 * Re-run only to re-record; the file is committed.
 *
 *   dotnet build src/Labyrinth.Host -c Release && npm run build:all
 *   npm i --no-save playwright-core@1.65.1 && node bench/math/record-pen.mjs [--count 60] [--seed 5150]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { drawExpression, gauss, randomExpression, rng, uniform, type Placed, type Rng } from '../../plugins/math/training/synth.ts';
import type { P } from '../../plugins/math/training/templates.ts';
import { handGlyphs } from './hand.ts';
import { SPACING_B } from './heldout.ts';

const args = process.argv.slice(2);
const opt = (n: string, d: string) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1]! : d; };
const count = Number(opt('--count', '60'));
const seed = Number(opt('--seed', '5150'));
const out = opt('--out', 'bench/math/pen-tool.jsonl');
/** CSS pixels per line of symbols at 100 % zoom: a person writing with a mouse. */
const ROW_PX = 46;

// Resolved from the repository (npm i --no-save) or from PLAYWRIGHT_CORE_DIR.
const require = createRequire(path.join(process.env.PLAYWRIGHT_CORE_DIR ?? process.cwd(), 'package.json'));
const { chromium } = require('playwright-core') as typeof import('playwright-core');
type Page = import('playwright-core').Page;

/** Each symbol a little scaled and turned, as a hand does. */
function handDistort(strokes: P[][], p: Placed, h: number, r: Rng): P[][] {
  const cx = (p.x0 + p.x1) / 2, cy = (p.y0 + p.y1) / 2;
  const rot = uniform(r, -0.05, 0.05), s = uniform(r, 0.93, 1.07);
  const dx = 0.03 * h * gauss(r), dy = 0.03 * h * gauss(r);
  return strokes.map((st) => st.map(([x, y]) => {
    const u = (x - cx) * s, v = (y - cy) * s;
    return [cx + u * Math.cos(rot) - v * Math.sin(rot) + dx, cy + u * Math.sin(rot) + v * Math.cos(rot) + dy] as P;
  }));
}

/** A mouse at writing speed: a sample every 2–4 px along the stroke, drifting sideways a little. */
function mouseSamples(stroke: readonly (readonly [number, number])[], r: Rng): [number, number][] {
  const phase = uniform(r, 0, 2 * Math.PI), wobble = uniform(r, 0.5, 1.1);
  const outPts: [number, number][] = [];
  let walked = 0, next = 0;
  for (let i = 1; i < stroke.length; i++) {
    const [ax, ay] = stroke[i - 1]!, [bx, by] = stroke[i]!;
    const len = Math.max(1e-9, Math.hypot(bx - ax, by - ay));
    while (next <= walked + len) {
      const f = (next - walked) / len;
      const drift = wobble * Math.sin(phase + next / 11) + 0.25 * gauss(r);
      outPts.push([ax + f * (bx - ax) - drift * (by - ay) / len, ay + f * (by - ay) + drift * (bx - ax) / len]);
      next += uniform(r, 2, 4);
    }
    walked += len;
  }
  outPts.push([stroke[stroke.length - 1]![0], stroke[stroke.length - 1]![1]]);
  return outPts;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as net.AddressInfo; srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

/** The built host (as `dotnet run` starts it) on a fresh data directory; resolves with the setup URL. */
async function startHost(port: number, dataDir: string) {
  const dll = path.resolve('src/Labyrinth.Host/bin/Release/net10.0/Labyrinth.Host.dll');
  if (!fs.existsSync(dll)) throw new Error(`${dll} is missing: dotnet build src/Labyrinth.Host -c Release first`);
  const host = spawn('dotnet', [dll], {
    cwd: 'src/Labyrinth.Host',
    env: { ...process.env, Urls: `http://127.0.0.1:${port}`, Labyrinth__DataDir: dataDir, Labyrinth__LoginAttemptsPerMinute: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const setup = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host printed no setup URL in 120 s:\n${log}`)), 120_000);
    const read = (b: Buffer) => {
      log += b.toString();
      const m = /\/setup[?#]token=(\S+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(`http://127.0.0.1:${port}/setup#token=${m[1]}`); }
    };
    host.stdout.on('data', read);
    host.stderr.on('data', read);
    host.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the host exited (${code}):\n${log}`)); });
  });
  return { host, setup };
}

async function api(page: Page, method: string, url: string): Promise<{ status: number; json: unknown }> {
  return page.evaluate(async ([m, u]) => {
    const r = await fetch(u!, { method: m, headers: { Accept: 'application/json', 'X-Labyrinth-Request': '1' } });
    return { status: r.status, json: r.headers.get('content-type')?.includes('json') ? await r.json() : null };
  }, [method, url]);
}

async function draw(page: Page, strokes: [number, number][][]) {
  for (const s of strokes) {
    await page.mouse.move(s[0]![0], s[0]![1]);
    await page.mouse.down();
    for (const [x, y] of s.slice(1)) await page.mouse.move(x, y);
    await page.mouse.up();
  }
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'labyrinth-pen-'));
const port = await freePort();
const { host, setup } = await startHost(port, dataDir);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const lines: string[] = [];
let skipped = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(30_000);
  await page.goto(setup);
  await page.locator('input[name=userName]').fill('admin');
  await page.locator('input[name=password]').fill('correct horse battery');
  await page.locator('input[name=confirm]').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await page.getByTestId('user-menu').waitFor();

  const r = rng(seed);
  const style = {
    glyph: handGlyphs, spacing: SPACING_B, slant: [0.0, 0.2] as [number, number],
    distort: (s: P[][], p: Placed, h: number, rr: Rng) => handDistort(s, p, h, rr),
  };
  while (lines.length < count) {
    const tree = randomExpression(r, 12);
    const sample = drawExpression(tree, r, style);
    const pts = sample.strokes.flat();
    const x0 = Math.min(...pts.map((q) => q[0])), y0 = Math.min(...pts.map((q) => q[1]));
    const x1 = Math.max(...pts.map((q) => q[0])), y1 = Math.max(...pts.map((q) => q[1]));
    const rows = sample.latex.includes('\\frac') ? 2.5 : sample.latex.includes('^') ? 1.5 : 1;
    const k = Math.min(1000 / (x1 - x0), 420 / (y1 - y0), ROW_PX / ((y1 - y0) / rows));
    const strokes = sample.strokes.map((s) => mouseSamples(s.map(([x, y]) => [160 + (x - x0) * k, 220 + (y - y0) * k] as const), r));

    // A board of its own: one card open at a time, nothing else in the lasso.
    const before = page.url();
    const name = `Pen ${lines.length + 1}.${skipped}`;
    await page.getByTestId('new-board').click();
    await page.getByTestId('prompt-input').fill(name);
    await page.getByTestId('prompt-ok').click();
    await page.waitForURL((u) => u.href !== before && /\/boards\//.test(u.pathname));
    await page.getByTestId('board-switcher').filter({ hasText: name }).waitFor();
    await page.getByTestId('spawn-button').waitFor();
    const boardId = decodeURIComponent(/\/boards\/([^/?#]+)/.exec(page.url())![1]!);

    await page.getByTestId('ink-tool-pen').click();
    await draw(page, strokes);
    const layer = page.getByTestId('ink-layer');
    await page.waitForFunction(([n]) => document.querySelector('[data-testid=ink-layer]')?.getAttribute('data-strokes') === String(n), [strokes.length]);
    await page.keyboard.press('l');
    const bx0 = Math.min(...strokes.flat().map((q) => q[0])) - 24, by0 = Math.min(...strokes.flat().map((q) => q[1])) - 24;
    const bx1 = Math.max(...strokes.flat().map((q) => q[0])) + 24, by1 = Math.max(...strokes.flat().map((q) => q[1])) + 24;
    await draw(page, [mouseSamples([[bx0, by0], [bx1, by0], [bx1, by1], [bx0, by1], [bx0 + 1, by0 + 2]], r)]);
    const actions = page.getByTestId('ink-selection-actions');
    await actions.waitFor();
    if (await actions.getAttribute('data-count') !== String(strokes.length) || await layer.getAttribute('data-strokes') !== String(strokes.length)) {
      skipped++; // a stroke too short to register, or the lasso missed one: not what was meant
      continue;
    }
    const [spawned] = await Promise.all([
      page.waitForResponse((res) => res.request().method() === 'POST' && res.url().endsWith('/windows')),
      actions.getByTestId('ink-convert-math').click(),
    ]);
    const windowId = ((await spawned.json()) as { window: { id: string } }).window.id;
    const card = page.locator(`[data-testid=window][data-window-id='${windowId}'] iframe`).contentFrame();
    await card.getByTestId('math-recognized').waitFor({ timeout: 60_000 });
    const read = await card.getByTestId('math-latex').inputValue();
    const shared = await api(page, 'GET', `/api/cards/${boardId}/${windowId}/selection`);
    if (shared.status !== 200) throw new Error(`GET selection answered ${shared.status}`);
    const { width, height, strokes: got } = shared.json as { width: number; height: number; strokes: { points: number[][]; color: string; width: number }[] };
    lines.push(JSON.stringify({ latex: sample.latex, tree: sample.tree, card: read, snapshot: { width, height, strokes: got } }));
    process.stderr.write(`${lines.length}/${count} ${sample.latex} → card read ${read}\n`);
    if (args.includes('--screenshot') && lines.length === 1) await page.screenshot({ path: 'bench/out/math-pen-tool.png' });
  }
} finally {
  await browser.close();
  // The host stops on SIGTERM; a host that does not within 15 s is killed.
  const exited = new Promise((r) => host.once('exit', r));
  host.kill('SIGTERM');
  const force = setTimeout(() => host.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(force);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
fs.writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`${out}: ${lines.length} expressions drawn through the board's pen tool (${skipped} redrawn)`);
