// This tab's app plugins: the enabled plugins with services or APIs (/api/apps), the service
// host that runs their services here, and the call gate every card and service calls through.
// One per tab, created on first use, independent of the board (services keep running while the
// person looks at another page of the app).
import { topicMatches } from '../../../../sdk/src/topics.ts';
import { appsApi } from '../api/endpoints';
import { workspaceBus } from '../bus';
import { PluginEvents } from '../plugins/plugin-events.svelte';
import { callApi, type ApiCaller } from './api-gate';
import { ApiSchemaCache } from './api-schemas';
import { PluginConfigs } from './plugin-configs';
import { ServiceHost } from './service-host';
import { storageError } from './storage';
import { hiddenServiceContainer, startServiceFrame } from './service-frames';
import type { AppInfo, LocalService } from './types';

/** A kill (pages go at once) or any other change of installed, enabled or available plugins. */
export type GovernanceChange = { kind: 'killed'; pluginId: string; version: string | null } | { kind: 'changed' };

export class TabApps {
  // Raw: replaced whole on every refresh, and the schema validator must see plain objects, not proxies.
  apps = $state.raw<AppInfo[]>([]);
  /** What this tab runs (the Running apps page). */
  local = $state.raw<LocalService[]>([]);
  readonly schemas = new ApiSchemaCache((id) => this.apps.find((a) => a.pluginId === id)?.api?.methods ?? null);
  readonly host: ServiceHost;
  /** Plugin configurations as frames see them, pushed live. */
  readonly configs = new PluginConfigs((id) => appsApi.config(id));
  readonly #openCards = new Map<string, number>();
  readonly #openPages = new Map<string, number>();
  #loaded: Promise<void> | null = null;
  #events: PluginEvents | null = null;
  readonly #governance = new Set<(change: GovernanceChange) => void>();

