import {
  clampZoom,
  fitTo,
  screenToWorld,
  visibleWorldRect,
  worldToScreen,
  zoomAt,
  type FitOptions,
  type Point,
  type Rect,
  type Size,
  type ViewportState,
} from './viewport-math';

export * from './viewport-math';

/** Pan/zoom state of the board canvas; the math lives in viewport-math.ts (pure, unit-tested). */
export class Viewport implements ViewportState {
  x = $state(0);
  y = $state(0);
  zoom = $state(1);
  /** Size of the canvas element in screen pixels (bound by Canvas.svelte). */
  width = $state(0);
  height = $state(0);

  get state(): ViewportState {
    return { x: this.x, y: this.y, zoom: this.zoom };
  }

  get size(): Size {
    return { width: this.width, height: this.height };
  }

  set(v: ViewportState): void {
    this.x = Number.isFinite(v.x) ? v.x : 0;
    this.y = Number.isFinite(v.y) ? v.y : 0;
    this.zoom = clampZoom(v.zoom);
  }

  screenToWorld(p: Point): Point {
    return screenToWorld(this.state, p);
  }

  worldToScreen(p: Point): Point {
    return worldToScreen(this.state, p);
  }

  panBy(dx: number, dy: number): void {
    this.x += dx;
    this.y += dy;
  }

  zoomAt(p: Point, factor: number): void {
    this.set(zoomAt(this.state, p, factor));
  }

  zoomCenter(factor: number): void {
    this.zoomAt({ x: this.width / 2, y: this.height / 2 }, factor);
  }

  fitTo(rects: readonly Rect[], opts?: FitOptions): void {
    this.set(fitTo(rects, this.size, opts));
  }

  visibleWorld(): Rect {
    return visibleWorldRect(this.state, this.size);
  }
}
