// Background services in this tab (docs/api.md "Background services"): each runs in a hidden
// sandboxed frame on its plugin's card origin, through the same bridge as a card. Started when
// something needs it here (a call to its plugin's API, one of its plugin's cards opening),
// stopped after an idle period, restarted with backoff when it crashes or hangs (the card
// watchdog's "not responding"), stopped at once when its plugin is killed, disabled or removed,
// and restarted on a new version. The frame itself is made by `start` (injected), so these rules
// are testable without a browser.
import type { AppInfo, AppServiceInfo, LocalService, ServiceState } from './types';

export type ActivateReason = 'started' | 'enabled' | 'upgraded' | 'restarted' | 'configChanged';
export type DeactivateReason = 'idle' | 'disabled' | 'killed' | 'uninstalled' | 'stopped' | 'upgraded' | 'closed';

/** One running frame of a service, as the bridge reports it. */
export interface ServiceFrame {
  /** The card watchdog's states: 'unresponsive' (no pong for 5 s), 'error' and 'suspended' count as a crash. */
  readonly status: 'loading' | 'ready' | 'unresponsive' | 'error' | 'suspended' | 'closed';
  readonly error: string | null;
  /** Resolves true once the service activated and the host accepted it as a bus member; false if it failed first. */
  readonly ready: Promise<boolean>;
  /** Asks the service to run `onDeactivate`, then removes the frame (at most `graceMs` later). */
  deactivate(reason: DeactivateReason, graceMs: number): void;
  /** Removes the frame now: no plugin code runs after this. */
  destroy(): void;
}

export type StartService = (app: AppInfo, service: AppServiceInfo, reason: ActivateReason) => ServiceFrame;

export interface ServiceHostOptions {
  start: StartService;
  /** Enabled app plugins as /api/apps lists them now. */
  apps: () => readonly AppInfo[];
  /** Whether one of the plugin's cards is open in this tab (it keeps the plugin's services up). */
  cardsOpen?: (pluginId: string) => boolean;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (h: unknown) => void;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (h: unknown) => void;
  idleMs?: number;
  /** How long `ensure` waits for a starting service. */
  readyTimeoutMs?: number;
  onChange?: () => void;
}

/** Restart delays after consecutive crashes; after the last one the service stays failed until a person restarts it. */
export const RESTART_BACKOFF_MS = [1000, 2000, 4000, 8000, 16000] as const;
/** A service that ran this long without crashing starts its backoff over. */
export const HEALTHY_AFTER_MS = 60_000;
export const IDLE_MS = 5 * 60_000;
export const DEACTIVATE_GRACE_MS = 2000;
export const WATCH_INTERVAL_MS = 1000;

interface Entry {
  app: AppInfo;
  service: AppServiceInfo;
  frame: ServiceFrame | null;
  state: ServiceState;
  since: number;
  startedAt: number;
  lastUse: number;
  crashes: number;
  restarts: number;
  lastError: string | null;
  restartTimer: unknown;
  ready: Promise<boolean>;
}

const key = (pluginId: string, serviceId: string) => `${pluginId}\u0000${serviceId}`;

export class ServiceHost {
  readonly #o: ServiceHostOptions;
  readonly #entries = new Map<string, Entry>();
  /** Services that ran here until their plugin was disabled: enabled again, they start again (`enabled`). */
  readonly #disabled = new Set<string>();
  #watch: unknown = null;

  constructor(options: ServiceHostOptions) {
    this.#o = options;
  }

