import { describe, expect, it } from 'vitest';
import { CARD_GAP, MATH_PLUGIN_ID, convertBlockedReason, mathCardRequest, selectionTooLarge, snapshotOf } from './convert';
import { makeStroke } from './geometry';

const catalog = (plugins: { id: string; enabled?: boolean; typeID: string }[], loaded = true) => ({
  loaded,
  cards: plugins.map((p) => ({ plugin: { id: p.id, enabled: p.enabled } as never, card: { typeID: p.typeID } as never })),
});

describe('Convert to Math', () => {
  it('is available only when the Math plugin with its math card is installed and enabled', () => {
    expect(convertBlockedReason(catalog([{ id: MATH_PLUGIN_ID, typeID: 'math' }]))).toBeNull();
    expect(convertBlockedReason(catalog([]))).toMatch(/not installed or is disabled/);
    expect(convertBlockedReason(catalog([{ id: MATH_PLUGIN_ID, typeID: 'math', enabled: false }]))).toMatch(/disabled/);
    expect(convertBlockedReason(catalog([{ id: MATH_PLUGIN_ID, typeID: 'other' }]))).not.toBeNull();
    expect(convertBlockedReason(catalog([{ id: MATH_PLUGIN_ID, typeID: 'math' }], false))).not.toBeNull();
  });

  it('places the card to the right of the selection, top-aligned, asking for the active version', () => {
    const req = mathCardRequest({ originX: 100.4, originY: -20.2, width: 50 });
    expect(req).toEqual({ kind: 'plugin', x: Math.round(150.4 + CARD_GAP), y: -20, plugin: { pluginId: MATH_PLUGIN_ID, typeID: 'math' } });
  });

  it('refuses a selection over the published limits before anything is created', () => {
    const s = makeStroke('a', new Float32Array(3 * 10), 'currentColor', 2);
    expect(selectionTooLarge([s, s], { maxSelectionStrokes: 2, maxSelectionPoints: 20 })).toBeNull();
    expect(selectionTooLarge([s, s, s], { maxSelectionStrokes: 2, maxSelectionPoints: 100 })).toMatch(/at most 2 strokes/);
    expect(selectionTooLarge([s, s, s], { maxSelectionStrokes: 5, maxSelectionPoints: 25 })).toMatch(/points/);
  });

  it('turns a stored share into the message payload with the PNG bytes', () => {
    const snap = snapshotOf({
      id: 'sel_1',
      width: 4,
      height: 3,
      strokes: [{ points: [[1, 2, 0.5]], color: '#e5484d', width: 2 }],
      imageMediaType: 'image/png',
      image: btoa('\x89PNG'),
      createdAt: '2026-12-05T00:00:00Z',
    });
    expect(snap.strokes).toEqual([{ points: [[1, 2, 0.5]], color: '#e5484d', width: 2 }]);
    expect(Array.from(new Uint8Array(snap.image.data))).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});
