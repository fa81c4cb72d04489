import { pluginsApi } from '../api/endpoints';
import { compareVersions } from '../plugin-admin/format';
import type { CardTypeDto, PluginDto, SizeDto as Size, WindowPluginRef } from '../api/types';
import type { WindowState } from '../windows/types';

export interface CardEntry {
  plugin: PluginDto;
  card: CardTypeDto;
}

/** Installed, enabled plugins and their card types (for the spawn menu and frames). */
export class PluginCatalog {
  plugins = $state<PluginDto[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);

  readonly cards: CardEntry[] = $derived(
    this.plugins.filter((p) => p.enabled !== false).flatMap((plugin) => plugin.cards.map((card) => ({ plugin, card }))),
  );

  async load(): Promise<void> {
    try {
      this.plugins = await pluginsApi.list();
      this.error = null;
    } catch (e) {
      this.error = e instanceof Error ? e.message : 'Could not load plugins.';
    } finally {
      this.loaded = true;
    }
  }

  /** The card type of a window, preferring the exact version the window pins. */
  find(ref: Pick<WindowPluginRef, 'pluginId' | 'version' | 'typeID'>): CardEntry | null {
    const exact = this.cards.find(
      (c) => c.plugin.id === ref.pluginId && c.plugin.version === ref.version && c.card.typeID === ref.typeID,
    );
    return exact ?? this.cards.find((c) => c.plugin.id === ref.pluginId && c.card.typeID === ref.typeID) ?? null;
  }

  /**
   * The plugin's active version when it is newer than the one a window pins (the card can be
   * updated from its permissions panel), else null. Same rule as the host's `upgrade` offer.
   */
  newerVersionFor(ref: Pick<WindowPluginRef, 'pluginId' | 'version'>): string | null {
    const active = this.plugins.find((p) => p.id === ref.pluginId && p.enabled !== false)?.version;
    return active && compareVersions(active, ref.version) > 0 ? active : null;
  }

  minSizeFor(w: WindowState): Size | null {
    if (w.kind !== 'plugin' || !w.plugin) return null;
    return this.find(w.plugin)?.card.minSize ?? null;
  }

  /**
   * The frame document for a window and the card origin it must be on, both as the server
   * published them: the catalogue's frameUrl when it lists that exact version (HTML entries have
   * their own), else the JS-entry frame route on the pinned version's published origin (the frame
   * answers for HTML entries too). Null when the server published no origin for that version.
   */
  frameFor(ref: WindowPluginRef): { url: string; origin: string } | null {
    const plugin = this.plugins.find((p) => p.id === ref.pluginId);
    const origin = plugin?.origins?.[ref.version];
    if (!plugin || !origin) return null;
    const entry = this.find(ref);
    if (entry && entry.plugin.version === ref.version && entry.card.frameUrl) return { url: entry.card.frameUrl, origin };
    const enc = encodeURIComponent;
    const report = plugin.reportToken ? `?r=${enc(plugin.reportToken)}` : '';
    return { url: `${origin}/cards/frame/${enc(ref.pluginId)}/${enc(ref.version)}/${enc(ref.typeID)}${report}`, origin };
  }
}
