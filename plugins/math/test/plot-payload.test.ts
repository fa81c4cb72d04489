import { describe, expect, it } from 'vitest';
import { emptyPayload, MAX_PREVIEW_CHARS, parsePayload, pngDataUrl } from '../src/payload.ts';
import { plotGeometry, ticks } from '../src/plot.ts';

describe('payload', () => {
  it('Payload_RoundTripThroughJson_Unchanged', () => {
    const p = { ...emptyPayload(), latex: '\\frac{1}{2}+x', recognized: '\\frac{1}{2}+x', strokes: 7, preview: 'data:image/png;base64,AAAA', result: null,
      plot: { xMin: -3, xMax: 4, yAuto: false, yMin: -1, yMax: 9 } };
    expect(parsePayload(JSON.parse(JSON.stringify(p)))).toEqual(p);
  });

  it('Payload_Hostile_Defaults', () => {
    expect(parsePayload({ latex: 'x'.repeat(5000), strokes: 'many', preview: 'data:text/html;base64,PHNjcmlwdD4=', plot: { xMin: 5, xMax: 1, yMin: NaN } }))
      .toEqual(emptyPayload());
    for (const raw of [null, 7, 'x', [], { __proto__: { latex: '1' } }]) expect(parsePayload(raw)).toEqual(emptyPayload());
  });

  it('PngDataUrl_SmallKeptLargeDropped', () => {
    expect(pngDataUrl(new Uint8Array([0x89, 0x50, 0x4e, 0x47]).buffer)).toBe('data:image/png;base64,iVBORw==');
    expect(pngDataUrl(new Uint8Array(MAX_PREVIEW_CHARS).buffer)).toBeNull();
  });
});

describe('plot', () => {
  const range = { xMin: -2, xMax: 2, yAuto: true, yMin: -10, yMax: 10 };

  it('Plot_Parabola_PathSpansTheViewAndAxesCross', () => {
    const g = plotGeometry((x) => x * x, range, 200, 100);
    expect(g.path.startsWith('M0.0 ')).toBe(true);
    expect(g.path.split('M')).toHaveLength(2); // one continuous piece
    expect(g.yAxisX).toBe(100);
    expect(g.yMin).toBeLessThan(0);
    expect(g.finite).toBe(481);
  });

  it('Plot_Pole_BreaksTheLine', () => {
    const g = plotGeometry((x) => 1 / x, { ...range, xMin: -1.01, xMax: 1 }, 200, 100);
    expect(g.path.split('M').length).toBeGreaterThan(2);
  });

  it('Plot_FixedRange_UsedAsGiven', () => {
    const g = plotGeometry((x) => x, { ...range, yAuto: false, yMin: 0, yMax: 5 }, 200, 100);
    expect([g.yMin, g.yMax]).toEqual([0, 5]);
    expect(g.xAxisY).toBe(100);
  });

  it('Ticks_NiceSteps', () => {
    expect(ticks(-10, 10)).toEqual([-10, -5, 0, 5, 10]);
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(5, 5)).toEqual([]);
  });
});
