// Each plugin's configuration as its cards and services see it (no secret fields), fetched once
// per tab and refetched when the server says an admin saved it (`pluginConfigChanged` on
// /hubs/plugins). Frames get it in `init` and every change as `configChanged`.

export type PluginConfig = Record<string, unknown>;

export class PluginConfigs {
  readonly #fetch: (pluginId: string) => Promise<PluginConfig>;
  readonly #cache = new Map<string, Promise<PluginConfig>>();
  readonly #watchers = new Map<string, Set<(config: PluginConfig) => void>>();

  constructor(fetch: (pluginId: string) => Promise<PluginConfig>) {
    this.#fetch = fetch;
  }

  /** The current configuration; `{}` when it cannot be read (the frame still starts, with its defaults). */
  get(pluginId: string): Promise<PluginConfig> {
    let p = this.#cache.get(pluginId);
    if (!p) {
      p = this.#fetch(pluginId).catch((e: unknown) => {
        console.debug(`[apps] could not read the configuration of ${pluginId}`, e);
        this.#cache.delete(pluginId);
        return {};
      });
      this.#cache.set(pluginId, p);
    }
    return p;
  }

  /** Calls `cb` with each configuration saved from now on; returns the function that stops it. */
  watch(pluginId: string, cb: (config: PluginConfig) => void): () => void {
    let set = this.#watchers.get(pluginId);
    if (!set) this.#watchers.set(pluginId, (set = new Set()));
    set.add(cb);
    return () => {
      set.delete(cb);
    };
  }

  /** An admin saved `pluginId`'s configuration: fetch it again and hand it to every watcher. */
  async changed(pluginId: string): Promise<PluginConfig> {
    this.#cache.delete(pluginId);
    const config = await this.get(pluginId);
    for (const cb of [...(this.#watchers.get(pluginId) ?? [])]) {
      try {
        cb(config);
      } catch (e) {
        console.debug('[apps] a configuration watcher failed', e);
      }
    }
    return config;
  }
}
