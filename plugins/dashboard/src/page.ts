// The Dashboard page: a grid of the widgets other plugins contribute. It asks the registry once
// (widgets.list) and then follows widgets:registry:changed; the person's arrangement is kept in
// their own storage (scope "user"), the number of columns is the admin's configuration.
import { defineCard, type CardContext, type JsonValue } from '@labyrinth/sdk';
import { arrange, move, type Widget } from './registry';

const SELF = 'dev.labyrinth.dashboard';
const LAYOUT_KEY = 'layout';

function columnsOf(config: Record<string, JsonValue>): number {
  const n = config.columns;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 4 ? n : 2;
}

export const mountPlugin = defineCard((target, _props, card: CardContext) => {
  let widgets: Widget[] = [];
  let order: string[] = [];
  let version: number | undefined;
  const style = document.createElement('style');
  style.textContent = `
    .dash { padding: 16px; font: 14px system-ui, sans-serif; color: var(--lab-text, #1b1b1f); }
    .grid { display: grid; gap: 12px; }
    .tile { border: 1px solid var(--lab-border, #ddd); border-radius: 10px; padding: 12px 14px; background: var(--lab-surface, #fff); }
    .tile h2 { margin: 0 0 6px; font-size: 13px; font-weight: 600; color: var(--lab-muted, #555); display: flex; justify-content: space-between; gap: 8px; }
    .tile .text { font-size: 28px; font-weight: 650; font-variant-numeric: tabular-nums; }
    .tile .detail { margin-top: 4px; font-size: 12px; color: var(--lab-muted, #666); }
    .tile button { border: 1px solid var(--lab-border, #ccc); background: none; color: inherit; border-radius: 6px; cursor: pointer; padding: 0 6px; }
    .empty, .status { color: var(--lab-muted, #666); }
    .empty { grid-column: 1 / -1; margin: 0; }
    .status { min-height: 1.2em; font-size: 12px; margin-top: 12px; }`;
  const grid = document.createElement('div');
  grid.className = 'grid';
  grid.dataset.testid = 'dashboard-grid';
  const status = document.createElement('p');
  status.className = 'status';
  status.setAttribute('role', 'status');
  const root = document.createElement('div');
  root.className = 'dash';
  root.append(style, grid, status);
  target.append(root);

  function render(): void {
    grid.style.gridTemplateColumns = `repeat(${columnsOf(card.config)}, minmax(0, 1fr))`;
    grid.dataset.columns = String(columnsOf(card.config));
    const shown = arrange(widgets, order);
    if (shown.length === 0) {
      const p = document.createElement('p');
      p.className = 'empty';
      p.dataset.testid = 'dashboard-empty';
      p.textContent = 'No widgets yet. Plugins that extend the dashboard (like the Clock widget) add theirs here.';
      grid.replaceChildren(p);
      return;
    }
    grid.replaceChildren(...shown.map((w, i) => {
      const tile = document.createElement('section');
      tile.className = 'tile';
      tile.dataset.testid = 'dashboard-widget';
      tile.dataset.key = w.key;
      const h = document.createElement('h2');
      const title = document.createElement('span');
      title.textContent = w.title;
      const moves = document.createElement('span');
      for (const [label, delta, name] of [['◀', -1, 'earlier'], ['▶', 1, 'later']] as const) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = label;
        b.disabled = (delta < 0 && i === 0) || (delta > 0 && i === shown.length - 1);
        b.setAttribute('aria-label', `Move ${w.title} ${name}`);
        b.dataset.testid = `dashboard-move-${name}`;
        b.onclick = () => void reorder(shown.map((s) => s.key), w.key, delta);
        moves.append(b);
      }
      h.append(title, moves);
      const text = document.createElement('div');
      text.className = 'text';
      text.dataset.testid = 'dashboard-widget-text';
      text.textContent = w.text;
      tile.append(h, text);
      if (w.detail) {
        const d = document.createElement('div');
        d.className = 'detail';
        d.textContent = w.detail;
        tile.append(d);
      }
      return tile;
    }));
  }

  async function reorder(keys: string[], key: string, delta: number): Promise<void> {
    order = move(keys, key, delta);
    render();
    try {
      // Optimistic: another tab that saved meanwhile wins, and this one reloads what it saved.
      const saved = await card.storage.set(LAYOUT_KEY, { order }, version === undefined ? { scope: 'user' } : { scope: 'user', ifVersion: version });
      version = saved.version;
      status.textContent = '';
    } catch (e) {
      status.textContent = e instanceof Error ? e.message : String(e);
      await loadLayout();
      render();
    }
  }

  async function loadLayout(): Promise<void> {
    try {
      const item = await card.storage.get(LAYOUT_KEY, { scope: 'user' });
      const saved = (item?.value as { order?: unknown } | undefined)?.order;
      order = Array.isArray(saved) ? saved.filter((k): k is string => typeof k === 'string') : [];
      version = item?.version ?? 0;
    } catch (e) {
      status.textContent = `Your arrangement could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  const sub = card.subscribe('widgets:registry:changed', (payload) => {
    const list = (payload as { widgets?: Widget[] } | null)?.widgets;
    if (Array.isArray(list)) {
      widgets = list;
      render();
    }
  });
  const offConfig = card.onConfigChanged(() => render());

  render();
  void (async () => {
    await loadLayout();
    try {
      const { widgets: list } = await card.call(SELF, 'widgets.list', {}) as unknown as { widgets: Widget[] };
      widgets = list;
    } catch (e) {
      status.textContent = `The widget list could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    }
    render();
  })();

  return {
    destroy() {
      void sub.then((off) => off(), () => {});
      offConfig();
      root.remove();
    },
  };
});
