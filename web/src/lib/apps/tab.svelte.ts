// This tab's app plugins: the enabled plugins with services or APIs (/api/apps), the service
// host that runs their services here, and the call gate every card and service calls through.
// One per tab, created on first use, independent of the board (services keep running while the
// person looks at another page of the app).
import { appsApi } from '../api/endpoints';
import { workspaceBus } from '../bus';
import { PluginEvents } from '../plugins/plugin-events.svelte';
import { callApi, type ApiCaller } from './api-gate';
import { ApiSchemaCache } from './api-schemas';
import { ServiceHost } from './service-host';
import { storageError } from './storage';
import { hiddenServiceContainer, startServiceFrame } from './service-frames';
import type { AppInfo, LocalService } from './types';

export class TabApps {
  // Raw: replaced whole on every refresh, and the schema validator must see plain objects, not proxies.
  apps = $state.raw<AppInfo[]>([]);
  /** What this tab runs (the Running apps page). */
  local = $state.raw<LocalService[]>([]);
  readonly schemas = new ApiSchemaCache((id) => this.apps.find((a) => a.pluginId === id)?.api?.methods ?? null);
  readonly host: ServiceHost;
  readonly #openCards = new Map<string, number>();
  #loaded: Promise<void> | null = null;
  #events: PluginEvents | null = null;

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
        storage: (pluginId, req, signal) => appsApi.storage(pluginId, req, signal).catch((e: unknown) => Promise.reject(storageError(e, signal))),
      }, app, service, reason),
      apps: () => this.apps,
      cardsOpen: (id) => (this.#openCards.get(id) ?? 0) > 0,
      onChange: () => (this.local = this.host.list()),
    });
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
          void this.refresh();
        },
        onPluginsChanged: () => void this.refresh(),
      });
      this.#events.start();
    }
    return this.#loaded;
  }

  async refresh(): Promise<void> {
    await this.#fetch();
    this.schemas.clear();
    this.host.appsChanged();
  }

  async #fetch(): Promise<void> {
    try {
      this.apps = await appsApi.list();
    } catch (e) {
      console.debug('[apps] could not load /api/apps', e);
    }
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

