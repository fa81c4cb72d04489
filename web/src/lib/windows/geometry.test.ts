import { describe, expect, it } from 'vitest';
import { effectiveMinSize, keyboardNudge, raiseZ, resizeRect, SPAWN_GAP, spawnPosition, topZ } from './geometry';

const MIN = { width: 160, height: 100 };
const start = { x: 100, y: 100, width: 300, height: 200 };

describe('window geometry', () => {
  it('effectiveMinSize_NoCardMin_HostFloor', () => {
    expect(effectiveMinSize()).toEqual(MIN);
    expect(effectiveMinSize({ width: 50, height: 20 })).toEqual(MIN);
  });

  it('effectiveMinSize_CardMinLarger_Wins', () => {
    expect(effectiveMinSize({ width: 200, height: 120 })).toEqual({ width: 200, height: 120 });
    expect(effectiveMinSize({ width: Number.NaN, height: 300 })).toEqual({ width: 160, height: 300 });
  });

  it('resizeRect_SouthEast_GrowsWidthAndHeight', () => {
    expect(resizeRect(start, 'se', 50, 30, MIN)).toEqual({ x: 100, y: 100, width: 350, height: 230 });
  });

  it('resizeRect_NorthWest_MovesOriginKeepsOppositeEdge', () => {
    expect(resizeRect(start, 'nw', -20, -10, MIN)).toEqual({ x: 80, y: 90, width: 320, height: 210 });
  });

  it('resizeRect_ShrinkBelowMin_ClampedAndOppositeEdgeFixed', () => {
    const r = resizeRect(start, 'nw', 1000, 1000, MIN);
    expect(r).toEqual({ x: 240, y: 200, width: 160, height: 100 });
    expect(r.x + r.width).toBe(start.x + start.width);
    expect(r.y + r.height).toBe(start.y + start.height);
    expect(resizeRect(start, 'e', -1000, 0, MIN).width).toBe(160);
    expect(resizeRect(start, 's', 0, -1000, { width: 200, height: 150 }).height).toBe(150);
  });

  it('resizeRect_EdgeOnly_ChangesOneAxis', () => {
    expect(resizeRect(start, 'n', 999, -40, MIN)).toEqual({ x: 100, y: 60, width: 300, height: 240 });
    expect(resizeRect(start, 'w', 40, 999, MIN)).toEqual({ x: 140, y: 100, width: 260, height: 200 });
  });

  it('raiseZ_RaisedWindowOnTopOthersKeepOrder', () => {
    const z = raiseZ(
      [
        { id: 'a', z: 5 },
        { id: 'b', z: 9 },
        { id: 'c', z: 7 },
      ],
      'a',
    );
    expect(z.get('a')).toBe(3);
    expect(z.get('c')).toBe(1);
    expect(z.get('b')).toBe(2);
  });

  it('raiseZ_UnknownId_OnlyNormalizes', () => {
    const z = raiseZ([{ id: 'a', z: 50 }, { id: 'b', z: 10 }], 'x');
    expect([z.get('b'), z.get('a')]).toEqual([1, 2]);
    expect(topZ([{ id: 'a', z: 50 }, { id: 'b', z: 10 }])).toBe(50);
  });

  const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const view = { x: 0, y: 0, width: 1200, height: 800 };

  it('spawnPosition_EmptyView_CentredAboveMiddle', () => {
    expect(spawnPosition(view, { width: 200, height: 300 }, [])).toEqual({ x: 500, y: 167 });
  });

  it('spawnPosition_CentreTaken_NearestFreeSpotWithAGap', () => {
    const size = { width: 300, height: 200 };
    const first = { ...spawnPosition(view, size, []), ...size };
    const second = { ...spawnPosition(view, size, [first]), ...size };
    expect(overlaps(second, { x: first.x - SPAWN_GAP, y: first.y - SPAWN_GAP, width: first.width + 2 * SPAWN_GAP, height: first.height + 2 * SPAWN_GAP })).toBe(false);
    // Near the middle: it moved out by about its own size, not across the view.
    expect(Math.hypot(second.x - first.x, second.y - first.y)).toBeLessThanOrEqual(size.width + 2 * SPAWN_GAP + 60);
  });

  it('spawnPosition_ManySpawns_NoneOverlapWhileThereIsRoom', () => {
    const size = { width: 240, height: 160 };
    const placed: { x: number; y: number; width: number; height: number }[] = [];
    for (let n = 0; n < 8; n++) placed.push({ ...spawnPosition(view, size, placed), ...size });
    for (const [i, a] of placed.entries()) {
      for (const b of placed.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
      expect(a.x >= view.x && a.y >= view.y && a.x + a.width <= view.width && a.y + a.height <= view.height).toBe(true);
    }
  });

  it('spawnPosition_ViewFull_LeastCoveredSpotInsideTheView', () => {
    const wall = [{ x: 0, y: 0, width: 1200, height: 800 }];
    const spot = spawnPosition(view, { width: 200, height: 100 }, wall);
    expect(spot.x).toBeGreaterThanOrEqual(0);
    expect(spot.y).toBeGreaterThanOrEqual(0);
    expect(spot.x + 200).toBeLessThanOrEqual(1200);
    expect(spot.y + 100).toBeLessThanOrEqual(800);
  });

  it('spawnPosition_WorldOffsetAndZoomedOut_StaysNearThatViewsMiddle', () => {
    const far = { x: 5000, y: -3000, width: 4800, height: 3200 };
    const spot = spawnPosition(far, { width: 300, height: 200 }, []);
    expect(spot).toEqual({ x: 5000 + 2250, y: -3000 + 1000 });
  });

  it('spawnPosition_WindowLargerThanView_StillPlacedNearMiddle', () => {
    const spot = spawnPosition({ x: 0, y: 0, width: 300, height: 200 }, { width: 600, height: 400 }, []);
    expect(spot).toEqual({ x: -150, y: 16 });
  });

  it('keyboardNudge_ArrowKeys_Step', () => {
    expect(keyboardNudge('ArrowLeft', false)).toEqual({ dx: -16, dy: 0 });
    expect(keyboardNudge('ArrowDown', true)).toEqual({ dx: 0, dy: 64 });
    expect(keyboardNudge('a', false)).toBeNull();
  });
});
