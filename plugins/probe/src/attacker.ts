/**
 * Test-only card: attacks the bridge protocol from inside a card and records what the host
 * answered. Each attack is a button and a row `<li data-testid="attack-<name>" data-state=
 * "idle|running|done" data-code="<outcome>">`; E2E tests click and read them.
 *
 * Outcomes (`data-code`): a response's error code (`token_invalid`, `not_granted`, …), `ok` for a
 * success, `no-response` when the host stayed silent (dropped messages are not answered),
 * `sent` for fire-and-forget attacks.
 *
 * Two grant paths are rows too: "Pick an image" (`<div data-testid="attacker-picked">`, the host's
 * picker via `requestAsset`, then `readAsset`) and a file dropped on the card
 * (`<div data-testid="attacker-pushed">`, `onAssetPushed`, then `readAsset`); each shows the byte
 * count it actually read, so a test proves the token works, not just that a handle arrived.
 *
 * It also shows every message the host sent on the port, as JSON, in
 * `<pre data-testid="probe-received">` — tests assert no secret ever appears there.
 */
import type { CardContext, JsonObject, JsonValue, MountPlugin } from '@labyrinth/sdk';

const received: JsonValue[] = [];
const listeners = new Set<(m: JsonValue) => void>();
/** The card's own port, taken from the first message event that passes the hook. */
let port: MessagePort | null = null;

function record(message: unknown): void {
  let copy: JsonValue;
  try {
    copy = JSON.parse(JSON.stringify(message, (_k, v: unknown) => (v instanceof ArrayBuffer ? `ArrayBuffer(${v.byteLength})` : v))) as JsonValue;
  } catch {
    copy = String(message);
  }
  received.push(copy);
  for (const l of [...listeners]) l(copy);
}

// A card shares its realm with the bootstrap: wrapping MessageEvent's `data` getter shows every
// message the bootstrap reads from its port, and the event's target is that port. Nothing here
// is a secret — the point is to prove the host never sends one.
(() => {
  const desc = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
  const get = desc?.get;
  if (!desc || !get) return;
  Object.defineProperty(MessageEvent.prototype, 'data', {
    ...desc,
    get(this: MessageEvent) {
      const value: unknown = get.call(this);
      if (typeof MessagePort !== 'undefined' && this.target instanceof MessagePort) {
        port ??= this.target;
        record(value);
      }
      return value;
    },
  });
})();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for the bootstrap's next message (a ping arrives every second) so `port` is known. */
async function rawPort(): Promise<MessagePort> {
  for (let i = 0; i < 30 && !port; i++) await sleep(100);
  if (!port) throw new Error('no port seen');
  return port;
}

/** Posts `msg` on the raw port and waits for a `response` with its id. */
async function rawRequest(msg: Record<string, unknown>, waitMs = 1500): Promise<string> {
  const p = await rawPort();
  const id = msg.id;
  return new Promise((resolve) => {
    const done = (code: string) => {
      listeners.delete(on);
      clearTimeout(timer);
      resolve(code);
    };
    const on = (m: JsonValue) => {
      if (m && typeof m === 'object' && !Array.isArray(m) && m.type === 'response' && m.id === id) {
        done(m.ok === true ? 'ok' : String((m.error as JsonObject | undefined)?.code ?? 'error'));
      }
    };
    listeners.add(on);
    const timer = setTimeout(() => done('no-response'), waitMs);
    p.postMessage(msg);
  });
}

const codeOf = (e: unknown) => (e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : `threw: ${String(e)}`);
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (e) {
    return codeOf(e);
  }
}

type Attack = { name: string; label: string; run: (card: CardContext, token: string) => Promise<string> };

const DECLARED = 'probe:attack:ping';

