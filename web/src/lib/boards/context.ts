import { getContext, setContext } from 'svelte';
import type { Session } from '../auth/session.svelte';
import type { BridgeRegistry } from '../bridge/registry.svelte';
import type { PluginEvents } from '../plugins/plugin-events.svelte';
import type { PluginCatalog } from '../plugins/plugins.svelte';
import type { BoardStore } from './board-store.svelte';

/** Everything a window renderer may use, provided once by BoardApp. */
export interface BoardContext {
  store: BoardStore;
  plugins: PluginCatalog;
  bridges: BridgeRegistry;
  /** Live governance events; `stoppedFor(windowId)` says an admin killed that card. */
  pluginEvents: PluginEvents;
  session: Session;
  /** Close with the dirty check (same as the title bar button). */
  requestClose: (windowId: string) => void;
}

const KEY = Symbol('labyrinth.board');

export function setBoardContext(ctx: BoardContext): BoardContext {
  return setContext(KEY, ctx);
}

export function getBoardContext(): BoardContext {
  const ctx = getContext<BoardContext | undefined>(KEY);
  if (!ctx) throw new Error('getBoardContext() used outside BoardApp');
  return ctx;
}
