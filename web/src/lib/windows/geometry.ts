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

/** Space kept between a new window and the ones already there (world units). */
export const SPAWN_GAP = 16;

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Where a new window goes: the free spot nearest the middle of what the person sees (a little
 * above centre, where the eye lands), so new windows never hide the ones already there. Spots are
 * tried outward from the middle on a grid; one is free when it keeps `SPAWN_GAP` from every
 * window and stays inside the view. A full view gets the spot that covers the least.
 */
export function spawnPosition(visible: Rect, size: Size, existing: readonly Rect[]): { x: number; y: number } {
  const ideal = {
    x: visible.x + (visible.width - size.width) / 2,
    y: visible.y + Math.max(SPAWN_GAP, (visible.height - size.height) / 3),
  };
  const padded = existing.map((r) => ({ x: r.x - SPAWN_GAP, y: r.y - SPAWN_GAP, width: r.width + 2 * SPAWN_GAP, height: r.height + 2 * SPAWN_GAP }));
  const fits = size.width <= visible.width && size.height <= visible.height;
  // About 20 steps across the smaller side of the view, whatever the zoom.
  const step = Math.max(8, Math.round(Math.min(visible.width, visible.height) / 20));
  const reach = Math.ceil(Math.max(visible.width, visible.height) / step);
  const spots: { x: number; y: number; distance: number }[] = [];
  for (let i = -reach; i <= reach; i++) {
    for (let j = -reach; j <= reach; j++) {
      const x = ideal.x + i * step;
      const y = ideal.y + j * step;
      const inside = x >= visible.x && y >= visible.y && x + size.width <= visible.x + visible.width && y + size.height <= visible.y + visible.height;
      if (fits && !inside) continue;
      spots.push({ x, y, distance: Math.hypot(i, j) });
    }
  }
  spots.sort((a, b) => a.distance - b.distance);
  let best = { x: ideal.x, y: ideal.y, covered: Number.POSITIVE_INFINITY };
  for (const spot of spots) {
    const rect = { x: spot.x, y: spot.y, width: size.width, height: size.height };
    const covered = padded.reduce((sum, r) => sum + overlapArea(rect, r), 0);
    if (covered === 0) return { x: Math.round(spot.x), y: Math.round(spot.y) };
    if (covered < best.covered) best = { x: spot.x, y: spot.y, covered };
  }
  return { x: Math.round(best.x), y: Math.round(best.y) };
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
