// The Dashboard's admin-only page: which plugins contribute widgets right now. Members never see
// it in the navigation, and the host serves neither its frame nor this code to them.
import { defineCard, type CardContext } from '@labyrinth/sdk';
import type { Widget } from './registry';

export const mountPlugin = defineCard((target, _props, card: CardContext) => {
  const root = document.createElement('div');
  root.style.cssText = 'padding:16px;font:14px system-ui,sans-serif;color:var(--lab-text,#1b1b1f)';
  const intro = document.createElement('p');
  intro.textContent = 'Widgets on the dashboard in this tab, by the plugin that contributes them. The number of columns is set in the plugin\'s configuration (Plugins → Dashboard).';
  const list = document.createElement('ul');
  list.dataset.testid = 'dashboard-providers';
  root.append(intro, list);
  target.append(root);
  let stopped = false;
  async function refresh(): Promise<void> {
    try {
      const { widgets } = await card.call('dev.labyrinth.dashboard', 'widgets.list', {}) as unknown as { widgets: Widget[] };
      list.replaceChildren(...(widgets.length === 0 ? [Object.assign(document.createElement('li'), { textContent: 'No widgets yet.' })]
        : widgets.map((w) => Object.assign(document.createElement('li'), { textContent: `${w.title} — ${w.owner}` }))));
    } catch (e) {
      list.replaceChildren(Object.assign(document.createElement('li'), { textContent: e instanceof Error ? e.message : String(e) }));
    }
    if (!stopped) setTimeout(() => void refresh(), 3000);
  }
  void refresh();
  return () => { stopped = true; root.remove(); };
});
