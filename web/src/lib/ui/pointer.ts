import type { Attachment } from 'svelte/attachments';

export interface DragHandlers {
  /** Return false to not start (e.g. the press was on a button). */
  start?(e: PointerEvent): boolean | void;
  /** Screen-pixel delta since the press. */
  move(dx: number, dy: number, e: PointerEvent): void;
  end?(moved: boolean, e: PointerEvent): void;
  /** Mouse buttons that start a drag (default: primary only). */
  buttons?: readonly number[];
}

/**
 * Pointer-captured dragging as an attachment. Capture keeps the drag alive when the pointer
 * leaves the element (or crosses a card frame) until it is released.
 */
export function pointerDrag(handlers: DragHandlers): Attachment<HTMLElement> {
  return (el) => {
    let active: { id: number; sx: number; sy: number; moved: boolean } | null = null;

    const down = (e: PointerEvent) => {
      if (active) return;
      if (!(handlers.buttons ?? [0]).includes(e.button)) return;
      if (handlers.start?.(e) === false) return;
      active = { id: e.pointerId, sx: e.clientX, sy: e.clientY, moved: false };
      // preventDefault on pointerdown does not stop text selection in Chromium; this does.
      document.documentElement.classList.add('lab-dragging');
      try {
        el.setPointerCapture(e.pointerId);
      } catch {
        // Synthetic events in tests have no active pointer; dragging still works without capture.
      }
      e.preventDefault();
    };
    const move = (e: PointerEvent) => {
      if (!active || e.pointerId !== active.id) return;
      const dx = e.clientX - active.sx;
      const dy = e.clientY - active.sy;
      if (!active.moved && Math.abs(dx) + Math.abs(dy) < 2) return;
      active.moved = true;
      handlers.move(dx, dy, e);
    };
    const up = (e: PointerEvent) => {
      if (!active || e.pointerId !== active.id) return;
      const moved = active.moved;
      active = null;
      document.documentElement.classList.remove('lab-dragging');
      if (el.hasPointerCapture?.(e.pointerId)) el.releasePointerCapture(e.pointerId);
      handlers.end?.(moved, e);
    };
    el.addEventListener('pointerdown', down);
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
    el.addEventListener('pointercancel', up);
    el.addEventListener('lostpointercapture', up);
    return () => {
      el.removeEventListener('pointerdown', down);
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      el.removeEventListener('pointercancel', up);
      el.removeEventListener('lostpointercapture', up);
    };
  };
}

/** Any listener with options (e.g. a non-passive wheel handler) as an attachment. */
export function listen<K extends keyof HTMLElementEventMap>(
  type: K,
  fn: (e: HTMLElementEventMap[K]) => void,
  options?: AddEventListenerOptions,
): Attachment<HTMLElement> {
  return (el) => {
    el.addEventListener(type, fn, options);
    return () => el.removeEventListener(type, fn, options);
  };
}
