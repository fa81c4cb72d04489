import type { CardTypeDto, PluginDto, SpawnRequest } from '../api/types';
import type { Rect, Size } from '../canvas/viewport-math';
import { signatureStatusOf } from '../permissions/types';
import { effectiveMinSize, spawnPosition } from './geometry';
import { DEFAULT_SIZES } from './types';

export type BuiltinKind = 'form' | 'chat' | 'metadata';

export const BUILTIN_KINDS: readonly { kind: BuiltinKind; label: string; icon: string }[] = [
  { kind: 'form', label: 'Form', icon: '📋' },
  { kind: 'chat', label: 'Chat', icon: '💬' },
  { kind: 'metadata', label: 'Metadata', icon: 'ℹ️' },
];

export type SpawnChoice = { kind: BuiltinKind } | { kind: 'plugin'; plugin: PluginDto; card: CardTypeDto };

/**
 * The grey text beside a card in the "Add window" menu: the plugin it comes from (left out when
 * it only repeats the card's name, as with most one-card plugins), then whatever the person
 * should know before opening it: unsigned (allowlisted, or a missing or unknown status), a
 * development version, or packed past the accessibility gate.
 */
export function spawnHint(plugin: PluginDto, card: CardTypeDto): string {
  const status = signatureStatusOf(plugin);
  return [
    plugin.name.trim().toLowerCase() === card.name.trim().toLowerCase() ? null : plugin.name,
    status === null || status === 'unsigned-allowlisted' ? '⚠ unsigned' : null,
    status === 'dev' ? `dev ${plugin.version}` : null,
    plugin.accessibility ? '⚠ accessibility problems' : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Builds the spawn request: default size, placed in the middle of what the person sees. */
export function spawnRequestFor(choice: SpawnChoice, visible: Rect, existing: readonly Rect[]): SpawnRequest {
  if (choice.kind === 'plugin') {
    const min = effectiveMinSize(choice.card.minSize);
    const size: Size = {
      width: Math.max(min.width, choice.card.defaultSize?.width ?? 320),
      height: Math.max(min.height, choice.card.defaultSize?.height ?? 240),
    };
    return {
      kind: 'plugin',
      title: choice.card.name,
      ...spawnPosition(visible, size, existing),
      ...size,
      plugin: { pluginId: choice.plugin.id, version: choice.plugin.version, typeID: choice.card.typeID, props: {} },
    };
  }
  const size = DEFAULT_SIZES[choice.kind];
  const label = BUILTIN_KINDS.find((b) => b.kind === choice.kind)?.label ?? choice.kind;
  const data: Record<string, unknown> | undefined =
    choice.kind === 'form' ? { fields: {}, saved: false } : choice.kind === 'chat' ? { messages: [] } : undefined;
  return { kind: choice.kind, title: label, ...spawnPosition(visible, size, existing), ...size, ...(data ? { data } : {}) };
}

export function iconFor(kind: string): string {
  return BUILTIN_KINDS.find((b) => b.kind === kind)?.icon ?? (kind === 'plugin' ? '🧩' : '▫️');
}
