import type { PluginDto, WindowPluginRef } from '../api/types';

/** An open card that should move to the development version its author just uploaded. */
export interface DevMove {
  windowId: string;
  pluginId: string;
  from: string;
  to: string;
}

/** A failed development build, shown over the plugin's open cards until the next good one. */
export interface DevBuildFailure {
  pluginId: string;
  message: string;
  /** The plugin's active version when the build failed: a different one means a newer good build. */
  version: string | null;
  at: number;
}

type DevWindow = { id: string; kind: string; open?: boolean; plugin: Pick<WindowPluginRef, 'pluginId' | 'version' | 'typeID'> | null };

/**
 * Pure: the open cards a development install moves. A plugin whose active version is a
 * development version (`labyrinth plugin dev`) reloads every open card of it that shows another
 * version and whose type the new version still has. Released versions never move a card on
 * their own: that stays the person's choice in the permissions panel.
 */
export function devReloadMoves(windows: readonly DevWindow[], plugins: readonly PluginDto[]): DevMove[] {
  const moves: DevMove[] = [];
  for (const w of windows) {
    if (w.kind !== 'plugin' || !w.plugin || w.open === false) continue;
    const ref = w.plugin;
    const p = plugins.find((x) => x.id === ref.pluginId);
    if (!p || p.signature?.status !== 'dev' || p.enabled === false || p.version === ref.version) continue;
    if (!p.cards.some((c) => c.typeID === ref.typeID)) continue;
    moves.push({ windowId: w.id, pluginId: p.id, from: ref.version, to: p.version });
  }
  return moves;
}

/** Pure: is the failure over (the plugin now runs another version than when the build failed)? */
export function devFailureCleared(failure: DevBuildFailure, plugins: readonly PluginDto[]): boolean {
  const p = plugins.find((x) => x.id === failure.pluginId);
  return p !== undefined && p.version !== failure.version;
}

/** Reads the hub's `pluginDevBuildFailed` argument; null when it is not one. */
export function parseDevBuildFailed(args: readonly unknown[]): { pluginId: string; message: string } | null {
  const o = args[0] as { pluginId?: unknown; message?: unknown } | null | undefined;
  if (!o || typeof o !== 'object' || typeof o.pluginId !== 'string' || typeof o.message !== 'string') return null;
  return { pluginId: o.pluginId, message: o.message };
}
