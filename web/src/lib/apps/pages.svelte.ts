// This tab's list of plugin pages (`GET /api/apps/pages`), kept live: a kill removes the plugin's
// pages at once, any other governance change (disable, uninstall, role, rollout) refetches.
import { appsApi } from '../api/endpoints';
import { navSections, resolvePage, type NavSection, type PageResolution } from './pages';
import { tabApps } from './tab.svelte';
import type { AppPageInfo } from './types';

export class AppPages {
  /** Null until the first answer. */
  pages = $state.raw<AppPageInfo[] | null>(null);
  readonly nav: NavSection[] = $derived(navSections(this.pages ?? []));
  #loaded: Promise<void> | null = null;
  #seq = 0;

  /** Loads once, and follows governance events from then on. */
  load(): Promise<void> {
    if (!this.#loaded) {
      this.#loaded = this.refresh();
      const apps = tabApps();
      apps.onGovernance((change) => {
        if (change.kind === 'killed') {
          // Gone at once, before the refetch lands: a killed plugin's pages show nothing of it.
          this.pages = (this.pages ?? []).filter((p) => p.pluginId !== change.pluginId || (change.version !== null && p.version !== change.version));
        }
        void this.refresh();
      });
      void apps.load();
    }
    return this.#loaded;
  }

  async refresh(): Promise<void> {
    const seq = ++this.#seq;
    try {
      const pages = await appsApi.pages();
      if (seq === this.#seq) this.pages = pages;
    } catch (e) {
      console.debug('[apps] could not load /api/apps/pages', e);
      if (seq === this.#seq && this.pages === null) this.pages = [];
    }
  }

  resolve(pluginId: string, path: string): PageResolution {
    return resolvePage(this.pages, pluginId, path);
  }

  /** Forgets everything (sign-out). */
  reset(): void {
    this.#seq++;
    this.pages = null;
    this.#loaded = null;
  }
}

let shared: AppPages | null = null;

export function appPages(): AppPages {
  shared ??= new AppPages();
  return shared;
}
