import { describe, expect, it } from 'vitest';
import { localSelection, makeStroke, pointInPolygon, strokeHitByCircle, strokeInLasso } from './geometry';

const stroke = (id: string, pts: number[][], width = 2, color = 'currentColor') =>
  makeStroke(id, Float32Array.from(pts.flatMap(([x, y, p]) => [x!, y!, p ?? 0.5])), color, width);

// A 100 × 100 square loop at the origin.
const square = [0, 0, 100, 0, 100, 100, 0, 100];

describe('lasso', () => {
  it('pointInPolygon follows the even-odd rule for a concave loop', () => {
    // A "U": the notch between the arms is outside.
    const u = [0, 0, 30, 0, 30, 70, 70, 70, 70, 0, 100, 0, 100, 100, 0, 100];
    expect(pointInPolygon(10, 50, u)).toBe(true);
    expect(pointInPolygon(50, 30, u)).toBe(false);
    expect(pointInPolygon(50, 90, u)).toBe(true);
    expect(pointInPolygon(150, 50, u)).toBe(false);
  });

  it('selects a stroke with more than half of its points inside', () => {
    const mostlyIn = stroke('a', [[10, 10], [50, 50], [90, 90], [150, 150]]);
    expect(strokeInLasso(mostlyIn, square)).toBe(true);
  });

  it('leaves a stroke with exactly half or fewer of its points inside', () => {
    const half = stroke('b', [[10, 10], [50, 50], [150, 150], [160, 160]]);
    const grazing = stroke('c', [[90, 50], [110, 50], [130, 50], [150, 50]]);
    expect(strokeInLasso(half, square)).toBe(false);
    expect(strokeInLasso(grazing, square)).toBe(false);
  });

  it('needs a loop of at least three points', () => {
    expect(strokeInLasso(stroke('d', [[1, 1]]), [0, 0, 10, 10])).toBe(false);
  });
});

describe('eraser', () => {
  const line = stroke('l', [[0, 0], [100, 0]], 4);

  it('hits a stroke when the circle reaches its ink (radius plus half the width)', () => {
    expect(strokeHitByCircle(line, 50, 11, 10)).toBe(true);
    expect(strokeHitByCircle(line, 50, 13, 10)).toBe(false);
  });

  it('measures to the segment, not only to its points', () => {
    const sparse = stroke('s', [[0, 0], [1000, 0]], 2);
    expect(strokeHitByCircle(sparse, 500, 5, 5)).toBe(true);
  });

  it('hits a single-point stroke (a dot)', () => {
    expect(strokeHitByCircle(stroke('dot', [[5, 5]], 2), 8, 5, 3)).toBe(true);
  });
});

describe('localSelection', () => {
  const a = stroke('a', [[100, 200, 0.25], [110, 220, 0.75]], 4, '#e5484d');
  const b = stroke('b', [[5000, 5000], [5100, 5100]]);
  const c = stroke('c', [[130, 205]], 2);

  it('contains only the selected strokes, in drawing order', () => {
    const sel = localSelection([a, b, c], new Set(['c', 'a']))!;
    expect(sel.strokes).toHaveLength(2);
    expect(sel.strokes[0]!.color).toBe('#e5484d');
    expect(sel.strokes[1]!.points).toHaveLength(1);
    // Nothing of the unselected stroke: no coordinate anywhere near it.
    expect(JSON.stringify(sel)).not.toContain('5000');
  });

  it('moves the strokes so (0, 0) is the top-left of their box, the box including half the pen width', () => {
    const sel = localSelection([a, b, c], new Set(['a', 'c']))!;
    // a reaches x 98..112, y 198..222; c reaches x 129..131, y 204..206.
    expect(sel.originX).toBe(98);
    expect(sel.originY).toBe(198);
    expect(sel.width).toBe(33);
    expect(sel.height).toBe(24);
    expect(sel.strokes[0]!.points[0]).toEqual([2, 2, 0.25]);
    expect(sel.strokes[0]!.points[1]).toEqual([12, 22, 0.75]);
    expect(sel.strokes[1]!.points[0]).toEqual([32, 7, 0.5]);
    for (const s of sel.strokes) for (const [x, y] of s.points) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(sel.width);
      expect(y).toBeLessThanOrEqual(sel.height);
    }
  });

  it('is null for an empty selection', () => {
    expect(localSelection([a], new Set())).toBeNull();
  });
});
