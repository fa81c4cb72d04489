// Pure window geometry: resizing with minimum sizes, z-order, spawn placement.
import type { Rect, Size } from '../canvas/viewport-math';
import { BASE_MIN_SIZE, type ResizeDir } from './types';

/** The effective minimum: the host floor, raised by a card's own minSize. */
export function effectiveMinSize(cardMin?: Partial<Size> | null): Size {
  return {
    width: Math.max(BASE_MIN_SIZE.width, finiteOr(cardMin?.width, 0)),
    height: Math.max(BASE_MIN_SIZE.height, finiteOr(cardMin?.height, 0)),
  };
}

function finiteOr(v: number | undefined, d: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : d;
}

export function clampSize(size: Size, min: Size): Size {
  return { width: Math.max(min.width, size.width), height: Math.max(min.height, size.height) };
}

/**
 * Resizes `start` by a world-space drag delta from the edge/corner `dir`. The opposite edge
 * stays put, also when the minimum size stops the drag.
 */
export function resizeRect(start: Rect, dir: ResizeDir, dx: number, dy: number, min: Size): Rect {
  let { x, y, width, height } = start;
  if (dir.includes('e')) width = Math.max(min.width, start.width + dx);
  if (dir.includes('s')) height = Math.max(min.height, start.height + dy);
  if (dir.includes('w')) {
    width = Math.max(min.width, start.width - dx);
    x = start.x + start.width - width;
  }
  if (dir.includes('n')) {
    height = Math.max(min.height, start.height - dy);
    y = start.y + start.height - height;
  }
  return { x, y, width, height };
}

export interface ZItem {
  id: string;
  z: number;
}

/**
 * New z values (1..n, dense) with `id` on top and everyone else keeping their relative order.
 * Dense values keep z small however long a board lives.
 */
export function raiseZ(items: readonly ZItem[], id: string): Map<string, number> {
  const ordered = [...items].sort((a, b) => a.z - b.z || a.id.localeCompare(b.id));
  const idx = ordered.findIndex((w) => w.id === id);
  if (idx >= 0) ordered.push(ordered.splice(idx, 1)[0]!);
  return new Map(ordered.map((w, i) => [w.id, i + 1]));
}

export function topZ(items: readonly ZItem[]): number {
  return items.reduce((m, w) => Math.max(m, w.z), 0);
}

/**
 * Where a new window goes: centred in the visible world area, then cascaded 28 units down-right
 * for every window already near the centre so spawns never stack exactly.
 */
export function spawnPosition(visible: Rect, size: Size, existing: readonly Rect[]): { x: number; y: number } {
  const cx = visible.x + visible.width / 2;
  const cy = visible.y + visible.height / 2;
  let x = Math.round(cx - size.width / 2);
  let y = Math.round(visible.y + Math.max(16, (visible.height - size.height) / 3));
  const crowd = existing.filter((r) => r.x <= cx && cx <= r.x + r.width && r.y <= cy && cy <= r.y + r.height).length;
  const step = (crowd % 8) * 28;
  x += step;
  y += step;
  return { x, y };
}

/** Keyboard move/resize step in world units. */
export function keyboardNudge(key: string, big: boolean): { dx: number; dy: number } | null {
  const s = big ? 64 : 16;
  switch (key) {
    case 'ArrowLeft':
      return { dx: -s, dy: 0 };
    case 'ArrowRight':
      return { dx: s, dy: 0 };
    case 'ArrowUp':
      return { dx: 0, dy: -s };
    case 'ArrowDown':
      return { dx: 0, dy: s };
    default:
      return null;
  }
}
