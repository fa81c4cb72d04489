/**
 * Test-only card for the workspace bus: each control is a row a person (or an E2E test) clicks,
 * and each outcome is visible and in `data-*` attributes.
 *
 * - Listen: subscribes to `probe:bus:ping`; every message becomes `<li data-testid="bus-event">`
 *   with `data-text`, `data-from-plugin`, `data-from-type`.
 * - Answer: responds to `probe:bus:ask` with `{ doubled: n * 2 }`.
 * - Send: publishes `probe:bus:ping` with the text box's value.
 * - Ask: requests `probe:bus:ask` with `{ n: 21 }`; `<output data-testid="bus-answer">` shows
 *   the answer or the error code (`data-code`).
 * - History: how many `probe:bus:*` messages the bus kept for this card.
 * - `<output data-testid="bus-status">` carries `data-granted` (crossCard:pubsub now) and
 *   `data-state` (listening, answering, echoing) or `data-error` (`<button>:<code>`).
 * - Echo + Bench: round trips for bench/bus (publish `probe:bus:ping`, the echoing card answers
 *   on `probe:bus:pong`); `<output data-testid="bus-bench">` gets `data-p50-ms`, `data-p90-ms`.
 */
import type { CardContext, JsonObject, JsonValue, MountPlugin } from '@labyrinth/sdk';

const codeOf = (e: unknown) => (e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : String(e));
/** One clock for every frame of the browser: each frame's performance.now() has its own origin. */
const now = () => performance.timeOrigin + performance.now();

