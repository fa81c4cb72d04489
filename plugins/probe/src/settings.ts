/**
 * Test-only card for plugin settings and storage: what a person (or an E2E test) sees is in
 * `data-*` attributes.
 *
 * - `<output data-testid="settings-greeting">`: the plugin's `greeting` setting, replaced live on
 *   `configChanged` (`data-changes` counts the pushes).
 * - Note: the text box and Save keep a note in the person's storage (`storage.set('note', …)`);
 *   `<output data-testid="settings-note">` shows what `storage.get('note')` read at mount and
 *   after each save (`data-version`).
 * - Fill: writes 256 KiB values until the host refuses; `<output data-testid="settings-error">`
 *   shows the refusal's code in `data-code`.
 */
import type { CardContext, JsonObject, MountPlugin } from '@labyrinth/sdk';

const codeOf = (e: unknown) => (e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : String(e));

export const mountPlugin: MountPlugin = (target, _props: JsonObject, card: CardContext) => {
  const root = document.createElement('section');
  root.style.cssText = 'font:13px/1.4 var(--lab-font, system-ui, sans-serif);color:var(--lab-text, #1b1b1f);background:var(--lab-surface, #fff);padding:8px;min-height:100vh;box-sizing:border-box;display:grid;gap:6px;align-content:start';
  const row = (...nodes: Node[]) => { const d = document.createElement('div'); d.style.cssText = 'display:flex;gap:6px;align-items:center'; d.append(...nodes); return d; };
  const out = (testid: string) => { const o = document.createElement('output'); o.dataset.testid = testid; return o; };
  const button = (text: string, testid: string, onclick: () => void) => {
    const b = document.createElement('button'); b.type = 'button'; b.textContent = text; b.dataset.testid = testid; b.onclick = onclick; return b;
  };

  const greeting = out('settings-greeting');
  let changes = 0;
  const showConfig = (config: JsonObject) => {
    greeting.textContent = String(config.greeting ?? '');
    greeting.dataset.changes = String(changes);
  };
  showConfig(card.config);
  const offConfig = card.onConfigChanged((config) => { changes++; showConfig(config); });

  const note = out('settings-note');
  const error = out('settings-error');
  const fail = (e: unknown) => { error.dataset.code = codeOf(e); error.textContent = `${codeOf(e)}: ${e instanceof Error ? e.message : String(e)}`; };
  const showNote = async () => {
    try {
      const item = await card.storage.get('note');
      note.textContent = item ? String(item.value) : '(no note)';
      note.dataset.version = String(item?.version ?? 0);
    } catch (e) { fail(e); }
  };

  const input = document.createElement('input');
  input.dataset.testid = 'settings-input';
  input.setAttribute('aria-label', 'Note');
  const save = button('Save note', 'settings-save-note', () => {
    void card.storage.set('note', input.value).then(() => showNote(), fail);
  });
  const fill = button('Fill storage', 'settings-fill', () => {
    void (async () => {
      const big = 'x'.repeat(250 * 1024);
      try {
        for (let i = 0; i < 100; i++) await card.storage.set(`fill/${i}`, big);
        error.dataset.code = 'none';
      } catch (e) { fail(e); }
    })();
  });

  const h = document.createElement('h1');
  h.textContent = 'Settings probe';
  h.style.cssText = 'font-size:1.1em;margin:0';
  root.append(h, row(document.createTextNode('Greeting:'), greeting), row(input, save), row(document.createTextNode('Note:'), note), row(fill, error));
  target.append(root);
  void showNote();
  return () => { offConfig(); root.remove(); };
};
