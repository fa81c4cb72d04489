/**
 * Pointer gestures on the viewport, in pixels: one finger or the left button orbits; the right or
 * middle button, or Shift/Ctrl with the left, pans; two fingers pinch to zoom and move to pan;
 * the wheel zooms. The view turns them into camera moves.
 */
export interface GestureHandler {
  orbit(dx: number, dy: number): void;
  pan(dx: number, dy: number): void;
  /** > 1 moves away, < 1 comes closer. */
  zoom(factor: number): void;
  /** A gesture ended (last pointer up, or the wheel paused): a good moment to save. */
  end(): void;
}

const WHEEL_PAUSE_MS = 250;

export function attachGestures(el: HTMLElement, h: GestureHandler): () => void {
  const pointers = new Map<number, { x: number; y: number }>();
  let panning = false;
  let wheelTimer: ReturnType<typeof setTimeout> | undefined;

  const spread = () => {
    const [a, b] = [...pointers.values()];
    return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
  };
  const middle = () => {
    const [a, b] = [...pointers.values()];
    return a && b ? { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } : { x: 0, y: 0 };
  };

  const down = (e: PointerEvent) => {
    if (pointers.size >= 2) return;
    el.setPointerCapture?.(e.pointerId);
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    panning = e.button === 1 || e.button === 2 || e.shiftKey || e.ctrlKey || e.metaKey;
    // No text selection or native drag; the viewport takes focus itself (for the arrow keys).
    e.preventDefault();
    el.focus({ preventScroll: true });
  };
  const move = (e: PointerEvent) => {
    const p = pointers.get(e.pointerId);
    if (!p) return;
    if (pointers.size === 1) {
      const dx = e.clientX - p.x;
      const dy = e.clientY - p.y;
      p.x = e.clientX;
      p.y = e.clientY;
      if (dx || dy) (panning ? h.pan : h.orbit).call(h, dx, dy);
      return;
    }
    const before = spread();
    const mid = middle();
    p.x = e.clientX;
    p.y = e.clientY;
    const after = spread();
    const mid2 = middle();
    if (before > 0 && after > 0 && before !== after) h.zoom(before / after);
    if (mid2.x !== mid.x || mid2.y !== mid.y) h.pan(mid2.x - mid.x, mid2.y - mid.y);
  };
  const up = (e: PointerEvent) => {
    if (!pointers.delete(e.pointerId)) return;
    if (pointers.size === 0) h.end();
  };
  const wheel = (e: WheelEvent) => {
    e.preventDefault();
    // Lines and pages to pixels, then a gentle exponential: one notch (~100 px) is about 15%.
    const px = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
    h.zoom(Math.exp(Math.max(-300, Math.min(300, px)) * 0.0015));
    clearTimeout(wheelTimer);
    wheelTimer = setTimeout(() => h.end(), WHEEL_PAUSE_MS);
  };
  const menu = (e: Event) => e.preventDefault(); // the right button pans

  el.addEventListener('pointerdown', down);
  el.addEventListener('pointermove', move);
  el.addEventListener('pointerup', up);
  el.addEventListener('pointercancel', up);
  el.addEventListener('wheel', wheel, { passive: false });
  el.addEventListener('contextmenu', menu);
  return () => {
    clearTimeout(wheelTimer);
    el.removeEventListener('pointerdown', down);
    el.removeEventListener('pointermove', move);
    el.removeEventListener('pointerup', up);
    el.removeEventListener('pointercancel', up);
    el.removeEventListener('wheel', wheel);
    el.removeEventListener('contextmenu', menu);
  };
}
