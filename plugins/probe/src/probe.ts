/**
 * Test-only card: tries every way out of the card sandbox it knows and reports each attempt as
 * `interaction('probe-result', { name, escaped, detail })` and as
 * `<li data-probe="name" data-escaped="true|false">`. `escaped` is true only when the attempt
 * demonstrably worked (data read back, a response or event observed). Attempts that would
 * navigate the page away run last; if one of those worked the page itself shows it.
 *
 * It also records every message the bootstrap receives on its port (`<pre data-testid="received">`,
 * one JSON object per line), so E2E tests can assert that no secret ever reaches a card.
 */
import type { CardContext, JsonObject, JsonValue, MountPlugin } from '@labyrinth/sdk';

interface Result { name: string; escaped: boolean; detail: string }

// Top-level code runs when the module is evaluated: the mark says "this plugin's code ran", so a
// test can check that a pooled (closed) card's frame never evaluated it.
document.documentElement.dataset.pluginCodeRan = 'true';

const received: JsonValue[] = [];
let onReceived: (() => void) | null = null;

function record(message: unknown): void {
  try { received.push(JSON.parse(JSON.stringify(message)) as JsonValue); } catch { received.push(String(message)); }
  onReceived?.();
}

// A card shares its JS realm with the bootstrap. Wrapping MessageEvent's `data` getter shows
// exactly what the bootstrap reads from its port: everything the host sends is visible to a card.
// Runs when the module is imported, i.e. after `init` (reconstructed in mountPlugin).
(() => {
  const desc = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
  const get = desc?.get;
  if (!desc || !get) return;
  Object.defineProperty(MessageEvent.prototype, 'data', {
    ...desc,
    get(this: MessageEvent) {
      const value = get.call(this);
      if (typeof MessagePort !== 'undefined' && this.target instanceof MessagePort) record(value);
      return value;
    },
  });
})();

const errorText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

function timeout<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

/** CSP violations seen so far (blocked URI → directive), for details. */
const violations: { uri: string; directive: string }[] = [];
document.addEventListener('securitypolicyviolation', (e) => {
  violations.push({ uri: e.blockedURI, directive: e.effectiveDirective });
});
const violated = (url: string) => violations.some((v) => v.uri && url.startsWith(v.uri));

function hostOrigin(): string {
  const meta = document.querySelector('meta[name="labyrinth-entry"]')?.getAttribute('content');
  try { return new URL(meta ?? import.meta.url, location.href).origin; } catch { return new URL(import.meta.url).origin; }
}

/** The host origin with localhost ⇄ 127.0.0.1 swapped: a different origin on the same server. */
function otherOrigin(origin: string): string {
  const u = new URL(origin);
  u.hostname = u.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
  return u.origin;
}

type Probe = [name: string, run: () => Promise<Omit<Result, 'name'>> | Omit<Result, 'name'>];

