// The Clock widget: a background service that puts a clock on the Dashboard through its API and
// updates it every second (which also renews the widget: when this plugin is disabled or killed
// the updates stop and the dashboard drops it). The time zone is the admin's configuration and
// follows it live.
import { defineService, type JsonObject, type ServiceContext } from '@labyrinth/sdk';

const DASHBOARD = 'dev.labyrinth.dashboard';
const WIDGET = 'clock';

function zoneOf(config: JsonObject): string {
  return typeof config.timeZone === 'string' && config.timeZone.length > 0 ? config.timeZone : 'UTC';
}

function face(zone: string, at = new Date()): { text: string; detail: string } {
  try {
    return { text: at.toLocaleTimeString('en-GB', { timeZone: zone, hour12: false }), detail: zone };
  } catch {
    return { text: at.toLocaleTimeString('en-GB', { timeZone: 'UTC', hour12: false }), detail: `UTC (unknown zone ${zone})` };
  }
}

let ctx: ServiceContext | null = null;
let timer: ReturnType<typeof setInterval> | null = null;
let zone = 'UTC';
let registered = false;
let busy = false;

async function tick(): Promise<void> {
  if (!ctx || busy) return;
  busy = true;
  try {
    const f = face(zone);
    if (!registered) {
      await ctx.call(DASHBOARD, 'widgets.register', { id: WIDGET, title: 'Clock', ...f });
      registered = true;
    } else {
      const { found } = await ctx.call(DASHBOARD, 'widgets.update', { id: WIDGET, ...f }) as { found: boolean };
      // The dashboard's service restarted (or dropped us): register again on the next tick.
      if (!found) registered = false;
    }
  } catch (e) {
    registered = false;
    ctx.log.warn('The dashboard did not take the clock:', e);
  } finally {
    busy = false;
  }
}

export const service = defineService({
  onActivate(context, { reason }) {
    ctx = context;
    zone = zoneOf(context.config);
    context.log.info(`Clock widget ${reason} (${zone}).`);
    context.onConfigChanged((config) => {
      zone = zoneOf(config);
      void tick();
    });
    void tick();
    timer = setInterval(() => void tick(), 1000);
  },
  async onDeactivate() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    // Best effort: a disabled or killed plugin's calls are refused, and the lease ends the widget anyway.
    if (registered) await ctx?.call(DASHBOARD, 'widgets.unregister', { id: WIDGET }).catch(() => {});
  },
});
