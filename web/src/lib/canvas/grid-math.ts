// Pure math of the fractal grid (DESIGN "Themes"). Three line families with world
// spacings T, T/8, T/64, where T = 8^k is chosen so the tile level is 200–1600 px on screen.
// A family's look is a continuous function of its on-screen spacing: it blends from one level's
// style to the next just before the bands switch, and the finest family fades in from nothing,
// so zooming never pops and lines stay evenly spaced at any zoom.
import { mix, parseColor, toCss, type Rgba } from '../themes/color';
import type { FractalGrid, GridLevel, SystemScheme } from '../themes/types';
import type { Size, ViewportState } from './viewport-math';

export const GRID_BASE = 8;
/** The tile level's on-screen spacing lives in [TILE_MIN_PX, TILE_MIN_PX · 8). */
export const TILE_MIN_PX = 200;
/** Width (in log8 units) of the blend from a level's style into the next coarser one. */
export const BLEND = 0.35;
/** The finest family is invisible at this on-screen spacing (TILE_MIN_PX / 64)… */
export const FADE_MIN_PX = TILE_MIN_PX / (GRID_BASE * GRID_BASE);
/** …and at full strength from here. */
export const FADE_FULL_PX = 8;

const LEVELS: readonly GridLevel[] = ['tileBorder', 'child', 'grandchild'];
const CLEAR: Rgba = [0, 0, 0, 0];

/** One level's look per axis: horizontal lines, vertical lines (alpha 0 = not drawn). */
export interface LevelStyle {
  h: Rgba;
  v: Rgba;
  widthPx: number;
}

export type GridSpec = Readonly<Record<GridLevel, LevelStyle>>;

/** Default look when a theme has no fractalGrid: a quiet neutral grid matching light/dark. */
export function defaultGrid(scheme: SystemScheme): FractalGrid {
  const c = scheme === 'dark' ? [1, 1, 1] : [0.11, 0.14, 0.19];
  const a = scheme === 'dark' ? [0.1, 0.06, 0.035] : [0.12, 0.07, 0.04];
  return {
    enabled: true,
    groups: LEVELS.map((level, i) => ({ level, axes: 'both' as const, color: [...c, a[i]!], widthPx: 1 })),
  };
}

/** The theme's grid as per-level styles; null when disabled (no grid at all). */
export function gridSpecFrom(grid: FractalGrid | null | undefined): GridSpec | null {
  if (!grid || grid.enabled !== true) return null;
  const spec: Record<GridLevel, LevelStyle> = {
    tileBorder: { h: CLEAR, v: CLEAR, widthPx: 1 },
    child: { h: CLEAR, v: CLEAR, widthPx: 1 },
    grandchild: { h: CLEAR, v: CLEAR, widthPx: 1 },
  };
  const seen = new Set<GridLevel>();
  for (const g of Array.isArray(grid.groups) ? grid.groups : []) {
    if (!g || !LEVELS.includes(g.level) || seen.has(g.level)) continue;
    const color = parseColor(g.color);
    if (!color) continue;
    seen.add(g.level);
    const invisible: Rgba = [color[0], color[1], color[2], 0];
    const width = typeof g.widthPx === 'number' && Number.isFinite(g.widthPx) ? Math.min(8, Math.max(0.5, g.widthPx)) : 1;
    spec[g.level] = {
      h: g.axes === 'horizontal' || g.axes === 'both' ? color : invisible,
      v: g.axes === 'vertical' || g.axes === 'both' ? color : invisible,
      widthPx: width,
    };
  }
  return spec;
}

/** World spacing of the tile level: the power of 8 whose on-screen size is in [200, 1600). */
export function tileSpacing(zoom: number): number {
  const k = Math.ceil(Math.log(TILE_MIN_PX / zoom) / Math.log(GRID_BASE) - 1e-9);
  return GRID_BASE ** k;
}

export const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

export interface GridFamily {
  /** 0 = tile level, 1 = child, 2 = grandchild. */
  index: number;
  /** Spacing in world units. */
  spacing: number;
  /** Spacing on screen in CSS pixels. */
  screenSpacing: number;
  style: LevelStyle;
}

function blend(a: LevelStyle, b: LevelStyle, t: number): LevelStyle {
  return { h: mix(a.h, b.h, t), v: mix(a.v, b.v, t), widthPx: a.widthPx + (b.widthPx - a.widthPx) * t };
}

function faded(s: LevelStyle, f: number): LevelStyle {
  return { h: [s.h[0], s.h[1], s.h[2], s.h[3] * f], v: [s.v[0], s.v[1], s.v[2], s.v[3] * f], widthPx: s.widthPx };
}