function probes(origin: string): { contained: Probe[]; navigating: Probe[] } {
  const attempt = (fn: () => Omit<Result, 'name'>) => () => {
    try { return fn(); } catch (e) { return { escaped: false, detail: errorText(e) }; }
  };
  const storage = (kind: 'localStorage' | 'sessionStorage') => attempt(() => {
    const s = window[kind];
    s.setItem('labyrinth-probe', '1');
    const ok = s.getItem('labyrinth-probe') === '1';
    s.removeItem('labyrinth-probe');
    return { escaped: ok, detail: ok ? 'wrote and read back' : 'no error, value not read back' };
  });

  const contained: Probe[] = [
    ['parent-document', attempt(() => {
      const title = window.parent.document.title;
      return { escaped: true, detail: `read parent title "${title}"` };
    })],
    ['cookie-read', attempt(() => {
      const c = document.cookie;
      return { escaped: c.length > 0, detail: c.length > 0 ? `read ${c.length} characters` : 'empty' };
    })],
    ['cookie-write', attempt(() => {
      document.cookie = 'labyrinth_probe=1; path=/';
      const ok = document.cookie.includes('labyrinth_probe=1');
      return { escaped: ok, detail: ok ? 'cookie written and read back' : 'no error, cookie not stored' };
    })],
    ['localStorage', storage('localStorage')],
    ['sessionStorage', storage('sessionStorage')],
    ['indexedDB', () => new Promise((resolve) => {
      try {
        const req = indexedDB.open('labyrinth-probe');
        req.onsuccess = () => { req.result.close(); resolve({ escaped: true, detail: 'database opened' }); };
        req.onerror = () => resolve({ escaped: false, detail: errorText(req.error) });
        void timeout(3000, null).then(() => resolve({ escaped: false, detail: 'no answer in 3 s' }));
      } catch (e) { resolve({ escaped: false, detail: errorText(e) }); }
    })],
    ['fetch-host-api', async () => {
      try {
        const r = await fetch(`${origin}/api/auth/me`, { credentials: 'include' });
        return { escaped: true, detail: `response ${r.status}` };
      } catch (e) { return { escaped: false, detail: errorText(e) }; }
    }],
    ['fetch-external', async () => {
      try {
        const r = await fetch('https://example.invalid/');
        return { escaped: true, detail: `response ${r.status}` };
      } catch (e) { return { escaped: false, detail: errorText(e) }; }
    }],
    ['websocket', () => new Promise((resolve) => {
      try {
        const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/labyrinth-probe`);
        ws.onopen = () => { ws.close(); resolve({ escaped: true, detail: 'connection opened' }); };
        ws.onerror = () => resolve({ escaped: false, detail: 'error event' });
        void timeout(3000, null).then(() => { ws.close(); resolve({ escaped: false, detail: 'not opened in 3 s' }); });
      } catch (e) { resolve({ escaped: false, detail: errorText(e) }); }
    })],
    ['window-open', attempt(() => {
      const w = window.open(`${origin}/`, '_blank');
      w?.close();
      return { escaped: w != null, detail: w ? 'popup opened' : 'window.open returned null' };
    })],
    ['rtc-peer-connection', async () => {
      try {
        const w = window as unknown as Record<string, unknown>;
        const Ctor = (w.RTCPeerConnection ?? w.webkitRTCPeerConnection) as typeof RTCPeerConnection | undefined;
        if (typeof Ctor !== 'function') return { escaped: false, detail: `not available (${typeof Ctor})` };
        const pc = new Ctor({ iceServers: [{ urls: 'stun:example.invalid:3478' }] });
        pc.createDataChannel('probe');
        await pc.setLocalDescription(await pc.createOffer());
        pc.close();
        return { escaped: true, detail: 'peer connection created an offer (ICE gathering started)' };
      } catch (e) { return { escaped: false, detail: errorText(e) }; }
    }],
    ['send-beacon', async () => {
      const url = `${origin}/api/telemetry/labyrinth-probe-beacon`;
      try {
        const queued = navigator.sendBeacon(url, 'probe');
        if (!queued) return { escaped: false, detail: 'sendBeacon returned false' };
        await timeout(1000, null);
        // A queued beacon may still be blocked by CSP afterwards; only count it if not.
        return violated(url)
          ? { escaped: false, detail: 'queued, then blocked by CSP' }
          : { escaped: true, detail: 'queued and no CSP violation reported in 1 s' };
      } catch (e) { return { escaped: false, detail: errorText(e) }; }
    }],
    ['image-other-origin', () => new Promise((resolve) => {
      const url = `${otherOrigin(origin)}/healthz?labyrinth-probe=${Date.now()}`;
      const img = document.createElement('img');
      img.onload = () => resolve({ escaped: true, detail: `loaded ${url}` });
      img.onerror = () => resolve({ escaped: false, detail: `error event${violated(url) ? ' (CSP violation)' : ''}` });
      void timeout(3000, null).then(() => resolve({ escaped: false, detail: 'no load in 3 s' }));
      img.src = url;
    })],
    ['forged-connect', attempt(() => {
      window.parent.postMessage({ type: 'labyrinth:connect', protocol: 1 }, '*');
      return { escaped: false, detail: 'sent; nothing to observe from inside the card' };
    })],
    ['document-domain', attempt(() => {
      document.domain = location.hostname;
      // Only relaxing the origin far enough to reach the parent would be an escape.
      const title = window.parent.document.title;
      return { escaped: true, detail: `document.domain set; parent title "${title}"` };
    })],
  ];

  const navigating: Probe[] = [
    ['top-navigation', attempt(() => {
      (window.top as Window).location.href = 'https://example.invalid/';
      return { escaped: false, detail: 'no exception; had it worked, this page would be gone' };
    })],
    ['form-submit-top', attempt(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = `${origin}/api/auth/logout`;
      form.target = '_top';
      document.body.append(form);
      form.submit();
      form.remove();
      return { escaped: false, detail: 'submitted; had it worked, the host page would have navigated' };
    })],
  ];
  return { contained, navigating };
}

export const mountPlugin: MountPlugin = (target: HTMLElement, props: JsonObject, card: CardContext) => {
  record({
    type: 'init', card: { ...card.card }, props, payload: card.payload, themeTokens: { ...card.theme },
    bounds: { ...card.bounds }, active: card.active, reconstructed: true,
  });

  const section = document.createElement('section');
  section.style.cssText = 'font:13px/1.4 var(--lab-font, system-ui, sans-serif);color:var(--lab-text, #1b1b1f);padding:8px';
  const heading = document.createElement('h1');
  heading.textContent = 'Sandbox probe';
  heading.style.fontSize = '1.2em';
  const list = document.createElement('ul');
  list.dataset.testid = 'probes';
  const pre = document.createElement('pre');
  pre.dataset.testid = 'received';
  pre.style.cssText = 'white-space:pre-wrap;overflow-wrap:anywhere;font-size:11px';
  section.append(heading, list, pre);
  target.replaceChildren(section);

  const renderReceived = () => { pre.textContent = received.map((m) => JSON.stringify(m)).join('\n'); };
  onReceived = renderReceived;
  renderReceived();

  let destroyed = false;
  const report = (r: Result) => {
    if (destroyed) return;
    const li = document.createElement('li');
    li.dataset.probe = r.name;
    li.dataset.escaped = String(r.escaped);
    li.textContent = `${r.escaped ? 'ESCAPED' : 'contained'} — ${r.name}: ${r.detail}`;
    list.append(li);
    card.interaction('probe-result', { name: r.name, escaped: r.escaped, detail: r.detail });
  };

  const run = async ([name, fn]: Probe) => {
    let r: Omit<Result, 'name'>;
    try { r = await fn(); } catch (e) { r = { escaped: false, detail: errorText(e) }; }
    report({ name, ...r });
  };

  void (async () => {
    const { contained, navigating } = probes(hostOrigin());
    await Promise.all(contained.map(run));
    for (const p of navigating) await run(p);
    if (destroyed) return;
    list.dataset.done = 'true';
    card.interaction('probe-done', { count: contained.length + navigating.length });
    // The message types seen on the port so far, so a test without DOM access to the frame can
    // see them too (the full messages are in <pre data-testid="received">).
    card.interaction('probe-received', { types: received.map((m) => (m && typeof m === 'object' && !Array.isArray(m) ? String(m.type) : typeof m)) });
  })();

  return {
    update() { /* props are recorded via the port; nothing to re-render */ },
    destroy() { destroyed = true; onReceived = null; section.remove(); },
  };
};