export const mountPlugin: MountPlugin = (target, _props: JsonObject, card: CardContext) => {
  const root = document.createElement('section');
  root.style.cssText = 'font:13px/1.4 var(--lab-font, system-ui, sans-serif);color:var(--lab-text, #1b1b1f);background:var(--lab-surface, #fff);padding:8px;min-height:100vh;box-sizing:border-box';
  const h = document.createElement('h1');
  h.textContent = 'Bus probe';
  h.style.cssText = 'font-size:1.1em;margin:0 0 6px';
  const status = document.createElement('output');
  status.dataset.testid = 'bus-status';
  const events = document.createElement('ul');
  events.dataset.testid = 'bus-events';
  events.style.cssText = 'margin:4px 0;padding-left:18px;max-height:30vh;overflow:auto';
  const answer = document.createElement('output');
  answer.dataset.testid = 'bus-answer';
  const history = document.createElement('output');
  history.dataset.testid = 'bus-history';
  const bench = document.createElement('output');
  bench.dataset.testid = 'bus-bench';
  const text = document.createElement('input');
  text.dataset.testid = 'bus-text';
  text.value = 'hello';
  text.size = 14;
  text.setAttribute('aria-label', 'Message');

  const offs: (() => void)[] = [];
  let destroyed = false;
  const states = new Set<string>();
  const mark = (s: string) => { states.add(s); status.textContent = [...states].join(' '); status.dataset.state = [...states].join(' '); };
  const fail = (what: string, e: unknown) => { status.dataset.error = `${what}:${codeOf(e)}`; status.textContent = `${what} failed: ${codeOf(e)}`; };

  // Whether the person let this card use the bus (the host pushes grant changes).
  const showGrant = (caps: readonly string[]) => { status.dataset.granted = String(caps.includes('crossCard:pubsub')); };
  showGrant(card.grantedCapabilities);
  offs.push(card.onGrantsChanged(showGrant));

  const pongs = new Map<number, () => void>();
  const button = (testid: string, label: string, run: () => Promise<void> | void) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.dataset.testid = testid;
    b.onclick = () => void Promise.resolve(run()).catch((e: unknown) => fail(testid, e));
    return b;
  };

  const listen = button('bus-listen', 'Listen', async () => {
    offs.push(await card.subscribe('probe:bus:ping', (payload, e) => {
      if (destroyed) return;
      const p = (payload ?? {}) as { text?: JsonValue; seq?: number };
      if (typeof p.seq === 'number') return; // bench traffic is not shown
      const li = document.createElement('li');
      li.dataset.testid = 'bus-event';
      li.dataset.text = String(p.text ?? '');
      li.dataset.fromPlugin = e.from.pluginId;
      li.dataset.fromType = e.from.typeID;
      li.textContent = `${e.topic} from ${e.from.typeID}: ${String(p.text ?? '')}`;
      events.append(li);
    }));
    mark('listening');
  });
  const respond = button('bus-respond', 'Answer requests', async () => {
    offs.push(await card.respond('probe:bus:ask', (payload) => ({ doubled: Number((payload as { n?: number } | null)?.n ?? 0) * 2 })));
    mark('answering');
  });
  const send = button('bus-send', 'Send', () => card.publish('probe:bus:ping', { text: text.value }));
  const ask = button('bus-ask', 'Ask', async () => {
    answer.dataset.state = 'running';
    try {
      const r = (await card.request('probe:bus:ask', { n: 21 }, { timeout: 3000 })) as { doubled?: number };
      answer.dataset.code = 'ok';
      answer.textContent = String(r.doubled);
    } catch (e) {
      answer.dataset.code = codeOf(e);
      answer.textContent = codeOf(e);
    }
    answer.dataset.state = 'done';
  });
  const readHistory = button('bus-read-history', 'History', async () => {
    const messages = await card.history('probe:bus:*', { limit: 1000 });
    history.dataset.count = String(messages.filter((m) => typeof (m.payload as { seq?: unknown } | null)?.seq !== 'number').length);
    history.textContent = `${history.dataset.count} in history`;
  });
  const echo = button('bus-echo', 'Echo', async () => {
    offs.push(await card.subscribe('probe:bus:ping', (payload) => {
      const seq = (payload as { seq?: unknown } | null)?.seq;
      if (typeof seq === 'number') card.publish('probe:bus:pong', { seq });
    }));
    mark('echoing');
  });
  const runBench = button('bus-run-bench', 'Bench', async () => {
    const n = Number(bench.dataset.runs ?? '200');
    offs.push(await card.subscribe('probe:bus:pong', (payload) => {
      const seq = (payload as { seq?: unknown } | null)?.seq;
      if (typeof seq === 'number') pongs.get(seq)?.();
    }));
    const oneWay: number[] = [];
    for (let seq = 0; seq < n && !destroyed; seq++) {
      const t0 = now();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => { pongs.delete(seq); reject(new Error(`no pong for ${seq}`)); }, 5000);
        pongs.set(seq, () => { clearTimeout(timer); pongs.delete(seq); resolve(); });
        card.publish('probe:bus:ping', { seq });
      });
      oneWay.push((now() - t0) / 2);
      // Stay under the per-plugin publish rate whatever the host sets.
      if (seq % 20 === 19) await new Promise((r) => setTimeout(r, 10));
    }
    oneWay.sort((a, b) => a - b);
    const q = (p: number) => oneWay[Math.min(oneWay.length - 1, Math.floor(p * oneWay.length))]!;
    bench.dataset.p50Ms = q(0.5).toFixed(3);
    bench.dataset.p90Ms = q(0.9).toFixed(3);
    bench.dataset.count = String(oneWay.length);
    bench.textContent = `one way p50 ${bench.dataset.p50Ms} ms, p90 ${bench.dataset.p90Ms} ms (${oneWay.length})`;
  });

  const row = (...nodes: Node[]) => {
    const d = document.createElement('div');
    d.style.cssText = 'display:flex;gap:6px;align-items:center;margin:3px 0;flex-wrap:wrap';
    d.append(...nodes);
    return d;
  };
  root.append(h, row(listen, respond, echo), row(text, send, ask, answer), row(readHistory, history, runBench, bench), status, events);
  target.replaceChildren(root);
  return { destroy() { destroyed = true; for (const off of offs) off(); root.remove(); } };
};