export const ATTACKS: Attack[] = [
  { name: 'unknown-type', label: 'Forge unknown message types', run: async () => {
    const p = await rawPort();
    for (const type of ['eval', 'init', 'response', 'labyrinth:connect', '__proto__']) p.postMessage({ type, id: 'x1', code: 'alert(1)' });
    return 'sent';
  } },
  { name: 'malformed', label: 'Send malformed shapes', run: () => rawRequest({ type: 'readAsset', id: 'bad-shape-1', token: { $gt: '' } }) },
  { name: 'bad-id', label: 'Request with an unsafe id', run: () => rawRequest({ type: 'readAsset', id: '../../etc', token: 'x' }) },
  { name: 'duplicate-id', label: 'Reuse a pending request id', run: async () => {
    const p = await rawPort();
    const first = rawRequest({ type: 'requestAsset', id: 'dup-1', assetType: 'image' }, 500);
    p.postMessage({ type: 'readAsset', id: 'dup-1', token: 'lab_ast_x' });
    return `first:${await first}`;
  } },
  { name: 'oversize', label: 'Send an oversize message (300 KB)', run: async () => {
    (await rawPort()).postMessage({ type: 'interactionEvent', name: 'big', detail: 'x'.repeat(300_000) });
    return 'sent';
  } },
  { name: 'parent-message', label: 'postMessage to window.parent', run: async () => {
    window.parent.postMessage({ type: 'setPayload', payload: { forged: true } }, '*');
    window.parent.postMessage({ type: 'labyrinth:frame-ready' }, '*');
    return 'sent';
  } },
  { name: 'forge-snapshot', label: 'Unrequested snapshot (SVG)', run: async () => {
    (await rawPort()).postMessage({ type: 'snapshot', id: 'snap_1', dataUrl: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=' });
    return 'sent';
  } },
  { name: 'read-token', label: 'readAsset with the pasted token', run: async (card, token) => {
    const read = async () => card.readAsset(token || 'lab_ast_not-a-real-token');
    try {
      const a = await read();
      return `ok:${a.data.byteLength}`;
    } catch (e) {
      return codeOf(e);
    }
  } },
  { name: 'subscribe-undeclared', label: 'Subscribe to an undeclared topic', run: (card) => outcome(() => card.subscribe('secret:vault:opened', () => {})) },
  { name: 'subscribe-declared', label: 'Subscribe to a declared topic', run: (card) => outcome(() => card.subscribe('probe:attack:*', () => {})) },
  { name: 'publish-declared', label: 'Publish a declared topic', run: async (card) => {
    card.publish(DECLARED, { hello: 'from the attacker' });
    return 'sent';
  } },
  { name: 'publish-undeclared', label: 'Publish an undeclared topic', run: async (card) => {
    card.publish('timer:countdown:finished', { forged: true });
    return 'sent';
  } },
  { name: 'network', label: 'requestNetwork openai /models', run: (card) => outcome(() => card.requestNetwork('openai', { method: 'GET', path: '/models' })) },
  { name: 'network-absolute', label: 'requestNetwork to an absolute URL', run: () => rawRequest({ type: 'requestNetwork', id: 'abs-1', service: 'openai', request: { method: 'GET', path: 'https://evil.example/' } }) },
  { name: 'call', label: 'Call another plugin', run: (card) => outcome(() => card.call('dev.labyrinth.hello', 'secrets', {})) },
  { name: 'flood', label: 'Flood: 2,000 messages (suspends the card)', run: async () => {
    const p = await rawPort();
    // After the click handler returned: the host removes the frame mid-flood.
    setTimeout(() => { for (let i = 0; i < 2000; i++) p.postMessage({ type: 'interactionEvent', name: 'flood' }); }, 100);
    return 'sent';
  } },
];

/** Attacks "Run all" starts; the flood is left out because it ends the card. */
const SAFE = ATTACKS.filter((a) => a.name !== 'flood');

export const mountPlugin: MountPlugin = (target, props: JsonObject, card) => {
  const root = document.createElement('section');
  root.className = 'attacker';
  root.style.cssText = 'font:13px/1.4 var(--lab-font, system-ui, sans-serif);color:var(--lab-text, #1b1b1f);background:var(--lab-surface, #fff);padding:8px;min-height:100vh;box-sizing:border-box';

  const h = document.createElement('h1');
  h.textContent = 'Bridge attacker';
  h.style.cssText = 'font-size:1.1em;margin:0 0 6px';

  const tokenLabel = document.createElement('label');
  tokenLabel.textContent = 'Token to try ';
  const tokenInput = document.createElement('input');
  tokenInput.dataset.testid = 'attack-token';
  tokenInput.value = typeof props.token === 'string' ? props.token : '';
  tokenInput.size = 24;
  tokenLabel.append(tokenInput);

  const runAll = document.createElement('button');
  runAll.type = 'button';
  runAll.textContent = 'Run all (except flood)';
  runAll.dataset.testid = 'attack-run-all';

  const list = document.createElement('ul');
  list.style.cssText = 'list-style:none;padding:0;margin:6px 0';
  const rows = new Map<string, { li: HTMLLIElement; result: HTMLSpanElement }>();
  let destroyed = false;

  async function run(a: Attack): Promise<void> {
    const row = rows.get(a.name)!;
    row.li.dataset.state = 'running';
    row.result.textContent = '…';
    let code: string;
    try {
      code = await a.run(card, tokenInput.value.trim());
    } catch (e) {
      code = `threw: ${String(e)}`;
    }
    if (destroyed) return;
    row.li.dataset.state = 'done';
    row.li.dataset.code = code;
    row.result.textContent = code;
  }

  for (const a of ATTACKS) {
    const li = document.createElement('li');
    li.dataset.testid = `attack-${a.name}`;
    li.dataset.state = 'idle';
    li.style.cssText = 'display:flex;gap:6px;align-items:center;margin:2px 0';
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = a.label;
    b.onclick = () => void run(a);
    const result = document.createElement('span');
    result.className = 'result';
    result.style.cssText = 'font-family:ui-monospace,monospace;color:var(--lab-text-muted, #55565e)';
    li.append(b, result);
    list.append(li);
    rows.set(a.name, { li, result });
  }
  runAll.onclick = () => void Promise.all(SAFE.map(run));

  // Granted-asset rows: state/code like the attack rows, text for people (and tests) to read.
  const assetRow = (testid: string) => {
    const li = document.createElement('div');
    li.dataset.testid = testid;
    li.dataset.state = 'idle';
    li.style.cssText = 'margin:2px 0;font-family:ui-monospace,monospace';
    return li;
  };
  const settle = (li: HTMLElement, code: string, text: string) => {
    if (destroyed) return;
    li.dataset.state = 'done';
    li.dataset.code = code;
    li.textContent = text;
  };

  const pick = document.createElement('button');
  pick.type = 'button';
  pick.textContent = 'Pick an image';
  pick.dataset.testid = 'attacker-pick';
  const picked = assetRow('attacker-picked');
  pick.onclick = async () => {
    picked.dataset.state = 'running';
    try {
      const h = await card.requestAsset('image');
      const a = await card.readAsset(h.token);
      settle(picked, 'ok', `picked: ${h.name} ${a.data.byteLength} bytes`);
    } catch (e) {
      settle(picked, codeOf(e), `picked: ${codeOf(e)}`);
    }
  };

  const pushed = assetRow('attacker-pushed');
  const offPushed = card.onAssetPushed(async (h) => {
    pushed.dataset.state = 'running';
    try {
      const a = await card.readAsset(h.token);
      settle(pushed, 'ok', `pushed: ${h.name} ${a.data.byteLength} bytes`);
    } catch (e) {
      settle(pushed, codeOf(e), `pushed: ${h.name} ${codeOf(e)}`);
    }
  });

  const log = document.createElement('pre');
  log.dataset.testid = 'probe-received';
  log.style.cssText = 'white-space:pre-wrap;overflow-wrap:anywhere;font-size:11px;max-height:40vh;overflow:auto;border-top:1px solid var(--lab-border, #d4d4d8);margin:0;padding-top:4px';
  const render = () => { log.textContent = received.map((m) => JSON.stringify(m)).join('\n'); };
  const onMessage = () => render();
  listeners.add(onMessage);
  record({
    type: 'init', card: { ...card.card }, props, payload: card.payload, themeTokens: { ...card.theme },
    bounds: { ...card.bounds }, active: card.active, grantedCapabilities: [...card.grantedCapabilities], reconstructed: true,
  });

  root.append(h, tokenLabel, runAll, list, pick, picked, pushed, log);
  target.replaceChildren(root);

  return {
    update(p) { if (typeof p.token === 'string') tokenInput.value = p.token; },
    destroy() { destroyed = true; offPushed(); listeners.delete(onMessage); root.remove(); },
  };
};
