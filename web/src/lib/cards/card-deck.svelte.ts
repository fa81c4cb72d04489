import { SvelteMap } from 'svelte/reactivity';
import { ApiError } from '../api/client';
import type { BoardStore } from '../boards/board-store.svelte';
import { pluginsApi } from '../api/endpoints';
import { BridgeTrace } from '../bridge/trace.svelte';
import { CspFeed } from './csp-feed.svelte';
import { toasts } from '../toast/toast.svelte';
import type { CardServices } from './card-services';
import { cardFocus } from './card-focus.svelte';
import { canOpen } from './open-cap';
import { CardPrompts } from './prompts.svelte';

/** How long a closing card may take to draw its snapshot before its frame goes anyway. */
export const SNAPSHOT_WAIT_MS = 1500;

/** What closing needs from a live card: its last picture (null when it had none in time). */
export interface LiveCard {
  /** Tells the card it is going away and asks for its snapshot (saved through its services). */
  closeLive(timeoutMs: number): Promise<void>;
}

/**
 * The board's plugin cards beyond geometry: which are open (cap 10), which is selected, which
 * is closing, the permissions panel, the removal confirm, host prompts, snapshot revisions.
 * One per board page; renderers reach it through the board context.
 */
export class CardDeck {
  // While a card's question is showing, the card the person was in waits for them (card-focus).
  readonly prompts = new CardPrompts({ hold: () => cardFocus.hold() });
  /** Bumped when a card's snapshot changes, so its closed face reloads the image. */
  readonly snapshotRev = new SvelteMap<string, number>();
  /** Per-card services of mounted cards (permissions panel and drops use them). */
  readonly services = new SvelteMap<string, CardServices>();
  /** Cards whose live frame is being closed (snapshot in flight). */
  readonly closing = new SvelteMap<string, true>();
  /** Live cards that can be asked for a snapshot before their frame goes. */
  readonly live = new Map<string, LiveCard>();
  /** The window whose permissions panel is showing. */
  panelFor = $state<string | null>(null);
  /** The window whose developer overlay is open (admins; development versions). */
  devFor = $state<string | null>(null);
  /** windowId → its bridge traffic record; kept across re-mounts, so a dev reload keeps the history. */
  readonly #traces = new Map<string, BridgeTrace>();
  readonly #csp = new Map<string, CspFeed>();
  /** The card the person asked to remove (confirm showing). */
  removeCandidate = $state<string | null>(null);
  /** Files are being dragged over the page: open cards that take files show a drop zone. */
  draggingFiles = $state(false);

  readonly #store: BoardStore;
  /** Snapshot saves still running (a close may stop waiting for them; the PUT goes on). */
  readonly #saving = new Map<string, Promise<void>>();

  constructor(store: BoardStore) {
    this.#store = store;
  }

  #title(id: string): string {
    return this.#store.windows.get(id)?.title ?? 'this card';
  }

  /** First click: select. The face calls `open` on the second click or Enter. */
  select(id: string): void {
    this.#store.windows.select(id);
  }

  /** Opens a closed card unless 10 are open; the refusal names the open ones. */
  open(id: string): boolean {
    const w = this.#store.windows.get(id);
    if (!w || w.kind !== 'plugin') return false;
    const decision = canOpen(this.#store.windows.windows, id);
    if (!decision.ok) {
      toasts.show(decision.message, 'error', 10_000);
      return false;
    }
    this.#store.windows.setOpen(id, true);
    this.#store.windows.focus(id, { silent: true });
    // Opening a card enters it: the person asked for it, so it may take keyboard focus.
    cardFocus.enterWhenReady(id);
    return true;
  }

  /**
   * The title-bar X of an open card: ask it for a snapshot (≤ 1.5 s), then drop the live frame.
   * The card stays on the board, closed, showing that snapshot.
   */
  async close(id: string): Promise<void> {
    const w = this.#store.windows.get(id);
    if (!w || w.kind !== 'plugin' || w.open === false || this.closing.has(id)) return;
    this.closing.set(id, true);
    try {
      const live = this.live.get(id);
      if (live) {
        const saving = live.closeLive(SNAPSHOT_WAIT_MS).catch(() => {});
        this.#saving.set(id, saving);
        void saving.then(() => {
          if (this.#saving.get(id) === saving) this.#saving.delete(id);
        });
        await Promise.race([saving, new Promise((r) => setTimeout(r, SNAPSHOT_WAIT_MS + 500))]);
      }
      this.prompts.dismissFor(id);
      await this.#store.flushPayload(id);
      this.#store.windows.setOpen(id, false);
    } finally {
      this.closing.delete(id);
    }
  }

  /**
   * Resolves once the card's last snapshot is stored (at once when none is in flight). Revoking
   * what the card was shown waits for it: the server deletes the picture drawn while the card held
   * it, and a save landing after that delete would bring the picture back.
   */
  snapshotSettled(id: string): Promise<void> {
    return this.#saving.get(id) ?? Promise.resolve();
  }

  snapshotSaved(id: string): void {
    this.snapshotRev.set(id, (this.snapshotRev.get(id) ?? 0) + 1);
  }

  requestRemove(id: string): void {
    this.removeCandidate = id;
  }

  get removeTitle(): string {
    return this.removeCandidate ? this.#title(this.removeCandidate) : '';
  }

  /** Confirmed removal: the card, its payload, snapshot and grants go (server side). */
  async confirmRemove(): Promise<void> {
    const id = this.removeCandidate;
    this.removeCandidate = null;
    if (!id) return;
    this.prompts.dismissFor(id);
    if (this.panelFor === id) this.panelFor = null;
    if (this.devFor === id) this.devFor = null;
    this.#traces.delete(id);
    this.#csp.delete(id);
    await this.#store.closeWindow(id);
  }

  /** The window's traffic record for the developer overlay, made on first use. */
  traceFor(id: string): BridgeTrace {
    let t = this.#traces.get(id);
    if (!t) this.#traces.set(id, (t = new BridgeTrace()));
    return t;
  }

  findTrace(id: string): BridgeTrace | null {
    return this.#traces.get(id) ?? null;
  }

  /** The window's CSP violations for the developer overlay (what its frames reported), made on first use. */
  cspFor(id: string): CspFeed {
    let f = this.#csp.get(id);
    if (!f) this.#csp.set(id, (f = new CspFeed((p, v, after) => pluginsApi.cspReports(p, v, after))));
    return f;
  }

  togglePanel(id: string): void {
    this.panelFor = this.panelFor === id ? null : id;
  }

  /** The server refused a layout with too many open cards: say so with its sentence. */
  static isTooManyOpen(e: unknown): boolean {
    return e instanceof ApiError && e.code === 'card.too_many_open';
  }
}
