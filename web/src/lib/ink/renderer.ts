// Draws a board's ink fast enough for 10,000+ strokes: each stroke's smoothed outline is a cached
// Path2D in world units; the committed ink is rendered into 256-pixel tiles per zoom level (powers
// of two) and a frame only composites the visible tiles. Missing tiles are drawn within a time
// budget per frame (a coarser tile stands in meanwhile), so panning and zooming never wait on a
// full redraw; a new stroke is drawn onto the cached tiles it touches, an erase re-renders only
// the tiles under it.
import { getStroke } from 'perfect-freehand';
import type { InkChange } from './ink-store.svelte';
import { DEFAULT_INK, type Stroke } from './types';

export const TILE = 256;
const MAX_TILES = 256;
const MIN_LEVEL = -10;
const MAX_LEVEL = 6;

export interface InkSource {
  search(minX: number, minY: number, maxX: number, maxY: number): Stroke[];
  subscribe(fn: (c: InkChange) => void): () => void;
}

export interface View {
  x: number;
  y: number;
  zoom: number;
}

interface Tile {
  level: number;
  i: number;
  j: number;
  /** null: no ink in this tile (costs no memory). */
  canvas: HTMLCanvasElement | OffscreenCanvas | null;
  used: number;
}

const paths = new WeakMap<Stroke, Path2D>();

/** perfect-freehand options for a stroke; mouse input (constant pressure) gets simulated pressure. */
export function outlineOf(points: ArrayLike<number>, width: number, last = true): number[][] {
  const pts: number[][] = [];
  let constant = true;
  for (let i = 0; i < points.length; i += 3) {
    pts.push([points[i]!, points[i + 1]!, points[i + 2]!]);
    if (i > 0 && Math.abs(points[i + 2]! - points[2]!) > 1e-3) constant = false;
  }
  return getStroke(pts, { size: width, thinning: 0.5, smoothing: 0.5, streamline: 0.4, simulatePressure: constant, last });
}

/** A closed outline as a Path2D with quadratic curves through the midpoints (smooth at any zoom). */
export function pathOf(outline: number[][]): Path2D {
  const p = new Path2D();
  const n = outline.length;
  if (n === 0) return p;
  if (n < 3) {
    const [x, y] = outline[0]!;
    p.arc(x!, y!, 0.5, 0, Math.PI * 2);
    return p;
  }
  p.moveTo(outline[0]![0]!, outline[0]![1]!);
  for (let i = 0; i < n; i++) {
    const a = outline[i]!;
    const b = outline[(i + 1) % n]!;
    p.quadraticCurveTo(a[0]!, a[1]!, (a[0]! + b[0]!) / 2, (a[1]! + b[1]!) / 2);
  }
  p.closePath();
  return p;
}

/** The cached outline path of a stored stroke. */
export function strokePath(s: Stroke): Path2D {
  let p = paths.get(s);
  if (!p) {
    p = pathOf(outlineOf(s.points, s.width));
    paths.set(s, p);
  }
  return p;
}

export class InkRenderer {
  /** What default ink (`currentColor`) is drawn as: the theme's text colour. */
  #ink = '#1d2330';
  readonly #tiles = new Map<string, Tile>();
  readonly #source: InkSource;
  readonly #unsubscribe: () => void;
  #clock = 0;
  /** Tiles rendered during the last frame (for tests and the bench's curiosity). */
  lastRendered = 0;

  constructor(source: InkSource, readonly now: () => number = () => performance.now()) {
    this.#source = source;
    this.#unsubscribe = source.subscribe((c) => this.#onChange(c));
  }

  dispose(): void {
    this.#unsubscribe();
    this.#tiles.clear();
  }

  setInkColor(color: string): void {
    if (color === this.#ink) return;
    this.#ink = color;
    this.#tiles.clear();
  }

  colorOf(s: Stroke): string {
    return s.color === DEFAULT_INK ? this.#ink : s.color;
  }

  #onChange(c: InkChange): void {
    if (c.kind === 'reset') {
      this.#tiles.clear();
      return;
    }
    for (const s of c.strokes) {
      for (const [key, t] of this.#tiles) {
        const size = TILE / 2 ** t.level;
        const x0 = t.i * size;
        const y0 = t.j * size;
        if (s.maxX < x0 || s.minX > x0 + size || s.maxY < y0 || s.minY > y0 + size) continue;
        if (c.kind === 'added' && c.onTop) {
          // Newest on top: paint it onto what the tile already shows.
          t.canvas ??= makeCanvas();
          const ctx = t.canvas.getContext('2d') as CanvasRenderingContext2D | null;
          if (!ctx) continue;
          const scale = 2 ** t.level;
          ctx.setTransform(scale, 0, 0, scale, -x0 * scale, -y0 * scale);
          ctx.fillStyle = this.colorOf(s);
          ctx.fill(strokePath(s));
        } else {
          // Removed, or put back under newer ink: this tile is drawn again when next needed.
          this.#tiles.delete(key);
        }
      }
    }
  }

