import { ApiError } from '../api/client';
import { boardsApi } from '../api/endpoints';
import type { BoardDto, BoardSummaryDto, SpawnRequest, WindowDto } from '../api/types';
import { Viewport } from '../canvas/canvas.svelte';
import type { PluginCatalog } from '../plugins/plugins.svelte';
import { toastError, toasts } from '../toast/toast.svelte';
import { WindowManager } from '../windows/window-manager.svelte';
import { placedWindows, WindowDetails, type PlacedWindow } from '../windows/window-details.svelte';
import { openCards, tooManyOpenMessage } from '../cards/open-cap';

export const LAYOUT_DEBOUNCE_MS = 300;
export const PAYLOAD_COALESCE_MS = 250;
export const CONFLICT_MESSAGE = 'This board changed elsewhere — reloaded.';

export type BoardStatus = 'idle' | 'loading' | 'ready' | 'missing' | 'error';

interface PendingPayload {
  boardId: string;
  payload: unknown;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The open board and the list of boards. Every write that needs the board version goes through
 * one queue, so a layout save, a spawn and a rename never race each other with stale versions.
 */
export class BoardStore {
  boards = $state<BoardSummaryDto[]>([]);
  id = $state<string | null>(null);
  name = $state('');
  version = $state(0);
  status = $state<BoardStatus>('idle');
  saving = $state(false);
  lastError = $state<string | null>(null);

  readonly viewport = new Viewport();
  readonly windows: WindowManager;
  /** How much of each window the board draws for the camera (culled off screen, outlines far out). */
  readonly details = new WindowDetails();
  readonly #placed: PlacedWindow[];

  #saveTimer: ReturnType<typeof setTimeout> | null = null;
  #layoutDirty = false;
  #queue: Promise<unknown> = Promise.resolve();
  #payloads = new Map<string, PendingPayload>();
  #loadSeq = 0;

  constructor(readonly plugins: PluginCatalog) {
    this.windows = new WindowManager({
      minSizeFor: (w) => plugins.minSizeFor(w),
      onChange: () => this.scheduleSave(),
    });
    this.#placed = $derived(placedWindows(this.windows.windows, this.windows.focusedId));
  }

  /** Recomputes every window's detail; run from an effect, so it follows the camera and the windows. */
  updateDetails(): void {
    this.details.update(this.#placed, this.viewport.state, this.viewport.size);
  }

  /** Runs `fn` after every earlier versioned write has finished. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  async refreshList(): Promise<BoardSummaryDto[]> {
    try {
      this.boards = await boardsApi.list();
    } catch (e) {
      toastError(e, 'Could not load your boards.');
    }
    return this.boards;
  }

  /** Plugin windows that were open when the board loaded, until their card first mounts. */
  #openAtLoad = new Set<string>();

  /**
   * True once for a card that was already open when the board loaded (its frame starts with the
   * page, so no warm frame can be waiting): card statistics count it apart from a person's opens.
   */
  takeOpenAtLoad(windowId: string): boolean {
    return this.#openAtLoad.delete(windowId);
  }

  #apply(b: BoardDto): void {
    this.#openAtLoad = new Set((b.windows ?? []).filter((w) => w.kind === 'plugin' && w.open !== false).map((w) => w.id));
    this.id = b.id;
    this.name = b.name;
    this.version = b.version;
    this.viewport.set(b.viewport ?? { x: 0, y: 0, zoom: 1 });
    this.windows.replaceAll(b.windows ?? []);
    this.#syncSummary(b);
  }

  #syncSummary(b: Pick<BoardDto, 'id' | 'name' | 'version' | 'updatedAt'>): void {
    const s = this.boards.find((x) => x.id === b.id);
    if (s) {
      s.name = b.name;
      s.version = b.version;
      s.updatedAt = b.updatedAt;
    }
  }

  /** Opens a board (saving and flushing the current one first). */
  async open(id: string): Promise<void> {
    if (this.id && this.id !== id) await this.flushAll();
    const seq = ++this.#loadSeq;
    this.status = 'loading';
    this.#cancelSave();
    try {
      const res = await boardsApi.get(id);
      if (seq !== this.#loadSeq) return;
      this.#apply(res.data);
      const etagVersion = Number(res.etag);
      if (res.etag && Number.isFinite(etagVersion)) this.version = etagVersion;
      this.status = 'ready';
      this.lastError = null;
    } catch (e) {
      if (seq !== this.#loadSeq) return;
      this.id = id;
      this.windows.replaceAll([]);
      if (e instanceof ApiError && e.status === 404) {
        this.status = 'missing';
        this.lastError = e.detail;
      } else {
        this.status = 'error';
        this.lastError = e instanceof ApiError ? e.detail : 'Could not load the board.';
        toastError(e);
      }
    }
  }

  /**
   * The server moved one card to another version (a development reload): take the window's new
   * plugin reference and the board's version, leaving every other window, and its live frame, as is.
   */
  adoptCardMove(b: BoardDto, wid: string): void {
    if (b.id !== this.id) return;
    const moved = b.windows?.find((w) => w.id === wid);
    const win = this.windows.get(wid);
    if (!moved?.plugin || !win) return;
    win.plugin = moved.plugin;
    this.version = b.version;
  }

  /** The host assigns this card's person an older version (a rollback): the card re-mounts on it. */
  followVersion(wid: string, version: string): void {
    const win = this.windows.get(wid);
    if (win?.plugin && win.plugin.version !== version) win.plugin = { ...win.plugin, version };
  }

  async reload(): Promise<void> {
    if (this.id) await this.open(this.id);
  }

  close(): void {
    this.#cancelSave();
    this.id = null;
    this.status = 'idle';
    this.windows.replaceAll([]);
  }

  // ---- layout saves ----

  /** Debounced layout save; every change restarts the 300 ms timer. */
  scheduleSave(): void {
    if (!this.id || this.status !== 'ready') return;
    this.#layoutDirty = true;
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      void this.flushSave();
    }, LAYOUT_DEBOUNCE_MS);
  }

