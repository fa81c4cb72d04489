// The Dashboard's background service: holds this tab's widget registry and answers the API other
// plugins call (the host checked every input against the manifest's schemas and tells us only the
// calling plugin's id). Every change is published on widgets:registry:changed with the whole list,
// so the page redraws without asking.
import { defineService, type JsonValue, type ServiceContext } from '@labyrinth/sdk';
import { Registry } from './registry';

const registry = new Registry();
let ctx: ServiceContext | null = null;
let sweep: ReturnType<typeof setInterval> | null = null;

function changed(): void {
  try {
    ctx?.publish('widgets:registry:changed', { widgets: registry.list() as unknown as JsonValue });
  } catch (e) {
    ctx?.log.warn('Could not publish the widget list:', e);
  }
}

export const service = defineService({
  onActivate(context, { reason }) {
    ctx = context;
    context.log.info(`Dashboard registry ${reason}.`);
    sweep = setInterval(() => { if (registry.expire(Date.now())) changed(); }, 1000);
  },
  onDeactivate() {
    if (sweep !== null) clearInterval(sweep);
  },
  api: {
    'widgets.register'(input, { caller }) {
      const w = input as { id: string; title: string; text: string; detail?: string };
      const key = registry.register(caller, w, Date.now());
      if (key === null) throw new Error('The dashboard is full (64 widgets).');
      changed();
      return { key };
    },
    'widgets.update'(input, { caller }) {
      const { id, text, detail } = input as { id: string; text: string; detail?: string };
      const found = registry.update(caller, id, text, detail, Date.now());
      if (found) changed();
      return { found };
    },
    'widgets.unregister'(input, { caller }) {
      const removed = registry.unregister(caller, (input as { id: string }).id);
      if (removed) changed();
      return { removed };
    },
    'widgets.list'() {
      return { widgets: registry.list() as unknown as JsonValue };
    },
  },
});