  /**
   * Draws the ink for `view` onto `ctx` (device pixels `w` × `h`, `dpr` device pixels per CSS
   * pixel), rendering missing tiles for at most `budgetMs`. Returns false when some tiles are
   * still missing: call again on the next frame.
   */
  draw(ctx: CanvasRenderingContext2D, view: View, w: number, h: number, dpr: number, budgetMs = 6): boolean {
    const started = this.now();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const scale = view.zoom * dpr;
    const level = Math.max(MIN_LEVEL, Math.min(MAX_LEVEL, Math.ceil(Math.log2(scale) - 1e-9)));
    const worldTile = TILE / 2 ** level;
    const x0 = -view.x / view.zoom;
    const y0 = -view.y / view.zoom;
    const x1 = x0 + w / scale;
    const y1 = y0 + h / scale;
    const i0 = Math.floor(x0 / worldTile);
    const j0 = Math.floor(y0 / worldTile);
    const i1 = Math.floor(x1 / worldTile);
    const j1 = Math.floor(y1 / worldTile);
    let complete = true;
    let rendered = 0;
    this.#clock++;
    ctx.imageSmoothingEnabled = true;
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        let tile = this.#tiles.get(key(level, i, j));
        if (!tile && (rendered === 0 || this.now() - started < budgetMs)) {
          tile = this.#render(level, i, j);
          rendered++;
        }
        const sx = (i * worldTile * view.zoom + view.x) * dpr;
        const sy = (j * worldTile * view.zoom + view.y) * dpr;
        const size = worldTile * scale;
        const dx = Math.round(sx);
        const dy = Math.round(sy);
        const dw = Math.round(sx + size) - dx;
        const dh = Math.round(sy + size) - dy;
        if (tile) {
          tile.used = this.#clock;
          if (tile.canvas) ctx.drawImage(tile.canvas, dx, dy, dw, dh);
          continue;
        }
        complete = false;
        this.#fallback(ctx, level, i, j, dx, dy, dw, dh);
      }
    }
    this.lastRendered = rendered;
    this.#evict();
    return complete;
  }

  /** A coarser cached tile covering (level, i, j), scaled up, until the real one is drawn. */
  #fallback(ctx: CanvasRenderingContext2D, level: number, i: number, j: number, dx: number, dy: number, dw: number, dh: number): void {
    for (let up = 1; up <= 3; up++) {
      const parent = this.#tiles.get(key(level - up, i >> up, j >> up));
      if (!parent) continue;
      if (parent.canvas) {
        const part = TILE >> up;
        const sx = (i - ((i >> up) << up)) * part;
        const sy = (j - ((j >> up) << up)) * part;
        ctx.drawImage(parent.canvas, sx, sy, part, part, dx, dy, dw, dh);
      }
      return;
    }
  }

  #render(level: number, i: number, j: number): Tile {
    const size = TILE / 2 ** level;
    const x0 = i * size;
    const y0 = j * size;
    const strokes = this.#source.search(x0, y0, x0 + size, y0 + size);
    const tile: Tile = { level, i, j, canvas: null, used: this.#clock };
    if (strokes.length > 0) {
      tile.canvas = makeCanvas();
      const ctx = tile.canvas.getContext('2d') as CanvasRenderingContext2D | null;
      if (ctx) {
        const scale = 2 ** level;
        ctx.setTransform(scale, 0, 0, scale, -x0 * scale, -y0 * scale);
        for (const s of strokes) {
          ctx.fillStyle = this.colorOf(s);
          ctx.fill(strokePath(s));
        }
      }
    }
    this.#tiles.set(key(level, i, j), tile);
    return tile;
  }

  /** Least recently drawn tiles with ink go first; empty tiles cost nothing and stay (up to a bound). */
  #evict(): void {
    if (this.#tiles.size <= MAX_TILES * 4) {
      let painted = 0;
      for (const t of this.#tiles.values()) if (t.canvas) painted++;
      if (painted <= MAX_TILES) return;
    }
    const byAge = [...this.#tiles.entries()].sort((a, b) => a[1].used - b[1].used);
    let excess = this.#tiles.size - MAX_TILES;
    for (const [k] of byAge) {
      if (excess-- <= 0) break;
      this.#tiles.delete(k);
    }
  }
}

function key(level: number, i: number, j: number): string {
  return `${level}:${i}:${j}`;
}

function makeCanvas(): HTMLCanvasElement | OffscreenCanvas {
  if (typeof OffscreenCanvas === 'function') return new OffscreenCanvas(TILE, TILE);
  const c = document.createElement('canvas');
  c.width = TILE;
  c.height = TILE;
  return c;
}