  #cancelSave(): void {
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = null;
    this.#layoutDirty = false;
  }

  /** Saves now if anything changed since the last save. */
  flushSave(): Promise<void> {
    if (this.#saveTimer) {
      clearTimeout(this.#saveTimer);
      this.#saveTimer = null;
    }
    return this.#exclusive(() => this.#saveLayout());
  }

  async #saveLayout(): Promise<void> {
    const id = this.id;
    if (!id || !this.#layoutDirty || this.status !== 'ready') return;
    this.#layoutDirty = false;
    this.saving = true;
    try {
      const b = await boardsApi.saveLayout(id, this.version, this.viewport.state, this.windows.toDtos());
      if (this.id !== id) return;
      this.version = b.version;
      this.#syncSummary(b);
    } catch (e) {
      await this.#handleWriteError(e);
    } finally {
      this.saving = false;
    }
  }

  async #handleWriteError(e: unknown): Promise<void> {
    if (e instanceof ApiError && e.status === 412) {
      toasts.show(CONFLICT_MESSAGE, 'info');
      this.#cancelSave();
      // Reload outside the queue we are running in.
      setTimeout(() => void this.reload(), 0);
      return;
    }
    if (e instanceof ApiError && e.code === 'card.too_many_open') {
      // Another tab opened cards meanwhile; the server's list is the truth.
      toasts.show(e.detail, 'error');
      this.#cancelSave();
      setTimeout(() => void this.reload(), 0);
      return;
    }
    toastError(e, 'Could not save the board.');
  }

  // ---- spawn / close ----

  /** Creates a window on the server; nothing is created locally when the server refuses. */
  async spawn(req: SpawnRequest): Promise<WindowDto | null> {
    const id = this.id;
    if (!id) return null;
    await this.flushSave();
    return this.#exclusive(async () => {
      if (this.id !== id) return null;
      try {
        const res = await boardsApi.spawn(id, this.version, req);
        this.version = res.board.version;
        this.#syncSummary(res.board);
        this.windows.add(res.window);
        if (res.window.kind === 'plugin' && (res.window as { open?: boolean }).open === false) {
          const open = openCards(this.windows.windows).map((w) => w.title);
          toasts.show(`“${res.window.title}” was added closed. ${tooManyOpenMessage(open)}`, 'info', 10_000);
        }
        // Raising the new window may have renumbered z; persist that too.
        this.scheduleSave();
        return res.window;
      } catch (e) {
        await this.#handleWriteError(e);
        return null;
      }
    });
  }

  /** Closes a window: flushes its card payload, then drops it from the layout. */
  async closeWindow(wid: string): Promise<void> {
    const flushed = this.flushPayload(wid);
    this.windows.remove(wid);
    await flushed;
  }

  // ---- card payloads ----

  /** Last payload wins per 250 ms per window. */
  queuePayload(wid: string, payload: unknown): void {
    const boardId = this.id;
    if (!boardId) return;
    const existing = this.#payloads.get(wid);
    if (existing) {
      existing.payload = payload;
      return;
    }
    const timer = setTimeout(() => void this.flushPayload(wid), PAYLOAD_COALESCE_MS);
    this.#payloads.set(wid, { boardId, payload, timer });
  }

  async flushPayload(wid: string, keepalive = false): Promise<void> {
    const p = this.#payloads.get(wid);
    if (!p) return;
    clearTimeout(p.timer);
    this.#payloads.delete(wid);
    try {
      await boardsApi.putPayload(p.boardId, wid, p.payload, keepalive);
    } catch (e) {
      toastError(e, 'Could not save the card data.');
    }
  }

  async flushAll(keepalive = false): Promise<void> {
    await Promise.all([...this.#payloads.keys()].map((wid) => this.flushPayload(wid, keepalive)));
    await this.flushSave();
  }

  loadPayload(wid: string): Promise<unknown> {
    const id = this.id;
    if (!id) return Promise.resolve(null);
    return boardsApi.getPayload(id, wid).then((r) => r.payload ?? null);
  }

  // ---- boards ----

  async create(name: string): Promise<BoardDto | null> {
    try {
      const b = await boardsApi.create(name);
      this.boards = [...this.boards, { id: b.id, name: b.name, version: b.version, updatedAt: b.updatedAt }];
      return b;
    } catch (e) {
      toastError(e, 'Could not create the board.');
      return null;
    }
  }

  async rename(name: string): Promise<boolean> {
    const id = this.id;
    if (!id) return false;
    await this.flushSave();
    return this.#exclusive(async () => {
      try {
        const b = await boardsApi.rename(id, name, this.version);
        this.name = b.name;
        this.version = b.version;
        this.#syncSummary(b);
        return true;
      } catch (e) {
        await this.#handleWriteError(e);
        return false;
      }
    });
  }

  async remove(): Promise<boolean> {
    const id = this.id;
    if (!id) return false;
    this.#cancelSave();
    try {
      await boardsApi.remove(id);
      this.boards = this.boards.filter((b) => b.id !== id);
      this.close();
      return true;
    } catch (e) {
      toastError(e, 'Could not delete the board.');
      return false;
    }
  }
}
