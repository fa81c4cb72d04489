// Evaluated by CardOpenBench (Playwright) in a page on the host origin. Defines window.__bench.
// `cfg` comes from the host's catalogue: the hello card's frame URL and entry URL, both on the card
// origin the host published for dev.labyrinth.hello 1.0.0, and that origin.
((cfg) => {
  const HELLO = cfg.entryUrl;
  const FRAME = cfg.frameUrl;
  const ECHO = cfg.cardOrigin + '/__bench/echo.html';
  const now = () => performance.now();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));

  const initMsg = (i) => ({
    type: 'init', card: { instanceId: 'bench' + i, typeID: 'hello', pluginId: 'dev.labyrinth.hello', version: '1.0.0' },
    props: { name: 'bench' }, payload: null, themeTokens: {}, bounds: { width: 320, height: 220 }, active: true,
  });
  const stubCtx = (i) => {
    const off = () => () => {};
    return {
      payload: null, props: { name: 'bench' }, theme: {}, active: true, bounds: { width: 320, height: 220 },
      card: { instanceId: 'bench' + i, typeID: 'hello', pluginId: 'dev.labyrinth.hello', version: '1.0.0' },
      setPayload() {}, onActive: off, onBounds: off, onThemeChanged: off, interaction() {}, requestSize() {},
    };
  };

  function makeFrame(src, credentialless) {
    const f = document.createElement('iframe');
    f.setAttribute('sandbox', 'allow-scripts');
    if (credentialless) f.setAttribute('credentialless', '');
    f.style.cssText = 'width:320px;height:220px;border:0';
    f.src = src;
    return f;
  }
  // The bootstrap offers its bridge port in a `labyrinth:hello` before any plugin code exists; the
  // host takes the first port its frame's window posts, reading only `source` and `ports`.
  function hello(f) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { removeEventListener('message', on); reject(new Error('hello timeout')); }, 10000);
      function on(e) {
        if (e.source === f.contentWindow && e.ports.length === 1) {
          removeEventListener('message', on); clearTimeout(t); resolve(e.ports[0]);
        }
      }
      addEventListener('message', on);
    });
  }
  function untilReady(port) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('ready timeout')), 10000);
      port.onmessage = (e) => {
        if (e.data && e.data.type === 'ready') { clearTimeout(t); resolve(e.data.loadMs); }
        else if (e.data && e.data.type === 'error') { clearTimeout(t); reject(new Error(e.data.code + ': ' + e.data.message)); }
      };
    });
  }

  // (i) unsandboxed in-page dynamic import + mountPlugin. A fresh URL per run (query) so the module
  // is evaluated again; it is fetched into the HTTP cache first, as the frames' bundle is.
  async function inPage(i) {
    const url = HELLO + '?run=' + i;
    await (await fetch(url)).arrayBuffer();
    const div = document.createElement('div');
    div.style.cssText = 'width:320px;height:220px';
    document.body.append(div);
    await nextFrame();
    const t0 = now();
    const mod = await import(url);
    const m = mod.mountPlugin(div, { name: 'bench' }, stubCtx(i));
    const t1 = now();
    if (!div.querySelector('button')) throw new Error('in-page mount rendered nothing');
    try { typeof m === 'function' ? m() : m?.destroy?.(); } catch { /* ignore */ }
    div.remove();
    return { ms: t1 - t0 };
  }

  // (ii) cold: insert the sandboxed frame on "click", send init on the port its hello offers.
  async function coldFrame(i) {
    await nextFrame();
    const t0 = now();
    const f = makeFrame(FRAME);
    const h = hello(f);
    document.body.append(f);
    const port = await h;
    const tReady = now();
    const r = untilReady(port);
    port.postMessage(initMsg(i));
    const loadMs = await r;
    const t1 = now();
    port.close(); f.remove();
    return { ms: t1 - t0, frameReadyMs: tReady - t0, loadMs };
  }

  // (iii) warm: a frame created in advance (process started, bootstrap running, entry
  // modulepreloaded, port offered); "click" only sends init on the port.
  async function warmFrame(i, settleMs) {
    const f = makeFrame(FRAME);
    const h = hello(f);
    document.body.append(f);
    const port = await h;
    await sleep(settleMs);
    await nextFrame();
    const t0 = now();
    const r = untilReady(port);
    port.postMessage(initMsg(i));
    const loadMs = await r;
    const t1 = now();
    port.close(); f.remove();
    return { ms: t1 - t0, loadMs };
  }

  // --- bridge round trip -----------------------------------------------------------------
  // Replica of web/src/lib/bridge/schema.ts validateCardMessage (the parts a pong goes through).
  const CARD_MESSAGE_TYPES = ['ready', 'setPayload', 'sizePreferenceChanged', 'interactionEvent', 'error', 'pong'];
  function utf8Length(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n += 1; else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { n += 4; i++; } else n += 3;
      } else n += 3;
    }
    return n;
  }
  function isPlainObject(v) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const p = Object.getPrototypeOf(v); return p === Object.prototype || p === null;
  }
  function validate(data) {
    if (!isPlainObject(data)) return null;
    if (typeof data.type !== 'string' || !CARD_MESSAGE_TYPES.includes(data.type)) return null;
    let json; try { json = JSON.stringify(data); } catch { return null; }
    if (json === undefined || json.length > 262144) return null;
    if (utf8Length(json) > 262144) return null;
    if (data.type === 'pong') return typeof data.seq === 'number' && Number.isFinite(data.seq) ? { type: 'pong', seq: data.seq } : null;
    return data;
  }

  async function openPort(kind, credentialless) {
    const f = makeFrame(kind === 'raw' ? ECHO : FRAME, credentialless);
    const h = hello(f);
    document.body.append(f);
    const port = await h;
    if (kind !== 'raw') { const r = untilReady(port); port.postMessage(initMsg(0)); await r; }
    return { f, port };
  }

  async function roundTrips(kind, n, warmup, credentialless) {
    const validateOn = kind === 'bridge+validate';
    const { f, port } = await openPort(kind === 'raw' ? 'raw' : 'bridge', credentialless);
    let resolve = null;
    let bad = 0;
    port.onmessage = (e) => {
      const m = validateOn ? validate(e.data) : e.data;
      if (!m || m.type !== 'pong') { bad++; return; }
      const r = resolve; resolve = null; r && r(m.seq);
    };
    const out = new Float64Array(n);
    for (let k = 0; k < n + warmup; k++) {
      const p = new Promise((r) => { resolve = r; });
      const t0 = now();
      port.postMessage({ type: 'ping', seq: k });
      const seq = await p;
      const dt = now() - t0;
      if (seq !== k) throw new Error('out of order pong');
      if (k >= warmup) out[k - warmup] = dt;
    }
    port.close(); f.remove();
    return { samplesMs: Array.from(out), bad };
  }

  function timerResolution() {
    let min = Infinity, a = now();
    for (let k = 0; k < 200000 && min > 0.0005; k++) { const b = now(); if (b > a) { min = Math.min(min, b - a); a = b; } }
    return { minStepMs: min, crossOriginIsolated: self.crossOriginIsolated === true };
  }

  window.__bench = { inPage, coldFrame, warmFrame, roundTrips, timerResolution };
})
