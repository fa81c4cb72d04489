import { ApiError } from '../api/client';
import { pluginAdminApi } from '../api/endpoints';
import type { PluginAdminDto, PluginVersionDto } from '../api/types';
import { toastError, toasts } from '../toast/toast.svelte';
import { compareVersions, pluginName } from './format';
import type { PendingAction } from './types';

/**
 * The installed plugins and every governance action on them. Each action goes through
 * `pending` (one confirm dialog for the page); failures are toasts with the server's detail.
 */
export class PluginAdminState {
  plugins = $state<PluginAdminDto[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  /** Plugin ids whose versions table is open. */
  expanded = $state<Record<string, boolean>>({});
  pending = $state<PendingAction | null>(null);
  busy = $state(false);

  async load(): Promise<void> {
    try {
      this.plugins = await pluginAdminApi.list();
      this.loadError = null;
    } catch (e) {
      this.loadError = `Could not load plugins: ${e instanceof ApiError ? e.describe() : 'unexpected error.'}`;
    } finally {
      this.loaded = true;
    }
  }

  toggle(id: string): void {
    this.expanded[id] = !this.expanded[id];
  }

  /** Replaces one plugin with the server's new state (or drops it when uninstalled). */
  #apply(id: string, next: PluginAdminDto | null): void {
    if (next) {
      const i = this.plugins.findIndex((p) => p.id === id);
      if (i >= 0) this.plugins[i] = next;
      else this.plugins.push(next);
    } else {
      this.plugins = this.plugins.filter((p) => p.id !== id);
    }
  }

  async confirm(reason: string, deleteData = false): Promise<void> {
    const action = this.pending;
    if (!action || this.busy) return;
    // The dialog stays open (its button says so) until the server answered: one action at a time.
    this.busy = true;
    try {
      await action.run(reason.trim(), deleteData);
    } finally {
      this.busy = false;
      // A run may have asked the next question (disable → "Disable all?"); keep that one open.
      if (this.pending === action) this.pending = null;
    }
  }

  cancel(): void {
    this.pending = null;
  }

  /** Runs a call; a success toast, the state refreshed, or the failure shown. */
  async #do(id: string, call: () => Promise<PluginAdminDto | void>, done: string): Promise<boolean> {
    try {
      const next = await call();
      if (next) this.#apply(id, next);
      else await this.load();
      toasts.show(done, 'success');
      return true;
    } catch (e) {
      toastError(e, 'The action failed.');
      return false;
    }
  }

  askEnable(p: PluginAdminDto): void {
    this.pending = {
      title: `Enable ${pluginName(p)}?`,
      message: `People will be able to add its cards again. Its dependencies must be installed and enabled.`,
      confirmLabel: 'Enable',
      danger: false,
      run: () => this.#do(p.id, () => pluginAdminApi.enable(p.id), `${pluginName(p)} is enabled.`).then(() => {}),
    };
  }

  askDisable(p: PluginAdminDto): void {
    this.pending = {
      title: `Disable ${pluginName(p)}?`,
      message: 'Its cards can no longer be added to boards. Cards already on boards show “not available”.',
      confirmLabel: 'Disable',
      danger: true,
      run: () => this.#disable(p, false),
    };
  }

  async #disable(p: PluginAdminDto, cascade: boolean): Promise<void> {
    try {
      this.#apply(p.id, await pluginAdminApi.disable(p.id, cascade));
      if (cascade) await this.load();
      toasts.show(cascade ? `${pluginName(p)} and the plugins that need it are disabled.` : `${pluginName(p)} is disabled.`, 'success');
    } catch (e) {
      if (!cascade && e instanceof ApiError && e.code === 'dependency.required_by_others') {
        const dependents = e.dependents.length ? e.dependents : p.dependents;
        this.pending = {
          title: `Other plugins need ${pluginName(p)}`,
          message: `${e.detail}\nDisable all of them too?`,
          list: dependents,
          confirmLabel: 'Disable all',
          danger: true,
          run: () => this.#disable(p, true),
        };
        return;
      }
      toastError(e, 'Could not disable the plugin.');
    }
  }

  askKill(p: PluginAdminDto, v: PluginVersionDto | null): void {
    const what = v ? `${pluginName(p)} ${v.version}` : `${pluginName(p)} (every version)`;
    this.pending = {
      title: `Kill ${what}?`,
      message:
        'Every open card of it closes at once in every browser, its files stop being served and new cards are refused. It stays killed across restarts until you unkill it.',
      confirmLabel: 'Kill',
      danger: true,
      askReason: true,
      run: (reason) =>
        this.#do(p.id, () => pluginAdminApi.kill(p.id, v?.version ?? null, reason), `${what} is killed.`).then(() => {}),
    };
  }

  askUnkill(p: PluginAdminDto, v: PluginVersionDto | null): void {
    const what = v ? `${pluginName(p)} ${v.version}` : pluginName(p);
    this.pending = {
      title: `Unkill ${what}?`,
      message: 'Its cards can run again. Cards that were stopped come back when people reload them.',
      confirmLabel: 'Unkill',
      danger: false,
      run: () => this.#do(p.id, () => pluginAdminApi.unkill(p.id, v?.version ?? null), `${what} may run again.`).then(() => {}),
    };
  }

  /** True when making `v` active goes back to a lower version than the active one. */
  isRollback(p: PluginAdminDto, v: PluginVersionDto): boolean {
    return p.activeVersion !== null && compareVersions(v.version, p.activeVersion) < 0;
  }

  askActivate(p: PluginAdminDto, v: PluginVersionDto): void {
    const rollback = this.isRollback(p, v);
    this.pending = {
      title: rollback ? `Roll ${pluginName(p)} back to ${v.version}?` : `Make ${v.version} the active version?`,
      message: rollback
        ? `This is a rollback from ${p.activeVersion} to the lower version ${v.version}. New cards use ${v.version}; cards already on boards keep the version they pinned.`
        : `New cards of ${pluginName(p)} use ${v.version}; cards already on boards keep the version they pinned.`,
      confirmLabel: rollback ? `Roll back to ${v.version}` : `Activate ${v.version}`,
      danger: rollback,
      run: () =>
        this.#do(
          p.id,
          () => pluginAdminApi.activate(p.id, v.version, rollback),
          rollback ? `${pluginName(p)} rolled back to ${v.version}.` : `${pluginName(p)} ${v.version} is active.`,
        ).then(() => {}),
    };
  }

  askUninstall(p: PluginAdminDto, v: PluginVersionDto | null): void {
    const what = v ? `${pluginName(p)} ${v.version}` : `${pluginName(p)} (all ${p.versions.length} version${p.versions.length === 1 ? '' : 's'})`;
    this.pending = {
      title: `Uninstall ${what}?`,
      message: 'Its files and records are removed; the audit trail is kept. Cards of it on boards stop working. This cannot be undone.',
      list: p.dependents.length ? p.dependents.map((d) => `${d} depends on it`) : undefined,
      confirmLabel: 'Uninstall',
      danger: true,
      askDeleteData: v === null,
      run: async (_reason, deleteData) => {
        const ok = await this.#do(p.id, () => pluginAdminApi.uninstall(p.id, v?.version ?? null, deleteData), `${what} is uninstalled${deleteData ? ' with its data' : ''}.`);
        if (ok && !v) this.#apply(p.id, null);
      },
    };
  }
}
