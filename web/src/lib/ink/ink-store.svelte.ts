import RBush from 'rbush';
import { ApiError } from '../api/client';
import { toasts } from '../toast/toast.svelte';
import { inkApi } from './api';
import { decodeStroke } from './codec';
import { makeStroke, polygonBounds, strokeHitByCircle, strokeInLasso } from './geometry';
import { InkHistory, stepOf, type InkOp } from './history';
import { DEFAULT_INK, type InkLimits, type InkTool, type Stroke, type StrokeInputDto } from './types';

/** Used until the server's limits arrive with the strokes (the same numbers as Labyrinth.Core.Ink.InkRules). */
export const FALLBACK_LIMITS: InkLimits = {
  maxPointsPerStroke: 5000,
  maxStrokesPerBoard: 50_000,
  maxStrokesPerBatch: 500,
  maxIdsPerBatch: 2000,
  maxBatchBytes: 4 * 1024 * 1024,
  maxCoordinate: 1_000_000,
  minWidth: 0.5,
  maxWidth: 64,
  quantum: 1 / 16,
  maxSelectionStrokes: 2000,
  maxSelectionPoints: 50_000,
  maxSelectionImageBytes: 2 * 1024 * 1024,
};

/** The palette: default ink follows the theme; the others read on light and dark boards alike. */
export const PALETTE: readonly { color: string; label: string }[] = [
  { color: DEFAULT_INK, label: 'Default ink' },
  { color: '#e5484d', label: 'Red' },
  { color: '#3e83f8', label: 'Blue' },
  { color: '#30a46c', label: 'Green' },
  { color: '#f5a524', label: 'Amber' },
];

export const WIDTHS: readonly { width: number; label: string }[] = [
  { width: 2, label: 'Fine' },
  { width: 4, label: 'Medium' },
  { width: 8, label: 'Bold' },
];

export const CONFLICT_MESSAGE = 'The ink on this board changed elsewhere; it was reloaded.';

/** What changed, for the renderer's tile cache. */
export type InkChange =
  | { kind: 'added'; strokes: readonly Stroke[]; onTop: boolean }
  | { kind: 'removed'; strokes: readonly Stroke[] }
  | { kind: 'reset' };

interface Entry {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  stroke: Stroke;
}

export function newStrokeId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return 's_' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The board's ink: strokes in memory (a plain map plus an R-tree, never reactive proxies: a board
 * holds up to 50,000), the tools, the lasso selection and undo/redo. Every change shows at once;
 * the server calls run one after another in the background, and a refusal reloads the truth.
 */
export class InkStore {
  tool = $state<InkTool | null>(null);
  color = $state(DEFAULT_INK);
  width = $state(4);
  /** Ids of the lasso selection (replaced, never mutated, so it stays reactive). */
  selection = $state.raw<ReadonlySet<string>>(new Set());
  /** Bumped on every stroke change: what redraws depend on. */
  rev = $state(0);
  canUndo = $state(false);
  canRedo = $state(false);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  boardId = $state<string | null>(null);
  limits: InkLimits = FALLBACK_LIMITS;

  readonly #strokes = new Map<string, Stroke>();
  readonly #seq = new Map<string, number>();
  readonly #entries = new Map<string, Entry>();
  readonly #tree = new RBush<Entry>();
  readonly #history = new InkHistory();
  readonly #listeners = new Set<(c: InkChange) => void>();
  #nextSeq = 0;
  #ordered: Stroke[] | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #loadSeq = 0;

  get count(): number {
    return this.#strokes.size;
  }

  get(id: string): Stroke | undefined {
    return this.#strokes.get(id);
  }

  /** Every stroke in drawing order. */
  ordered(): readonly Stroke[] {
    this.#ordered ??= [...this.#strokes.values()].sort((a, b) => this.#seq.get(a.id)! - this.#seq.get(b.id)!);
    return this.#ordered;
  }

