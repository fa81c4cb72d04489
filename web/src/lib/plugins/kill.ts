import type { PluginKilledEvent, WindowPluginRef } from '../api/types';

/** Pure: does a kill of `pluginId` (at `version`, or every version when null) hit this card? */
export function killMatches(ev: Pick<PluginKilledEvent, 'pluginId' | 'version'>, ref: Pick<WindowPluginRef, 'pluginId' | 'version'>): boolean {
  return ref.pluginId === ev.pluginId && (ev.version === null || ev.version === undefined || ev.version === ref.version);
}

/** Pure: the ids of the windows a kill affects (plugin windows of that id, that version or any). */
export function windowsAffectedBy(
  ev: Pick<PluginKilledEvent, 'pluginId' | 'version'>,
  windows: readonly { id: string; kind: string; plugin: Pick<WindowPluginRef, 'pluginId' | 'version'> | null }[],
): string[] {
  return windows.filter((w) => w.kind === 'plugin' && w.plugin !== null && killMatches(ev, w.plugin)).map((w) => w.id);
}

/**
 * Pure: does a frame URL belong to the killed plugin (version)? Both frame shapes carry the id and
 * version as the first two path segments after the person's capability prefix and their own:
 * `/cap/{token}/cards/frame/{id}/{version}/…` (JS entries) and `/cap/{token}/plugins/{id}/{version}/…`
 * (HTML entries).
 */
export function frameUrlMatches(ev: Pick<PluginKilledEvent, 'pluginId' | 'version'>, frameUrl: string): boolean {
  let path: string;
  try {
    path = new URL(frameUrl, 'http://host.invalid').pathname;
  } catch {
    return false;
  }
  const m = /^\/cap\/[A-Za-z0-9_-]+\/(?:cards\/frame|plugins)\/([^/]+)\/([^/]+)(?:\/|$)/.exec(path);
  if (!m) return false;
  let id: string;
  let version: string;
  try {
    id = decodeURIComponent(m[1]!);
    version = decodeURIComponent(m[2]!);
  } catch {
    return false;
  }
  return killMatches(ev, { pluginId: id, version });
}

/**
 * Pure: reads a `pluginKilled` message. The hub sends one object; positional arguments
 * `(pluginId, version, reason)` are accepted too. Null when there is no plugin id.
 */
export function parseKillEvent(args: readonly unknown[]): PluginKilledEvent | null {
  const [first, second, third] = args;
  if (typeof first === 'object' && first !== null) {
    const o = first as Record<string, unknown>;
    const pluginId = o.pluginId ?? o.PluginId;
    const version = o.version ?? o.Version;
    const reason = o.reason ?? o.Reason;
    if (typeof pluginId !== 'string' || !pluginId) return null;
    return { pluginId, version: typeof version === 'string' && version ? version : null, reason: typeof reason === 'string' ? reason : '' };
  }
  if (typeof first === 'string' && first) {
    return { pluginId: first, version: typeof second === 'string' && second ? second : null, reason: typeof third === 'string' ? third : '' };
  }
  return null;
}

/** The notice shown to the person whose card was stopped. */
export function killNotice(cardName: string, reason: string): string {
  const r = reason.trim();
  return r ? `${cardName} was stopped by an admin: ${r}` : `${cardName} was stopped by an admin.`;
}

/** Delay (ms) before connection attempt `attempt + 1` to the hub: quick first, then capped backoff. */
export function retryDelay(attempt: number): number {
  const steps = [1000, 2000, 5000, 10000, 30000];
  return steps[Math.min(Math.max(0, attempt), steps.length - 1)]!;
}

export interface KillPlan {
  /** Windows whose card stops, with the plugin version each one pinned. */
  stops: { windowId: string; pluginId: string; version: string; cardName: string }[];
  /** One notice per distinct card name, in board order. */
  notices: string[];
}

/**
 * Pure: what a kill does to a board — which windows stop and which notices show. `nameOf` gives a
 * window's card name (the catalogue's, else the window title).
 */
export function planKill<W extends { id: string; kind: string; plugin: Pick<WindowPluginRef, 'pluginId' | 'version'> | null }>(
  ev: PluginKilledEvent,
  windows: readonly W[],
  nameOf: (w: W) => string,
): KillPlan {
  const stops: KillPlan['stops'] = [];
  const names: string[] = [];
  for (const w of windows) {
    if (w.kind !== 'plugin' || !w.plugin || !killMatches(ev, w.plugin)) continue;
    const name = nameOf(w);
    stops.push({ windowId: w.id, pluginId: w.plugin.pluginId, version: w.plugin.version, cardName: name });
    if (!names.includes(name)) names.push(name);
  }
  return { stops, notices: names.map((n) => killNotice(n, ev.reason)) };
}
