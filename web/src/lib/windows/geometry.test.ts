import { describe, expect, it } from 'vitest';
import { effectiveMinSize, keyboardNudge, raiseZ, resizeRect, spawnPosition, topZ } from './geometry';

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

  it('spawnPosition_OccupiedSpot_Cascades', () => {
    const visible = { x: 0, y: 0, width: 1000, height: 900 };
    const size = { width: 200, height: 300 };
    const first = spawnPosition(visible, size, []);
    expect(first).toEqual({ x: 400, y: 200 });
    const second = spawnPosition(visible, size, [{ ...first, ...size }]);
    expect(second).toEqual({ x: 428, y: 228 });
    const third = spawnPosition(visible, { width: 500, height: 100 }, [{ ...first, ...size }, { ...second, ...size }]);
    expect(third.x).toBe(250 + 56);
  });

  it('keyboardNudge_ArrowKeys_Step', () => {
    expect(keyboardNudge('ArrowLeft', false)).toEqual({ dx: -16, dy: 0 });
    expect(keyboardNudge('ArrowDown', true)).toEqual({ dx: 0, dy: 64 });
    expect(keyboardNudge('a', false)).toBeNull();
  });
});
