import { describe, expect, it } from 'vitest';
import { clampZoom, fitTo, screenToWorld, visibleWorldRect, wheelZoomFactor, worldToScreen, zoomAt } from './viewport-math';

describe('viewport math', () => {
  it('screenToWorld_RoundTripsWithWorldToScreen', () => {
    const v = { x: 120, y: -40, zoom: 2.5 };
    const p = { x: 333, y: 77 };
    const back = worldToScreen(v, screenToWorld(v, p));
    expect(back.x).toBeCloseTo(p.x);
    expect(back.y).toBeCloseTo(p.y);
  });

  it('screenToWorld_Identity_SamePoint', () => {
    expect(screenToWorld({ x: 0, y: 0, zoom: 1 }, { x: 5, y: 6 })).toEqual({ x: 5, y: 6 });
  });

  it('zoomAt_KeepsWorldPointUnderCursor', () => {
    const v = { x: 10, y: 20, zoom: 1 };
    const cursor = { x: 400, y: 300 };
    const before = screenToWorld(v, cursor);
    const z = zoomAt(v, cursor, 1.7);
    const after = screenToWorld(z, cursor);
    expect(z.zoom).toBeCloseTo(1.7);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
  });

  it('zoomAt_BeyondLimits_Clamped', () => {
    expect(zoomAt({ x: 0, y: 0, zoom: 3 }, { x: 0, y: 0 }, 10).zoom).toBe(4);
    expect(zoomAt({ x: 0, y: 0, zoom: 0.2 }, { x: 0, y: 0 }, 0.01).zoom).toBe(0.1);
    expect(clampZoom(Number.NaN)).toBe(1);
  });

  it('fitTo_ContentLargerThanView_ZoomsOutAndCenters', () => {
    const v = fitTo([{ x: 0, y: 0, width: 2000, height: 1000 }], { width: 1000, height: 800 }, { padding: 0 });
    expect(v.zoom).toBeCloseTo(0.5);
    const center = worldToScreen(v, { x: 1000, y: 500 });
    expect(center.x).toBeCloseTo(500);
    expect(center.y).toBeCloseTo(400);
  });

  it('fitTo_TinyContent_NeverMagnifiesPastMaxZoom', () => {
    expect(fitTo([{ x: 0, y: 0, width: 10, height: 10 }], { width: 1000, height: 800 }).zoom).toBe(1);
    expect(fitTo([{ x: 0, y: 0, width: 10, height: 10 }], { width: 1000, height: 800 }, { maxZoom: 99 }).zoom).toBe(4);
  });

  it('fitTo_HugeContent_ClampedToMinZoom', () => {
    expect(fitTo([{ x: 0, y: 0, width: 1e7, height: 10 }], { width: 1000, height: 800 }).zoom).toBe(0.1);
  });

  it('fitTo_MultipleRects_UsesUnionBounds', () => {
    const v = fitTo(
      [
        { x: -500, y: 0, width: 100, height: 100 },
        { x: 400, y: 300, width: 100, height: 100 },
      ],
      { width: 1000, height: 400 },
      { padding: 0 },
    );
    expect(v.zoom).toBeCloseTo(1);
    const c = worldToScreen(v, { x: 0, y: 200 });
    expect(c.x).toBeCloseTo(500);
    expect(c.y).toBeCloseTo(200);
  });

  it('fitTo_NoRects_ResetsZoom', () => {
    expect(fitTo([], { width: 800, height: 600 })).toEqual({ x: 400, y: 300, zoom: 1 });
  });

  it('visibleWorldRect_AccountsForPanAndZoom', () => {
    expect(visibleWorldRect({ x: -100, y: -50, zoom: 2 }, { width: 800, height: 600 })).toEqual({
      x: 50,
      y: 25,
      width: 400,
      height: 300,
    });
  });

  it('wheelZoomFactor_ScrollUp_ZoomsIn', () => {
    expect(wheelZoomFactor(-100)).toBeGreaterThan(1);
    expect(wheelZoomFactor(100)).toBeLessThan(1);
    expect(wheelZoomFactor(1e6)).toBe(wheelZoomFactor(100));
  });
});
