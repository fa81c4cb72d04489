import { SvelteSet } from 'svelte/reactivity';
import type { WindowDto } from '../api/types';
import type { Rect, Size } from '../canvas/viewport-math';
import { clampSize, effectiveMinSize, raiseZ } from './geometry';
import type { WindowState } from './types';

export interface WindowManagerOptions {
  /** Card minSize for plugin windows; the host floor applies to everything. */
  minSizeFor?: (w: WindowState) => Size | null | undefined;
  /** A persistent change happened (geometry committed, z, flags, data, close). */
  onChange?: () => void;
}

/** Windows of the open board: geometry, z-order, focus, minimize/maximize, dirty state. */
export class WindowManager {
  windows = $state<WindowState[]>([]);
  focusedId = $state<string | null>(null);
  /** The closed card a first click selected (a second click or Enter opens it). Client-only. */
  selectedId = $state<string | null>(null);
  /** Windows with unsaved edits (form); closing them asks first. Client-only. */
  readonly dirty = new SvelteSet<string>();
  /** True while a drag/resize/pan is in progress: card frames stop eating pointer events. */
  interacting = $state(false);

  readonly focused: WindowState | null = $derived(this.windows.find((w) => w.id === this.focusedId) ?? null);
  readonly minimized: WindowState[] = $derived(this.windows.filter((w) => w.minimized));

  #opts: WindowManagerOptions;

  constructor(opts: WindowManagerOptions = {}) {
    this.#opts = opts;
  }

  #changed(): void {
    this.#opts.onChange?.();
  }

  get(id: string): WindowState | undefined {
    return this.windows.find((w) => w.id === id);
  }

  minSize(w: WindowState): Size {
    return effectiveMinSize(this.#opts.minSizeFor?.(w));
  }

  /** Replaces everything (board load / reload). Does not count as a change. */
  replaceAll(dtos: readonly WindowDto[]): void {
    this.windows = dtos.map((d) => ({ ...d }));
    this.dirty.clear();
    this.selectedId = null;
    const top = [...this.windows].filter((w) => !w.minimized).sort((a, b) => b.z - a.z)[0];
    this.focusedId = top?.id ?? null;
  }

  /** Adds a window the server created (spawn) and focuses it. */
  add(dto: WindowDto): void {
    this.windows.push({ ...dto });
    this.focus(dto.id, { silent: true });
  }

  /** Focus and raise. Raising changes z, which is persisted. */
  focus(id: string, { silent = false }: { silent?: boolean } = {}): void {
    const w = this.get(id);
    if (!w) return;
    this.focusedId = id;
    const zs = raiseZ(this.windows, id);
    let changed = false;
    for (const win of this.windows) {
      const z = zs.get(win.id)!;
      if (win.z !== z) {
        win.z = z;
        changed = true;
      }
    }
    if (changed && !silent) this.#changed();
  }

  /** Live move during a drag; call `commit()` at the end. */
  moveTo(id: string, x: number, y: number): void {
    const w = this.get(id);
    if (!w || w.maximized) return;
    w.x = Math.round(x);
    w.y = Math.round(y);
  }

  /** Live resize; the minimum size is enforced here as well as in `resizeRect`. */
  setRect(id: string, r: Rect): void {
    const w = this.get(id);
    if (!w || w.maximized) return;
    const s = clampSize(r, this.minSize(w));
    w.x = Math.round(r.x);
    w.y = Math.round(r.y);
    w.width = Math.round(s.width);
    w.height = Math.round(s.height);
  }

  commit(): void {
    this.#changed();
  }

  minimize(id: string): void {
    const w = this.get(id);
    if (!w || w.minimized) return;
    w.minimized = true;
    if (this.focusedId === id) {
      const next = this.windows.filter((x) => !x.minimized).sort((a, b) => b.z - a.z)[0];
      this.focusedId = next?.id ?? null;
    }
    this.#changed();
  }

  restore(id: string): void {
    const w = this.get(id);
    if (!w) return;
    const was = w.minimized;
    w.minimized = false;
    this.focus(id, { silent: true });
    if (was) this.#changed();
  }

  toggleMaximize(id: string): void {
    const w = this.get(id);
    if (!w) return;
    w.maximized = !w.maximized;
    w.minimized = false;
    this.focus(id, { silent: true });
    this.#changed();
  }

  /** Selects a (closed) card; `null` clears the selection. */
  select(id: string | null): void {
    this.selectedId = id;
  }

  /** Opens or closes a plugin card's live frame; persisted in the layout (`open`). */
  setOpen(id: string, open: boolean): void {
    const w = this.get(id);
    if (!w || w.kind !== 'plugin' || (w.open !== false) === open) return;
    w.open = open;
    if (open && this.selectedId === id) this.selectedId = null;
    this.#changed();
  }

  remove(id: string): void {
    const before = this.windows.length;
    this.windows = this.windows.filter((w) => w.id !== id);
    this.dirty.delete(id);
    if (this.selectedId === id) this.selectedId = null;
    if (this.focusedId === id) {
      const next = this.windows.filter((x) => !x.minimized).sort((a, b) => b.z - a.z)[0];
      this.focusedId = next?.id ?? null;
    }
    if (this.windows.length !== before) this.#changed();
  }

  setData(id: string, data: Record<string, unknown> | null): void {
    const w = this.get(id);
    if (!w) return;
    w.data = data;
    this.#changed();
  }

  setTitle(id: string, title: string): void {
    const w = this.get(id);
    if (!w) return;
    w.title = title.slice(0, 200);
    this.#changed();
  }

  setDirty(id: string, dirty: boolean): void {
    if (dirty) this.dirty.add(id);
    else this.dirty.delete(id);
  }

  isDirty(id: string): boolean {
    return this.dirty.has(id);
  }

  /** Plain objects for `PUT /layout`. */
  toDtos(): WindowDto[] {
    return $state.snapshot(this.windows) as WindowDto[];
  }
}
