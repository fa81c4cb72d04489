// The World clock card: asks the Time zones plugin's API for the time in the zones the person
// picked, once a second. It has no clock code of its own: the host starts the provider's service
// when the first call needs it, checks the input and answer against the provider's schemas, and
// says why a call failed (with a pointer when the input was wrong).
import { defineCard, type ApiProblem, type CardContext, type JsonValue } from '@labyrinth/sdk';

const PROVIDER = 'dev.labyrinth.timezones';
const DEFAULT_ZONES = ['Europe/Paris', 'Asia/Tokyo', 'America/New_York'];

interface Saved { zones?: string[] }

function zonesOf(payload: JsonValue | null): string[] {
  const zones = (payload as Saved | null)?.zones;
  return Array.isArray(zones) && zones.every((z) => typeof z === 'string') ? zones.slice(0, 8) : [...DEFAULT_ZONES];
}

export const mountPlugin = defineCard((target, _props, card: CardContext) => {
  let zones = zonesOf(card.payload);
  const list = document.createElement('ul');
  list.className = 'times';
  const status = document.createElement('p');
  status.className = 'status';
  status.setAttribute('role', 'status');
  status.dataset.testid = 'clock-status';
  // Not a <form>: a sandboxed frame without allow-forms blocks submission before any submit event.
  const form = document.createElement('div');
  form.className = 'add';
  const input = document.createElement('input');
  input.placeholder = 'Add a zone, e.g. Asia/Dubai';
  input.dataset.testid = 'clock-zone';
  input.setAttribute('aria-label', 'Time zone to add');
  const add = document.createElement('button');
  add.type = 'button';
  add.textContent = 'Add';
  add.dataset.testid = 'clock-add';
  form.append(input, add);
  const style = document.createElement('style');
  style.textContent = `
    .clock { padding: 12px; font: 14px system-ui, sans-serif; color: var(--lab-text, #1b1b1f); }
    .times { list-style: none; margin: 0 0 8px; padding: 0; }
    .times li { display: flex; justify-content: space-between; gap: 8px; padding: 4px 0; border-bottom: 1px solid var(--lab-border, #ddd); }
    .times .t { font-variant-numeric: tabular-nums; font-weight: 600; }
    .times button { border: 0; background: none; color: inherit; cursor: pointer; }
    .status { min-height: 1.2em; margin: 4px 0; font-size: 12px; color: var(--lab-muted, #666); }
    .status.error { color: var(--lab-danger, #b00020); }
    .add { display: flex; gap: 6px; } input { flex: 1; min-width: 0; }`;
  const root = document.createElement('div');
  root.className = 'clock';
  root.append(style, list, status, form);
  target.append(root);

  let busy = false;
  let holdUntil = 0;
  async function tick(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      const { times } = await card.call(PROVIDER, 'formatTimes', { zones }, { timeout: 3000 }) as { times: { zone: string; text: string; offset: string }[] };
      list.replaceChildren(...times.map((t, i) => {
        const li = document.createElement('li');
        li.dataset.testid = 'clock-time';
        li.dataset.zone = t.zone;
        const name = document.createElement('span');
        name.textContent = `${t.zone.replace(/_/g, ' ')} (${t.offset})`;
        const time = document.createElement('span');
        time.className = 't';
        time.textContent = t.text;
        const remove = document.createElement('button');
        remove.textContent = '×';
        remove.setAttribute('aria-label', `Remove ${t.zone}`);
        remove.onclick = () => { zones = zones.filter((_, j) => j !== i); card.setPayload({ zones }); void tick(); };
        li.append(name, time, remove);
        return li;
      }));
      // A refused zone stays on screen for a while so the person can read why.
      if (Date.now() >= holdUntil) {
        status.classList.remove('error');
        status.textContent = `Answered by ${PROVIDER}`;
        status.dataset.code = 'ok';
      }
    } catch (e) {
      show(e);
    } finally {
      busy = false;
    }
  }

  // The error comes from the bootstrap's copy of the SDK, so it is read by shape, not instanceof.
  const bridgeError = (e: unknown): { code: string; message: string; problems: readonly ApiProblem[] } | null =>
    typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
      ? { code: (e as { code: string }).code, message: String((e as { message?: unknown }).message ?? ''), problems: (e as { problems?: ApiProblem[] }).problems ?? [] }
      : null;

  function show(failure: unknown, hold = false): void {
    if (hold) holdUntil = Date.now() + 5000;
    const e = bridgeError(failure);
    status.classList.add('error');
    status.dataset.code = e?.code ?? 'error';
    if (e) {
      const where = e.problems[0] ? ` (${e.problems[0].pointer}: ${e.problems[0].message})` : '';
      status.textContent = `${e.code}${where}`;
      card.log.warn('formatTimes failed:', e.code, e.message);
    } else {
      status.textContent = String(failure);
    }
  }

  const addZone = async () => {
    const zone = input.value.trim();
    if (!zone) return;
    const next = [...zones, zone];
    try {
      // Checked by the host against the provider's schema before the provider sees it.
      await card.call(PROVIDER, 'formatTimes', { zones: next });
      zones = next;
      input.value = '';
      holdUntil = 0;
      card.setPayload({ zones });
      void tick();
    } catch (e) {
      show(e, true);
    }
  };
  add.onclick = () => void addZone();
  input.onkeydown = (ev) => { if (ev.key === 'Enter') void addZone(); };

  void tick();
  const timer = setInterval(() => void tick(), 1000);
  return { destroy() { clearInterval(timer); root.remove(); } };
});
