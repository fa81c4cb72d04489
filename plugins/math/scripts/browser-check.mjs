#!/usr/bin/env node
// Runs the built Math card in Chromium inside a sandboxed frame served with the host's exact card
// CSP (FrameDocument.CardCsp: no eval, no WebAssembly, fonts and styles only from the plugin's
// files), pushes a handwritten selection over a real MessagePort (the PNG transferred), then
// edits the expression in MathLive with the keyboard. Fails on any CSP violation or wrong result.
// Saves bench/out/math-card.png. A developer check, not part of ./test.sh:
//
//   node sdk/bin/labyrinth-build.mjs plugins/math && node web/frame/build.mjs
//   npm i --no-save playwright-core@1.65.1   # or PLAYWRIGHT_CORE_DIR=<dir with it installed>
//   node plugins/math/scripts/browser-check.mjs
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(path.join(process.env.PLAYWRIGHT_CORE_DIR ?? ROOT, 'package.json'));
const { chromium } = require('playwright-core');
const ID = 'dev.labyrinth.math', VER = '1.0.0';
const types = { '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.json': 'application/json', '.html': 'text/html' };
const cardCsp = (origin) => {
  const files = `${origin}/plugins/${ID}/${VER}/`;
  return `default-src 'none'; script-src ${files} ${origin}/_frame/; style-src ${files} 'unsafe-inline'; `
    + `img-src ${files} blob: data:; font-src ${files}; media-src ${files} blob: data:; connect-src 'none'; frame-src 'none'; `
    + `worker-src 'none'; manifest-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors ${origin}; sandbox allow-scripts`;
};
// Ink for "2 + 3" as the board would send it (card-local units, y down).
const INK = [
  [[3, 11], [8, 4], [14, 1], [21, 2], [27, 6], [28, 15], [22, 22], [16, 27], [8, 34], [2, 40]], [[2, 40], [12, 40], [22, 39], [29, 39]],
  [[55, 8], [55, 20], [55, 34]], [[42, 21], [52, 21], [68, 21]],
  [[84, 6], [92, 1], [102, 2], [107, 8], [100, 16], [95, 19], [104, 22], [108, 30], [102, 38], [92, 39], [83, 35]],
];

const host = `<!doctype html><meta charset="utf-8"><body style="margin:0;background:#eef"><canvas id="ink" width="120" height="48" hidden></canvas><script type="module">
  const ink = ${JSON.stringify(INK)};
  const f = document.createElement('iframe');
  f.sandbox = 'allow-scripts'; f.width = 420; f.height = 520; f.src = '/cards/frame/${ID}/${VER}/math';
  window.received = [];
  addEventListener('message', async (e) => {
    // The bootstrap offers its bridge port in a hello; a host reads only source and ports.
    if (e.source !== f.contentWindow || e.ports.length !== 1) return;
    const port = e.ports[0];
    port.onmessage = (ev) => window.received.push(ev.data);
    // The person is in the card (they type in it below): the bootstrap lets it take focus.
    port.postMessage({ type: 'setFocusAllowed', allowed: true });
    port.postMessage({ type: 'init', card: { instanceId: 'w_0000000000000001', typeID: 'math', pluginId: '${ID}', version: '${VER}' },
      props: {}, payload: null, themeTokens: { text: '#1b1b1f', surface: '#ffffff', accent: '#4f46e5' }, bounds: { width: 420, height: 520 }, active: true, grantedCapabilities: [] });
    await new Promise((r) => setTimeout(r, 300));
    const c = document.getElementById('ink'), g = c.getContext('2d');
    g.lineWidth = 2; g.lineCap = 'round';
    for (const s of ink) { g.beginPath(); s.forEach(([x, y], i) => (i ? g.lineTo(x + 4, y + 4) : g.moveTo(x + 4, y + 4))); g.stroke(); }
    const data = await (await new Promise((r) => c.toBlob(r, 'image/png'))).arrayBuffer();
    port.postMessage({ type: 'pushSelectionSnapshot', selection: { id: 'sel_1', width: 112, height: 41, createdAt: new Date().toISOString(),
      strokes: ink.map((s) => ({ points: s.map(([x, y]) => [x, y, 0.5]), color: '#111111', width: 2 })), image: { mediaType: 'image/png', data } } }, [data]);
  });
  document.body.append(f);
</script>`;

