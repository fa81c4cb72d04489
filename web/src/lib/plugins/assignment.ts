import type { PluginDto, WindowPluginRef } from '../api/types';
import { compareVersions } from '../plugin-admin/format';

/** A card whose version its person may no longer load, and the older version the host now assigns them. */
export interface AssignmentMove {
  windowId: string;
  pluginId: string;
  from: string;
  to: string;
}

type AssignedWindow = { id: string; kind: string; plugin: Pick<WindowPluginRef, 'pluginId' | 'version' | 'typeID'> | null };

/**
 * Pure: the cards a rollback moves. When the host takes a version away from this person (a staged
 * rollout rolled back, by an admin or by itself), the catalogue stops publishing a capability URL
 * for it (`cardBases`) and offers the previous version instead. Every card still on the version
 * taken away, whose type the offered version has, moves to it: the server stores the move when
 * the board is read, and the page re-mounts the card in place with its saved state. Never an
 * upgrade: a newer version still needs its person's consent.
 */
export function assignmentMoves(windows: readonly AssignedWindow[], plugins: readonly PluginDto[]): AssignmentMove[] {
  const moves: AssignmentMove[] = [];
  for (const w of windows) {
    if (w.kind !== 'plugin' || !w.plugin) continue;
    const ref = w.plugin;
    const p = plugins.find((x) => x.id === ref.pluginId);
    if (!p || p.enabled === false || !p.cardBases || p.cardBases[ref.version]) continue;
    if (compareVersions(p.version, ref.version) >= 0 || !p.cards.some((c) => c.typeID === ref.typeID)) continue;
    moves.push({ windowId: w.id, pluginId: p.id, from: ref.version, to: p.version });
  }
  return moves;
}
