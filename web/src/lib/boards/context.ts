import { getContext, setContext } from 'svelte';
import type { Session } from '../auth/session.svelte';
import type { BridgeRegistry } from '../bridge/registry.svelte';
import type { WorkspaceBus } from '../bus';
import type { CardDeck } from '../cards/card-deck.svelte';
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
  /** The title-bar X: a plugin card closes its live frame (it stays on the board); other windows close with the dirty check. */
  requestClose: (windowId: string) => void;
  /** Plugin cards: open/close/cap, selection, prompts, permissions panel, removal. */
  deck: CardDeck;
  /** This tab's workspace bus (docs/api.md "Message bus"); every open card attaches to it. */
  bus: WorkspaceBus;
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