  constructor() {
    const bus = workspaceBus();
    this.host = new ServiceHost({
      start: (app, service, reason) => startServiceFrame({
        bus,
        container: () => hiddenServiceContainer(),
        apiCall: (req, attachment, capabilities) => this.call({
          requested: capabilities,
          // A service's grants are the admin's; the host refuses a call without one.
          ensureGranted: async () => true,
          call: (p, m, i, t) => attachment ? attachment.call(p, m, i, t) : Promise.reject(new Error('The service is not on the bus.')),
        }, req.pluginId, req.method, req.input, req.timeoutMs),
        configs: this.configs,
        storage: (pluginId, req, signal) => appsApi.storage(pluginId, req, signal).catch((e: unknown) => Promise.reject(storageError(e, signal))),
      }, app, service, reason),
      apps: () => this.apps,
      cardsOpen: (id) => (this.#openCards.get(id) ?? 0) > 0 || this.#pageNeeds(id),
      onChange: () => (this.local = this.host.list()),
    });
    // A message or request aimed at a plugin starts its service when that service listens for the topic.
    bus.wakeTarget = (target, topic) => {
      const wake = () => {
        const service = this.apps.find((a) => a.pluginId === target)?.services.find((s) => s.topics.subscribe.some((p) => topicMatches(p, topic)));
        return service ? this.host.ensure(target, service.id) : null;
      };
      // Before the app list is known, wait for it rather than send past a service that would have listened.
      return this.#loaded ? wake() : this.load().then(wake);
    };
    bus.onServiceControl = (c) => {
      if (c.action === 'stop') this.host.stop(c.pluginId, 'stopped', c.serviceId);
      else void this.host.restart(c.pluginId, c.serviceId);
    };
  }

  /** Loads /api/apps once (and listens for governance changes from then on). */
  load(): Promise<void> {
    this.#loaded ??= this.#fetch();
    if (!this.#events) {
      this.#events = new PluginEvents({
        onKilled: (ev) => {
          // Gone from the list first, so no call in flight starts it again before the refresh lands.
          this.apps = this.apps.filter((a) => a.pluginId !== ev.pluginId || (ev.version !== null && ev.version !== undefined && a.version !== ev.version));
          this.host.stop(ev.pluginId, 'killed');
          this.#emit({ kind: 'killed', pluginId: ev.pluginId, version: ev.version ?? null });
          void this.refresh();
        },
        onPluginsChanged: () => {
          this.#emit({ kind: 'changed' });
          void this.refresh();
        },
        onConfigChanged: (pluginId) => {
          void this.configs.changed(pluginId).then(() => this.host.configChanged(pluginId));
        },
      });
      this.#events.start();
    }
    return this.#loaded;
  }

  async refresh(): Promise<void> {
    await this.#fetch();
    this.schemas.clear();
    this.host.appsChanged();
    // A plugin enabled again while a page it extends is open starts with it.
    for (const [pluginId, n] of this.#openPages) {
      if (n === 0) continue;
      for (const app of this.apps) {
        if (app.pluginId === pluginId || (app.dependencies ?? []).includes(pluginId)) for (const s of app.services) void this.host.ensure(app.pluginId, s.id);
      }
    }
  }

  async #fetch(): Promise<void> {
    try {
      this.apps = await appsApi.list();
    } catch (e) {
      console.debug('[apps] could not load /api/apps', e);
    }
  }

  /** Governance changes this tab heard (the pages list follows them on the same connection). */
  onGovernance(listener: (change: GovernanceChange) => void): () => void {
    this.#governance.add(listener);
    return () => this.#governance.delete(listener);
  }

  #emit(change: GovernanceChange): void {
    for (const l of this.#governance) l(change);
  }

  /** A card of `pluginId` opened in this tab (its plugin's services do not idle while it is open). */
  cardOpened(pluginId: string): () => void {
    this.#openCards.set(pluginId, (this.#openCards.get(pluginId) ?? 0) + 1);
    this.host.touch(pluginId);
    // Something of the plugin is open: its own services start with it (they may serve its cards on the bus).
    void this.load().then(() => {
      if ((this.#openCards.get(pluginId) ?? 0) === 0) return;
      for (const s of this.apps.find((a) => a.pluginId === pluginId)?.services ?? []) void this.host.ensure(pluginId, s.id);
    });
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.#openCards.set(pluginId, Math.max(0, (this.#openCards.get(pluginId) ?? 1) - 1));
    };
  }

  /**
   * A page of `pluginId` opened in this tab: its plugin's services start with it, and so do the
   * services of plugins that depend on it (they extend it: a dashboard's widget providers).
   * They do not idle while the page is open.
   */
  pageOpened(pluginId: string): () => void {
    this.#openPages.set(pluginId, (this.#openPages.get(pluginId) ?? 0) + 1);
    this.host.touch(pluginId);
    void this.load().then(() => {
      if ((this.#openPages.get(pluginId) ?? 0) === 0) return;
      for (const app of this.apps) {
        if (app.pluginId !== pluginId && !(app.dependencies ?? []).includes(pluginId)) continue;
        for (const s of app.services) void this.host.ensure(app.pluginId, s.id);
      }
    });
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.#openPages.set(pluginId, Math.max(0, (this.#openPages.get(pluginId) ?? 1) - 1));
    };
  }

  #pageNeeds(pluginId: string): boolean {
    if ((this.#openPages.get(pluginId) ?? 0) > 0) return true;
    const deps = this.apps.find((a) => a.pluginId === pluginId)?.dependencies ?? [];
    return deps.some((d) => (this.#openPages.get(d) ?? 0) > 0);
  }

  /** A plugin API call from a card or service of this tab (docs/api.md "Plugin APIs"). */
  async call(caller: ApiCaller, pluginId: string, method: string, input: unknown, timeoutMs: number | null): Promise<unknown> {
    await this.load();
    this.host.touch(pluginId);
    return callApi({
      schemas: this.schemas,
      hasApi: (id) => this.apps.some((a) => a.pluginId === id && a.api !== null),
      ensureProvider: (id) => this.host.ensure(id),
    }, caller, pluginId, method, input, timeoutMs);
  }

  /** The provider's display name, for the consent dialog. */
  nameOf(pluginId: string): string {
    return this.apps.find((a) => a.pluginId === pluginId)?.name ?? pluginId;
  }
}

let shared: TabApps | null = null;

export function tabApps(): TabApps {
  shared ??= new TabApps();
  return shared;
}

