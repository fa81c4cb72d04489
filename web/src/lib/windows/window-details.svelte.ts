import { SvelteMap } from 'svelte/reactivity';
import { paceDetailChanges, windowDetail, type DetailChange, type WindowDetail } from '../canvas/culling';
import type { Rect, Size, ViewportState } from '../canvas/viewport-math';
import type { WindowState } from './types';

/**
 * Never reduced: the focused window (typing into it goes on while it is panned away), a maximized
 * one, and a plugin card with a live frame (hiding its subtree would stop rendering its frame and
 * resize it; Chromium already throttles an off-screen cross-origin frame).
 */
export function alwaysDrawn(w: WindowState, focusedId: string | null): boolean {
  return w.id === focusedId || w.maximized || (w.kind === 'plugin' && w.open !== false);
}

/** What the camera pass needs of a window: plain numbers, taken when the windows change. */
export interface PlacedWindow extends Rect {
  id: string;
  pinned: boolean;
}

/**
 * The windows as plain rectangles, for a derived that changes with the windows and focus only:
 * the pass at every camera frame then reads no reactive window state (otherwise it would read and
 * track eight proxied fields of each of 200 windows at every frame).
 */
export function placedWindows(windows: readonly WindowState[], focusedId: string | null): PlacedWindow[] {
  return windows.map((w) => ({ id: w.id, x: w.x, y: w.y, width: w.width, height: w.height, pinned: alwaysDrawn(w, focusedId) }));
}

/**
 * How much of each window the board draws for the current camera. One pass over the windows per
 * camera change, and only a window whose detail changed is told (a per-window derived of the
 * camera re-ran in all 200 windows of a big board at every frame of a pan). Windows drawn again
 * are paced (`paceDetailChanges`): those left over are taken at the next animation frame, whether
 * or not the camera moves again.
 */
export class WindowDetails {
  readonly #shown = new SvelteMap<string, WindowDetail>();
  /** The same values, read without subscribing (update runs inside an effect). */
  readonly #last = new Map<string, WindowDetail>();
  /** Bumped to run the pass again for windows whose redraw was put off. */
  #again = $state(0);
  #scheduled = false;
  readonly #nextFrame: (run: () => void) => void;

  constructor(nextFrame: (run: () => void) => void = (run) => requestAnimationFrame(run)) {
    this.#nextFrame = nextFrame;
  }

  of(id: string): WindowDetail {
    return this.#shown.get(id) ?? 'full';
  }

  update(windows: readonly PlacedWindow[], v: ViewportState, size: Size): void {
    void this.#again;
    const changes: (DetailChange & { id: string })[] = [];
    for (const w of windows) {
      const to = w.pinned ? 'full' : windowDetail(w, v, size);
      const from = this.#last.get(w.id);
      // A window the board has not drawn yet is drawn as it should be (the board's first picture).
      if (from === undefined) this.#set(w.id, to);
      else if (from !== to) changes.push({ id: w.id, rect: w, from, to, pinned: w.pinned });
    }
    const now = paceDetailChanges(changes, v, size);
    for (const c of now) this.#set(c.id, c.to);
    if (now.length < changes.length && !this.#scheduled) {
      this.#scheduled = true;
      this.#nextFrame(() => {
        this.#scheduled = false;
        this.#again++;
      });
    }
    if (this.#last.size > windows.length) {
      const ids = new Set(windows.map((w) => w.id));
      for (const id of [...this.#last.keys()]) {
        if (!ids.has(id)) {
          this.#last.delete(id);
          this.#shown.delete(id);
        }
      }
    }
  }

  #set(id: string, d: WindowDetail): void {
    this.#last.set(id, d);
    this.#shown.set(id, d);
  }
}