const server = http.createServer((req, res) => {
  const origin = `http://${req.headers.host}`;
  const u = new URL(req.url, origin);
  const send = (status, body, type, extra = {}) => { res.writeHead(status, { 'content-type': type, 'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff', ...extra }); res.end(body); };
  let m;
  if (u.pathname === '/host.html') return send(200, host, 'text/html');
  if (u.pathname === '/_frame/bootstrap.js') return send(200, fs.readFileSync(path.join(ROOT, 'web/frame/dist/bootstrap.js')), 'text/javascript');
  if (u.pathname === `/cards/frame/${ID}/${VER}/math`) {
    const entry = `/plugins/${ID}/${VER}/cards/math.js`;
    return send(200, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="labyrinth-entry" content="${entry}"><link rel="modulepreload" href="${entry}"><script src="/_frame/bootstrap.js"></script><title>Math</title><style>html,body{margin:0;height:100%}#root{height:100%}</style></head><body><div id="root"></div></body></html>`,
      'text/html', { 'content-security-policy': cardCsp(origin) });
  }
  if ((m = u.pathname.match(new RegExp(`^/plugins/${ID.replaceAll('.', '\\.')}/${VER}/(.+)$`)))) {
    const file = path.join(ROOT, 'plugins/math/dist', m[1]);
    if (!file.startsWith(path.join(ROOT, 'plugins/math/dist')) || !fs.existsSync(file)) return send(404, 'not found', 'text/plain');
    return send(200, fs.readFileSync(file), types[path.extname(file)] ?? 'application/octet-stream');
  }
  send(404, 'not found', 'text/plain');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/host.html`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 440, height: 540 } });
  page.on('console', (msg) => {
    if (/Failed to load resource/.test(msg.text())) return; // reported with its URL by the response handler
    if (msg.type() === 'error' || /Content Security Policy|Refused/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`HTTP ${r.status()} ${r.url()}`); });
  await page.goto(url);
  const frame = page.frameLocator('iframe');
  const step = async (what, fn) => { try { await fn(); console.log(`ok   ${what}`); } catch (e) { problems.push(`${what}: ${e.message.split('\n')[0]}`); console.log(`FAIL ${what}`); } };
  await step('stroke count shown', () => frame.getByTestId('math-stroke-count').filter({ hasText: '5 strokes received' }).waitFor({ timeout: 20000 }));
  await step('recognised 2+3, result 5', () => frame.getByTestId('math-result').filter({ hasText: '=5' }).waitFor({ timeout: 20000 }));
  await step('MathLive editor mounted', () => frame.locator('math-field').waitFor({ timeout: 20000 }));
  await step('KaTeX fonts loaded from plugin files', async () => {
    const ok = await frame.locator('body').evaluate(async () => { await document.fonts.ready; return document.fonts.check('16px KaTeX_Main'); });
    if (!ok) throw new Error('KaTeX_Main not loaded');
  });
  await step('edit in MathLive with the keyboard → 14', async () => {
    const field = frame.locator('math-field');
    await field.click();
    // Focus moves into MathLive's own hidden input asynchronously: type only once it has it.
    for (let i = 0; i < 100 && !(await field.evaluate((f) => f.hasFocus())); i++) await page.waitForTimeout(50); // poll, ≤ 5 s
    await page.keyboard.press('End');
    await page.keyboard.type('*4');
    try {
      await frame.getByTestId('math-result').filter({ hasText: '=14' }).waitFor({ timeout: 20000 });
    } catch (e) {
      const seen = await frame.getByTestId('math-latex').inputValue();
      const field = await frame.locator('math-field').evaluate((f) => f.value);
      throw new Error(`LaTeX field "${seen}", math-field "${field}": ${e.message}`);
    }
  });
  await step('payload saved', async () => {
    // Typing is saved after a 300 ms pause.
    await page.waitForFunction(() => window.received.filter((m) => m.type === 'setPayload').at(-1)?.payload?.result === '14', null, { timeout: 10000 });
    const saved = await page.evaluate(() => window.received.filter((m) => m.type === 'setPayload').at(-1)?.payload);
    if (saved?.recognized !== '2+3') throw new Error(`last payload ${JSON.stringify(saved)?.slice(0, 200)}`);
  });
  await step('plot of y=x^2', async () => {
    await frame.getByTestId('math-latex').fill('y=x^{2}-1');
    await frame.getByTestId('math-curve').waitFor({ timeout: 20000 });
  });
  fs.mkdirSync(path.join(ROOT, 'bench/out'), { recursive: true });
  await page.screenshot({ path: path.join(ROOT, 'bench/out/math-card.png') });
} finally {
  await browser.close();
  server.close();
}
for (const p of problems) console.log(`problem: ${p}`);
console.log(problems.length ? `browser-check: ${problems.length} problem(s)` : 'browser-check: ok (bench/out/math-card.png)');
process.exitCode = problems.length ? 1 : 0;
