// The Running apps panel: which background services run in the person's tabs (admins: everyone's),
// since when, calls and messages in the last minute, errors; Stop and Restart go to the tab that
// runs the service (through the host, which audits them).
import { ApiError } from '../api/client';
import { appsApi } from '../api/endpoints';
import type { RunningServiceRow } from './types';

export const RUNNING_POLL_MS = 5000;

export class RunningAppsState {
  rows = $state<RunningServiceRow[]>([]);
  everyone = $state(false);
  error = $state<string | null>(null);
  loaded = $state(false);
  #timer: ReturnType<typeof setInterval> | null = null;

  async load(): Promise<void> {
    try {
      this.rows = await appsApi.running(this.everyone);
      this.error = null;
    } catch (e) {
      this.error = e instanceof ApiError ? e.message : String(e);
    } finally {
      this.loaded = true;
    }
  }

  start(): void {
    void this.load();
    this.#timer ??= setInterval(() => void this.load(), RUNNING_POLL_MS);
  }

  dispose(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async setEveryone(everyone: boolean): Promise<void> {
    this.everyone = everyone;
    await this.load();
  }

  async control(row: RunningServiceRow, action: 'stop' | 'restart'): Promise<void> {
    try {
      await appsApi.control({ pluginId: row.pluginId, serviceId: row.serviceId, action, userId: row.userId, tab: row.tab });
      this.error = null;
    } catch (e) {
      this.error = e instanceof ApiError ? e.message : String(e);
    }
    await this.load();
  }
}
