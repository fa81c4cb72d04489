// One plugin's app section on the admin page: services, the admin's service grants, the API
// documented from the manifest, and the plugin's log with a level filter.
import { ApiError } from '../api/client';
import { appsApi } from '../api/endpoints';
import type { AppAdminDto, PluginLogLevel, PluginLogLineDto } from './types';

export class AppAdminState {
  app = $state<AppAdminDto | null>(null);
  logs = $state<PluginLogLineDto[]>([]);
  level = $state<PluginLogLevel | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);

  constructor(readonly pluginId: string) {}

  async load(): Promise<void> {
    try {
      this.app = await appsApi.admin(this.pluginId);
      this.error = null;
    } catch (e) {
      this.error = e instanceof ApiError ? e.message : String(e);
    }
    await this.loadLogs();
  }

  async loadLogs(): Promise<void> {
    try {
      this.logs = [...(await appsApi.logs(this.pluginId, this.level))].reverse();
    } catch (e) {
      this.error = e instanceof ApiError ? e.message : String(e);
    }
  }

  async setLevel(level: PluginLogLevel | null): Promise<void> {
    this.level = level;
    await this.loadLogs();
  }

  async toggle(capability: string, granted: boolean): Promise<void> {
    this.busy = true;
    try {
      if (granted) await appsApi.revoke(this.pluginId, capability);
      else await appsApi.grant(this.pluginId, capability);
      this.app = await appsApi.admin(this.pluginId);
    } catch (e) {
      this.error = e instanceof ApiError ? e.message : String(e);
    } finally {
      this.busy = false;
    }
  }
}
