// The Running apps panel: which background services run in the person's tabs (admins: everyone's),
// since when, calls and messages in the last minute, errors. With several server instances the
// rows come from every instance and say which one holds the tab; Stop and Restart go through the
// host to that instance, which asks the tab and reports how many tabs it asked (audited).
import { ApiError } from '../api/errors';
import { appsApi } from '../api/endpoints';
import type { RunningServiceRow } from './types';

export const RUNNING_POLL_MS = 5000;

export class RunningAppsState {
  rows = $state<RunningServiceRow[]>([]);
  everyone = $state(false);
  error = $state<string | null>(null);
  /** What the last Stop or Restart reached, in a sentence. */
  notice = $state<string | null>(null);
  loaded = $state(false);
  /** Several instances serve this host: the rows name the instance each tab is connected to. */
  clustered = $derived(this.rows.some((r) => r.instance != null));
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
    this.notice = null;
    let failure: string | null = null;
    try {
      const { tabs } = await appsApi.control({
        pluginId: row.pluginId, serviceId: row.serviceId, action, userId: row.userId, tab: row.tab, ...(row.instance ? { instance: row.instance } : {}),
      });
      const where = row.instance ? ` on instance ${row.instance}` : '';
      this.notice = `${action === 'stop' ? 'Stop' : 'Restart'} of ${row.serviceId} sent to ${tabs} tab${tabs === 1 ? '' : 's'}${where}.`;
    } catch (e) {
      failure = e instanceof ApiError ? e.message : String(e);
    }
    // The list moves on (a gone instance's rows drop out), but the refusal stays in view.
    await this.load();
    if (failure) this.error = failure;
  }
}