  /** Strokes whose extent meets the rectangle, in drawing order. */
  search(minX: number, minY: number, maxX: number, maxY: number): Stroke[] {
    const hits = this.#tree.search({ minX, minY, maxX, maxY });
    hits.sort((a, b) => this.#seq.get(a.stroke.id)! - this.#seq.get(b.stroke.id)!);
    return hits.map((h) => h.stroke);
  }

  subscribe(fn: (c: InkChange) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #emit(c: InkChange): void {
    this.#ordered = null;
    this.rev++;
    for (const fn of this.#listeners) fn(c);
  }

  // ---- loading ----

  async load(boardId: string): Promise<void> {
    const seq = ++this.#loadSeq;
    this.boardId = boardId;
    this.status = 'loading';
    this.#clearLocal();
    try {
      const dto = await inkApi.load(boardId);
      if (seq !== this.#loadSeq) return;
      this.limits = dto.limits ?? FALLBACK_LIMITS;
      const strokes: Stroke[] = [];
      for (const s of dto.strokes) {
        try {
          strokes.push(makeStroke(s.id, decodeStroke(s.points), s.color, s.width));
        } catch {
          // A stroke this page cannot decode is skipped, not fatal to the board.
        }
      }
      this.#insert(strokes, null);
      this.status = 'ready';
      // Marks for the ink bench and the browser's performance panel: fetched + decoded + indexed.
      performance.mark?.('labyrinth:ink-loaded', { detail: { strokes: strokes.length } });
      this.#emit({ kind: 'reset' });
    } catch {
      if (seq !== this.#loadSeq) return;
      this.status = 'error';
      this.#emit({ kind: 'reset' });
    }
  }

  /** Leaves the board: forgets its strokes, tools stay as the person set them. */
  close(): void {
    this.#loadSeq++;
    this.boardId = null;
    this.status = 'idle';
    this.#clearLocal();
    this.#emit({ kind: 'reset' });
  }

  #clearLocal(): void {
    this.#strokes.clear();
    this.#seq.clear();
    this.#entries.clear();
    this.#tree.clear();
    this.#history.clear();
    this.#syncHistory();
    this.selection = new Set();
    this.#nextSeq = 0;
  }

  /** Bulk-loads (R-tree bulk insert) or adds strokes; `seqs` keeps restored strokes in their old place. */
  #insert(strokes: readonly Stroke[], seqs: ReadonlyMap<string, number> | null): void {
    const entries: Entry[] = [];
    for (const s of strokes) {
      this.#strokes.set(s.id, s);
      this.#seq.set(s.id, seqs?.get(s.id) ?? this.#nextSeq++);
      const e = { minX: s.minX, minY: s.minY, maxX: s.maxX, maxY: s.maxY, stroke: s };
      this.#entries.set(s.id, e);
      entries.push(e);
    }
    if (entries.length > 8) this.#tree.load(entries);
    else for (const e of entries) this.#tree.insert(e);
  }

  #remove(strokes: readonly Stroke[]): Map<string, number> {
    const seqs = new Map<string, number>();
    for (const s of strokes) {
      const e = this.#entries.get(s.id);
      if (!e) continue;
      seqs.set(s.id, this.#seq.get(s.id)!);
      this.#tree.remove(e);
      this.#entries.delete(s.id);
      this.#strokes.delete(s.id);
    }
    if (this.selection.size > 0 && strokes.some((s) => this.selection.has(s.id))) {
      this.selection = new Set([...this.selection].filter((id) => this.#strokes.has(id)));
    }
    return seqs;
  }

  /** Remembered drawing order of strokes taken off the board, so undo puts them back in place. */
  readonly #removedSeq = new Map<string, number>();

  // ---- tools ----

  setTool(tool: InkTool | null): void {
    this.tool = this.tool === tool ? null : tool;
    if (this.tool !== 'lasso') this.clearSelection();
  }

  clearSelection(): void {
    if (this.selection.size > 0) this.selection = new Set();
  }

  // ---- operations (each shows at once, then syncs) ----

  /** A finished pen stroke. `points` are world units, already quantised (codec.quantize). */
  addStroke(points: Float32Array): Stroke | null {
    const boardId = this.boardId;
    if (!boardId || points.length < 3) return null;
    if (this.#strokes.size >= this.limits.maxStrokesPerBoard) {
      toasts.error(`A board holds at most ${this.limits.maxStrokesPerBoard.toLocaleString()} strokes; erase some first.`);
      return null;
    }
    const stroke = makeStroke(newStrokeId(), points, this.color, this.width);
    this.#insert([stroke], null);
    this.#emit({ kind: 'added', strokes: [stroke], onTop: true });
    const op: InkOp = { kind: 'add', strokes: [stroke], erasures: [] };
    this.#history.push(op);
    this.#syncHistory();
    this.#sync(boardId, () => inkApi.add(boardId, [toInput(stroke)]));
    return stroke;
  }

  /** Strokes touched by the eraser circle (world units). */
  hitTest(x: number, y: number, r: number): Stroke[] {
    return this.search(x - r, y - r, x + r, y + r).filter((s) => strokeHitByCircle(s, x, y, r));
  }

  /** Takes strokes off the board at once (eraser in progress); `commitErase` records and syncs them. */
  removeNow(strokes: readonly Stroke[]): void {
    const live = strokes.filter((s) => this.#strokes.has(s.id));
    if (live.length === 0) return;
    for (const [id, seq] of this.#remove(live)) this.#removedSeq.set(id, seq);
    this.#emit({ kind: 'removed', strokes: live });
  }

  /** Records an erase gesture (or Delete of the selection) as one undoable step. */
  commitErase(strokes: readonly Stroke[]): void {
    const boardId = this.boardId;
    if (!boardId || strokes.length === 0) return;
    this.removeNow(strokes);
    const op: InkOp = { kind: 'erase', strokes: [...strokes], erasures: [] };
    this.#history.push(op);
    this.#syncHistory();
    this.#serverErase(boardId, op);
  }

  deleteSelection(): void {
    const picked = [...this.selection].map((id) => this.#strokes.get(id)).filter((s): s is Stroke => !!s);
    this.clearSelection();
    this.commitErase(picked);
  }

  /** Selects the strokes the closed loop holds (the more-than-half rule, geometry.strokeInLasso). */
  lasso(poly: ArrayLike<number>): void {
    if (poly.length < 6) {
      this.clearSelection();
      return;
    }
    const b = polygonBounds(poly);
    const picked = this.search(b.minX, b.minY, b.maxX, b.maxY).filter((s) => strokeInLasso(s, poly));
    this.selection = new Set(picked.map((s) => s.id));
  }

  selectedStrokes(): Stroke[] {
    return this.ordered().filter((s) => this.selection.has(s.id));
  }

  undo(): void {
    this.#step('undo');
  }

  redo(): void {
    this.#step('redo');
  }

  #step(direction: 'undo' | 'redo'): void {
    const boardId = this.boardId;
    if (!boardId) return;
    const op = direction === 'undo' ? this.#history.takeUndo() : this.#history.takeRedo();
    this.#syncHistory();
    if (!op) return;
    if (stepOf(op, direction) === 'erase') {
      this.removeNow(op.strokes);
      this.#serverErase(boardId, op);
    } else {
      const back = op.strokes.filter((s) => !this.#strokes.has(s.id));
      this.#insert(back, this.#removedSeq);
      this.#emit({ kind: 'added', strokes: back, onTop: false });
      this.#sync(boardId, async () => {
        if (op.erasures.length === 0 && op.strokes.length > 0) throw new ApiError(409, 'ink.stroke_conflict', CONFLICT_MESSAGE);
        for (const e of op.erasures) await inkApi.restore(boardId, e.erasure, e.ids);
        op.erasures = [];
      });
    }
  }

  #serverErase(boardId: string, op: InkOp): void {
    this.#sync(boardId, async () => {
      const ids = op.strokes.map((s) => s.id);
      const max = this.limits.maxIdsPerBatch;
      const erased = new Set<string>();
      op.erasures = [];
      for (let i = 0; i < ids.length; i += max) {
        const r = await inkApi.erase(boardId, ids.slice(i, i + max));
        if (r.erased.length > 0) op.erasures.push({ erasure: r.erasure, ids: r.erased });
        for (const id of r.erased) erased.add(id);
      }
      // Strokes another tab had already erased are not this step's to bring back.
      op.strokes = op.strokes.filter((s) => erased.has(s.id));
    });
  }

  #syncHistory(): void {
    this.canUndo = this.#history.canUndo;
    this.canRedo = this.#history.canRedo;
  }

  /** Runs server calls one at a time; a refusal reloads the board's ink from the server. */
  #sync(boardId: string, call: () => Promise<unknown>): void {
    const seq = this.#loadSeq;
    this.#queue = this.#queue.then(async () => {
      if (seq !== this.#loadSeq) return;
      try {
        await call();
      } catch (e) {
        if (seq !== this.#loadSeq) return;
        const conflict = e instanceof ApiError && e.status === 409;
        toasts.show(conflict ? CONFLICT_MESSAGE : `Could not save the ink: ${e instanceof ApiError ? e.detail : String(e)} It was reloaded.`, conflict ? 'info' : 'error');
        await this.load(boardId);
      }
    });
  }

  /** Resolves when every queued server call has finished (tests, page hide). */
  settled(): Promise<void> {
    return this.#queue.then(() => {});
  }
}

function toInput(s: Stroke): StrokeInputDto {
  return { id: s.id, points: Array.from(s.points, (v, i) => (i % 3 === 2 ? Math.round(v * 1000) / 1000 : v)), color: s.color, width: s.width };
}