/** The three families to draw at `zoom`, coarsest first, with their blended styles. */
export function gridFamilies(zoom: number, spec: GridSpec): GridFamily[] {
  const tile = tileSpacing(zoom);
  const out: GridFamily[] = [];
  for (let i = 0; i < 3; i++) {
    const spacing = tile / GRID_BASE ** i;
    const s = spacing * zoom;
    const u = Math.log(s / TILE_MIN_PX) / Math.log(GRID_BASE); // [0,1) for the tile, [-1,0) child, [-2,-1) grandchild
    let style: LevelStyle;
    if (i === 0) style = spec.tileBorder;
    else if (i === 1) style = blend(spec.child, spec.tileBorder, smoothstep(-BLEND, 0, u));
    else style = faded(blend(spec.grandchild, spec.child, smoothstep(-1 - BLEND, -1, u)), smoothstep(FADE_MIN_PX, FADE_FULL_PX, s));
    out.push({ index: i, spacing, screenSpacing: s, style });
  }
  return out;
}

/** Device-pixel columns/rows of one family on one axis, as filled rectangles. */
export interface GridBatch {
  axis: 'h' | 'v';
  color: string;
  /** Line thickness in device pixels (integer ≥ 1). */
  width: number;
  /** Start of each line in device pixels (integers: lines are snapped, so they stay crisp). */
  starts: number[];
}

const MIN_ALPHA = 0.004;

/**
 * Every line to draw for a viewport of `size` CSS pixels at `dpr`: one batch per family and axis.
 * A position is drawn once, by the coarsest family that draws that axis there.
 */
export function planGrid(v: ViewportState, size: Size, dpr: number, spec: GridSpec): GridBatch[] {
  if (!(v.zoom > 0) || size.width <= 0 || size.height <= 0) return [];
  const ratio = dpr > 0 && Number.isFinite(dpr) ? dpr : 1;
  const families = gridFamilies(v.zoom, spec);
  const batches: GridBatch[] = [];
  for (const axis of ['v', 'h'] as const) {
    const offset = axis === 'v' ? v.x : v.y;
    const length = axis === 'v' ? size.width : size.height;
    for (const fam of families) {
      const color = axis === 'v' ? fam.style.v : fam.style.h;
      if (color[3] < MIN_ALPHA) continue;
      // Coarser families that draw this axis own their positions (every 8^(i-j)-th line).
      const owners = families
        .filter((c) => c.index < fam.index && (axis === 'v' ? c.style.v : c.style.h)[3] >= MIN_ALPHA)
        .map((c) => GRID_BASE ** (fam.index - c.index));
      const width = Math.max(1, Math.round(fam.style.widthPx * ratio));
      const starts: number[] = [];
      const first = Math.ceil((-offset - fam.style.widthPx) / fam.screenSpacing);
      const last = Math.floor((length - offset + fam.style.widthPx) / fam.screenSpacing);
      for (let k = first; k <= last; k++) {
        if (owners.some((m) => k % m === 0)) continue;
        const center = (k * fam.screenSpacing + offset) * ratio;
        starts.push(Math.round(center - width / 2));
      }
      if (starts.length) batches.push({ axis, color: toCss(color), width, starts });
    }
  }
  return batches;
}

/** The slice of CanvasRenderingContext2D the layer uses. */
export interface GridContext {
  fillStyle: string | CanvasGradient | CanvasPattern;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
}

/**
 * The opaque colour the grid is painted on: the board's computed background, then its ancestors'
 * (nearest first), composited until one is opaque, over white (the page's own backdrop) if none is.
 * Painting it into the grid canvas makes the canvas an opaque layer, which the compositor draws
 * without blending and over which it skips the board's background. Colours it cannot parse (not
 * rgb()/rgba()/hex) count as transparent; background images are not followed.
 */
export function backdropColor(layers: readonly string[]): string {
  let r = 0, g = 0, b = 0, a = 0; // premultiplied
  for (const css of [...layers, '#ffffff']) {
    const c = parseColor(css);
    if (!c || c[3] <= 0) continue;
    const k = (1 - a) * c[3];
    r += k * c[0];
    g += k * c[1];
    b += k * c[2];
    a += k;
    if (a >= 1 - 1e-6) break;
  }
  return toCss([r / a, g / a, b / a, 1]);
}

/**
 * Paints a plan onto a canvas of `w × h` device pixels: over `background` when given (an opaque
 * canvas), else over a cleared (transparent) one.
 */
export function drawGrid(
  ctx: GridContext,
  plan: readonly GridBatch[],
  w: number,
  h: number,
  background?: string,
): void {
  if (background) {
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, w, h);
  } else ctx.clearRect(0, 0, w, h);
  for (const b of plan) {
    ctx.fillStyle = b.color;
    if (b.axis === 'v') for (const x of b.starts) ctx.fillRect(x, 0, b.width, h);
    else for (const y of b.starts) ctx.fillRect(0, y, w, b.width);
  }
}
