// Browser smoke test for the frame bootstrap and the example plugins, without the .NET host:
// a tiny server that serves frames the way docs/api.md and DESIGN.md describe (CSP, sandbox,
// injected bootstrap for HTML entries), a host page that drives four cards over the bridge, and
// Debian's chromium. Build first: `node sdk/bin/labyrinth-build.mjs --all plugins && node web/frame/build.mjs`.
// Run: `node web/frame/smoke/run.mjs` — prints what each card sent; exit 1 if something escaped.
import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
let done;
const results = new Promise((r) => { done = r; });
const types = { '.js': 'text/javascript', '.html': 'text/html', '.json': 'application/json' };
const csp = (id, ver) => `default-src 'none'; script-src ORIGIN/plugins/${id}/${ver}/ ORIGIN/_frame/; style-src ORIGIN/plugins/${id}/${ver}/ 'unsafe-inline'; img-src ORIGIN/plugins/${id}/${ver}/ blob: data:; connect-src 'none'; frame-src 'none'; form-action 'none'; base-uri 'none'; webrtc 'block'`;
const server = http.createServer((req, res) => {
  const origin = `http://${req.headers.host}`;
  const u = new URL(req.url, origin);
  const send = (status, body, type, extra = {}) => { res.writeHead(status, { 'content-type': type, 'access-control-allow-origin': '*', ...extra }); res.end(body); };
  let m;
  if (u.pathname === '/host.html') return send(200, fs.readFileSync(path.join(HERE, 'host.html')), 'text/html', { 'content-security-policy': "frame-src 'self'", 'referrer-policy': 'no-referrer' });
  if (u.pathname === '/host.js') return send(200, fs.readFileSync(path.join(HERE, 'host.js')), 'text/javascript');
  if (u.pathname === '/_frame/bootstrap.js') return send(200, fs.readFileSync(`${ROOT}/web/frame/dist/bootstrap.js`), 'text/javascript');
  if ((m = u.pathname.match(/^\/cards\/frame\/([^/]+)\/([^/]+)\/([^/]+)$/))) {
    const [, id, ver, type] = m;
    const dir = id.split('.').pop();
    const man = JSON.parse(fs.readFileSync(`${ROOT}/plugins/${dir}/dist/manifest.json`));
    const entry = `/plugins/${id}/${ver}/${man.cards.find((c) => c.typeID === type).runtime.entry}`;
    const html = `<!doctype html><html><head><meta charset="utf-8"><meta name="labyrinth-entry" content="${entry}"><link rel="modulepreload" href="${entry}"><script type="module" src="/_frame/bootstrap.js"></script></head><body><div id="root"></div></body></html>`;
    return send(200, html, 'text/html', { 'content-security-policy': csp(id, ver).replaceAll('ORIGIN', origin) + '; sandbox allow-scripts' });
  }
  if ((m = u.pathname.match(/^\/plugins\/([^/]+)\/([^/]+)\/(.+)$/))) {
    const [, id, ver, rel] = m;
    const file = path.join(`${ROOT}/plugins/${id.split('.').pop()}/dist`, rel);
    if (!fs.existsSync(file)) return send(404, 'nope', 'text/plain');
    let body = fs.readFileSync(file);
    const ext = path.extname(file);
    const extra = {};
    if (ext === '.html') {
      body = Buffer.from(body.toString().replace('<head>', '<head><script type="module" src="/_frame/bootstrap.js"></script>'));
      extra['content-security-policy'] = csp(id, ver).replaceAll('ORIGIN', origin) + '; sandbox allow-scripts';
    }
    return send(200, body, types[ext] ?? 'application/octet-stream', extra);
  }
  if (u.pathname === '/results' && req.method === 'POST') { let b = ''; req.on('data', (c) => b += c); req.on('end', () => { done(JSON.parse(b)); send(204, '', 'text/plain'); }); return; }
  if (u.pathname === '/api/auth/me') return send(401, '{}', 'application/json');
  if (u.pathname === '/slow') return void setTimeout(() => send(200, Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'), 'image/gif'), 9000);
  send(404, 'not found', 'text/plain');
});
server.listen(0, '127.0.0.1', async () => {
  const url = `http://127.0.0.1:${server.address().port}/host.html`;
  const chrome = spawn(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--no-first-run', url], { stdio: 'ignore' });
  const timer = setTimeout(() => { console.error('smoke: no results in 30 s'); chrome.kill(); process.exit(1); }, 30000);
  const r = await results;
  clearTimeout(timer);
  chrome.kill();
  // SMOKE_SCREENSHOT=/tmp/smoke.png: one more headless run that saves the page (cards + snapshot).
  if (process.env.SMOKE_SCREENSHOT) {
    await new Promise((resolve) => spawn(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu',
      '--hide-scrollbars', '--window-size=1280,900', `--screenshot=${process.env.SMOKE_SCREENSHOT}`, `${url}?shot`],
    { stdio: 'ignore' }).on('exit', resolve));
  }
  server.close();
  let failed = 0;
  for (const [card, messages] of Object.entries(r)) {
    for (const m of messages) {
      console.log(`${card.padEnd(7)} ${JSON.stringify(m)}`);
      if (m.type === 'interactionEvent' && m.name === 'probe-result' && m.detail.escaped) failed++;
    }
  }
  const has = (card, pred) => r[card]?.some(pred);
  if (!has('hello', (m) => m.type === 'ready') || !has('hello', (m) => m.type === 'pong' && m.seq === 42)) failed++;
  if (!has('probe', (m) => m.name === 'probe-done')) failed++;
  if (!has('broken', (m) => m.type === 'error' && m.code === 'mount_failed')) failed++;
  if (!has('html', (m) => m.type === 'ready')) failed++;
  if (!has('timer', (m) => m.type === 'snapshot' && /^data:image\/(webp|png);base64,/.test(m.dataUrl))) { console.log('smoke: timer sent no snapshot'); failed++; }
  console.log(failed ? `smoke: ${failed} problem(s)` : 'smoke: ok');
  process.exit(failed ? 1 : 0);
});
