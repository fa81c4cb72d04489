import { describe, expect, it } from 'vitest';
import { outlineOf } from './renderer';

describe('stroke smoothing input', () => {
  const flat = (pts: number[][]) => pts.flatMap(([x, y, p]) => [x!, y!, p!]);

  it('a mouse stroke (constant pressure) gets simulated pressure: thinner where it moves fast', () => {
    const mouse = flat([[0, 0, 0.5], [2, 0, 0.5], [40, 0, 0.5], [80, 0, 0.5], [82, 0, 0.5]]);
    const outline = outlineOf(mouse, 8);
    expect(outline.length).toBeGreaterThan(4);
    const ys = outline.map((p) => Math.abs(p[1]!));
    expect(Math.max(...ys)).toBeLessThanOrEqual(4.01);
  });

  it('a pen stroke uses its real pressure: harder is wider', () => {
    const light = outlineOf(flat([[0, 0, 0.1], [20, 0, 0.1], [40, 0, 0.1], [60, 0, 0.2]]), 8);
    const hard = outlineOf(flat([[0, 0, 1], [20, 0, 1], [40, 0, 1], [60, 0, 0.9]]), 8);
    const width = (o: number[][]) => Math.max(...o.map((p) => Math.abs(p[1]!)));
    expect(width(hard)).toBeGreaterThan(width(light));
  });

  it('a single point still gives an outline (a dot)', () => {
    expect(outlineOf([5, 5, 0.5], 4).length).toBeGreaterThan(0);
  });
});