  #now(): number {
    return this.#o.now?.() ?? performance.now();
  }

  #setTimeout(fn: () => void, ms: number): unknown {
    return this.#o.setTimeout ? this.#o.setTimeout(fn, ms) : setTimeout(fn, ms);
  }

  #clearTimeout(h: unknown): void {
    if (h === null || h === undefined) return;
    if (this.#o.clearTimeout) this.#o.clearTimeout(h);
    else clearTimeout(h as ReturnType<typeof setTimeout>);
  }

  /** What this tab runs (the Running apps panel). */
  list(): LocalService[] {
    return [...this.#entries.values()].map((e) => ({
      pluginId: e.app.pluginId, serviceId: e.service.id, version: e.app.version, state: e.state, since: e.since, restarts: e.restarts, lastError: e.lastError,
    }));
  }

  /**
   * Makes sure the service answering `pluginId`'s API (or `serviceId`) runs here; resolves whether
   * it is ready. A failed service (too many crashes) is not started again by a call; a stopped one is.
   */
  ensure(pluginId: string, serviceId?: string, reason: ActivateReason = 'started'): Promise<boolean> {
    const app = this.#o.apps().find((a) => a.pluginId === pluginId);
    const id = serviceId ?? app?.api?.service ?? app?.services[0]?.id;
    const service = app?.services.find((s) => s.id === id);
    if (!app || !service) return Promise.resolve(false);
    const k = key(pluginId, service.id);
    let e = this.#entries.get(k);
    if (e) {
      e.lastUse = this.#now();
      // A failed service waits for a person's Restart; one the person stopped starts again when something needs it.
      if (e.state === 'failed') return Promise.resolve(false);
      if (e.state !== 'stopped') return e.ready;
      this.#entries.delete(k);
    }
    e = {
      app, service, frame: null, state: 'starting', since: this.#now(), startedAt: 0, lastUse: this.#now(), crashes: 0, restarts: 0, lastError: null,
      restartTimer: null, ready: Promise.resolve(false),
    };
    this.#entries.set(k, e);
    this.#launch(e, reason);
    this.#watchStart();
    return this.#withTimeout(e.ready);
  }

  /** The plugin's cards or calls used it: it is not idle. */
  touch(pluginId: string): void {
    for (const e of this.#entries.values()) if (e.app.pluginId === pluginId) e.lastUse = this.#now();
  }

  /** Stops every service of `pluginId` (or one); killed plugins' frames go at once, without running plugin code. */
  stop(pluginId: string, reason: DeactivateReason, serviceId?: string): void {
    // Killed or stopped on purpose: enabling the plugin again does not bring these back.
    for (const k of [...this.#disabled]) if (k.startsWith(`${pluginId}\u0000`)) this.#disabled.delete(k);
    for (const [k, e] of [...this.#entries]) {
      if (e.app.pluginId !== pluginId || (serviceId !== undefined && e.service.id !== serviceId)) continue;
      this.#halt(e, reason);
      if (reason === 'stopped') {
        // Kept in the list so the person sees it stopped and can start it again.
        e.state = 'stopped';
      } else {
        this.#entries.delete(k);
      }
    }
    this.#changed();
  }

  /** Restarts a service the person chose (also one that failed or was stopped). */
  restart(pluginId: string, serviceId: string): Promise<boolean> {
    const e = this.#entries.get(key(pluginId, serviceId));
    if (e) {
      this.#halt(e, 'stopped');
      this.#entries.delete(key(pluginId, serviceId));
    }
    return this.ensure(pluginId, serviceId, 'restarted');
  }

  /**
   * The app list changed (enable, disable, kill, upgrade): stop what may no longer run, restart
   * what changed version, and start again what ran here before its plugin was disabled.
   */
  appsChanged(): void {
    const apps = this.#o.apps();
    for (const [k, e] of [...this.#entries]) {
      const app = apps.find((a) => a.pluginId === e.app.pluginId);
      const service = app?.services.find((s) => s.id === e.service.id);
      if (!app || !service) {
        if (e.state !== 'stopped' && e.state !== 'failed') this.#disabled.add(k);
        this.#halt(e, 'disabled');
        this.#entries.delete(k);
      } else if (app.version !== e.app.version) {
        const wasRunning = e.state !== 'stopped' && e.state !== 'failed';
        this.#halt(e, 'upgraded');
        this.#entries.delete(k);
        if (wasRunning) void this.ensure(app.pluginId, service.id, 'upgraded');
      }
    }
    for (const k of [...this.#disabled]) {
      const [pluginId, serviceId] = k.split('\u0000') as [string, string];
      if (!apps.some((a) => a.pluginId === pluginId && a.services.some((s) => s.id === serviceId))) continue;
      this.#disabled.delete(k);
      void this.ensure(pluginId, serviceId, 'enabled');
    }
    this.#changed();
  }

  /**
   * An admin saved `pluginId`'s configuration. Running services hear it through the bridge
   * (`configChanged`); a service that failed (perhaps for want of a setting) gets another start
   * with reason `configChanged`, its backoff forgotten.
   */
  configChanged(pluginId: string): void {
    for (const [k, e] of [...this.#entries]) {
      if (e.app.pluginId !== pluginId || e.state !== 'failed') continue;
      this.#entries.delete(k);
      void this.ensure(pluginId, e.service.id, 'configChanged');
    }
  }

  /** Closes everything (the tab is going). */
  dispose(): void {
    for (const e of this.#entries.values()) this.#halt(e, 'closed');
    this.#entries.clear();
    if (this.#watch !== null) (this.#o.clearInterval ?? ((h) => clearInterval(h as ReturnType<typeof setInterval>)))(this.#watch);
    this.#watch = null;
  }

  #launch(e: Entry, reason: ActivateReason): void {
    e.state = e.restarts > 0 || reason === 'restarted' ? 'restarting' : 'starting';
    e.startedAt = this.#now();
    let frame: ServiceFrame;
    try {
      frame = this.#o.start(e.app, e.service, reason);
    } catch (err) {
      e.frame = null;
      e.ready = Promise.resolve(false);
      this.#crashed(e, err instanceof Error ? err.message : String(err));
      return;
    }
    e.frame = frame;
    e.ready = frame.ready.then((ok) => {
      if (e.frame !== frame) return false;
      if (ok) {
        e.state = 'running';
        this.#changed();
      }
      return ok;
    });
    this.#changed();
  }

  #halt(e: Entry, reason: DeactivateReason): void {
    this.#clearTimeout(e.restartTimer);
    e.restartTimer = null;
    const frame = e.frame;
    e.frame = null;
    if (!frame) return;
    if (reason === 'killed' || reason === 'closed') frame.destroy();
    else frame.deactivate(reason, DEACTIVATE_GRACE_MS);
  }

  #crashed(e: Entry, why: string): void {
    const frame = e.frame;
    e.frame = null;
    frame?.destroy();
    e.lastError = why;
    if (this.#now() - e.startedAt >= HEALTHY_AFTER_MS) e.crashes = 0;
    if (e.crashes >= RESTART_BACKOFF_MS.length) {
      e.state = 'failed';
      this.#changed();
      return;
    }
    const delay = RESTART_BACKOFF_MS[e.crashes]!;
    e.crashes++;
    e.restarts++;
    e.state = 'restarting';
    e.restartTimer = this.#setTimeout(() => {
      e.restartTimer = null;
      if (this.#entries.get(key(e.app.pluginId, e.service.id)) === e && e.state === 'restarting') this.#launch(e, 'restarted');
    }, delay);
    this.#changed();
  }

  #tick = (): void => {
    const now = this.#now();
    for (const [k, e] of [...this.#entries]) {
      const f = e.frame;
      if (f && (f.status === 'unresponsive' || f.status === 'error' || f.status === 'suspended')) {
        this.#crashed(e, f.error ?? (f.status === 'unresponsive' ? 'The service stopped answering pings.' : `The service ${f.status}.`));
        continue;
      }
      if (e.state === 'running' && now - e.lastUse >= (this.#o.idleMs ?? IDLE_MS) && !(this.#o.cardsOpen?.(e.app.pluginId) ?? false)) {
        this.#halt(e, 'idle');
        this.#entries.delete(k);
        this.#changed();
      }
    }
  };

  #watchStart(): void {
    if (this.#watch !== null) return;
    this.#watch = (this.#o.setInterval ?? ((fn, ms) => setInterval(fn, ms)))(this.#tick, WATCH_INTERVAL_MS);
  }

  #withTimeout(p: Promise<boolean>): Promise<boolean> {
    const ms = this.#o.readyTimeoutMs ?? 10_000;
    return new Promise((resolve) => {
      const timer = this.#setTimeout(() => resolve(false), ms);
      void p.then((ok) => {
        this.#clearTimeout(timer);
        resolve(ok);
      });
    });
  }

  #changed(): void {
    this.#o.onChange?.();
  }
}
