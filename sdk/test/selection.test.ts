import { describe, expect, it } from 'vitest';
import { SELECTION_LIMITS, selectionSnapshotOf } from '../src/context.ts';
import { createMockHost } from '../src/mock-host.ts';
import type { SelectionSnapshot } from '../src/types.ts';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0];
const png = (extra = 0) => new Uint8Array([...PNG, ...new Array<number>(extra).fill(0)]).buffer;

function snapshot(over: Partial<Record<keyof SelectionSnapshot, unknown>> = {}): SelectionSnapshot {
  return {
    id: 'sel_1',
    strokes: [{ points: [[0, 0, 0.5], [10, 12, 1]], color: '#111111', width: 2 }],
    width: 10, height: 12,
    image: { mediaType: 'image/png', data: png() },
    createdAt: '2026-12-05T10:00:00.000Z',
    ...over,
  } as SelectionSnapshot;
}

describe('selectionSnapshotOf', () => {
  it('SelectionSnapshotOf_Valid_DeepFrozenCopyWithoutExtraFields', () => {
    const s = selectionSnapshotOf({ ...snapshot(), board: 'b_secret', strokes: [{ points: [[1, 2, 0]], color: 'red', width: 1, id: 'x' }] });
    expect(s).not.toBeNull();
    expect(s).not.toHaveProperty('board');
    expect(s!.strokes[0]).toEqual({ points: [[1, 2, 0]], color: 'red', width: 1 });
    expect(Object.isFrozen(s) && Object.isFrozen(s!.strokes) && Object.isFrozen(s!.strokes[0]!.points[0])).toBe(true);
  });

  it('SelectionSnapshotOf_Malformed_DroppedWhole', () => {
    const stroke = { points: [[0, 0, 0.5]], color: '#000', width: 1 };
    for (const bad of [
      null, 'x', [], snapshot({ id: '' }), snapshot({ id: 7 }), snapshot({ id: 'x'.repeat(201) }),
      snapshot({ createdAt: 'yesterday' }), snapshot({ width: Infinity }), snapshot({ height: -1 }), snapshot({ width: '10' }),
      snapshot({ strokes: 'none' }), snapshot({ image: null }), snapshot({ image: { mediaType: 'image/jpeg', data: png() } }),
      snapshot({ image: { mediaType: 'image/png', data: new Uint8Array(PNG) } }),
      snapshot({ image: { mediaType: 'image/png', data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer } }),
      snapshot({ strokes: [stroke, { ...stroke, points: [[0, NaN, 0]] }] }),
      snapshot({ strokes: [{ ...stroke, points: [[0, 0, 1.5]] }] }),
      snapshot({ strokes: [{ ...stroke, points: [[0, 0]] }] }),
      snapshot({ strokes: [{ ...stroke, points: [['0', 0, 0]] }] }),
      snapshot({ strokes: [{ ...stroke, color: 5 }] }),
      snapshot({ strokes: [{ ...stroke, width: -2 }] }),
      snapshot({ strokes: [null] }),
    ]) expect(selectionSnapshotOf(bad), JSON.stringify(bad)).toBeNull();
  });

  it('SelectionSnapshotOf_OverLimits_Dropped', () => {
    const point = [1, 1, 0.5];
    const half = { points: new Array(SELECTION_LIMITS.maxPoints / 2).fill(point), color: '#000', width: 1 };
    expect(selectionSnapshotOf(snapshot({ strokes: [half, half] }))).not.toBeNull();
    expect(selectionSnapshotOf(snapshot({ strokes: [half, half, { ...half, points: [point] }] }))).toBeNull();
    expect(selectionSnapshotOf(snapshot({ image: { mediaType: 'image/png', data: png(SELECTION_LIMITS.maxImageBytes) } }))).toBeNull();
  });
});

describe('mock host pushSelection', () => {
  it('PushSelection_Valid_SelectionSetAndListenerCalled', () => {
    const host = createMockHost();
    const seen: (SelectionSnapshot | null)[] = [];
    host.card.onSelection((s) => seen.push(s));
    expect(host.card.selection).toBeNull();
    expect(host.pushSelection(snapshot())).toBe(true);
    expect(seen.map((s) => s?.id)).toEqual(['sel_1']);
    expect(host.card.selection?.strokes).toHaveLength(1);
    expect(new Uint8Array(host.card.selection!.image.data)[1]).toBe(0x50);
  });

  it('OnSelection_RegisteredAfterPush_GetsLatestAtOnce', () => {
    const host = createMockHost();
    host.pushSelection(snapshot({ id: 'first' }));
    host.pushSelection(snapshot({ id: 'second' }));
    const seen: string[] = [];
    const off = host.card.onSelection((s) => seen.push(s!.id));
    expect(seen).toEqual(['second']);
    off();
    host.pushSelection(snapshot({ id: 'third' }));
    expect(seen).toEqual(['second']);
  });

  it('PushSelection_Malformed_RefusedAndPreviousKept', () => {
    const host = createMockHost();
    host.pushSelection(snapshot({ id: 'good' }));
    const seen: string[] = [];
    host.card.onSelection((s) => seen.push(s!.id));
    expect(host.pushSelection(snapshot({ id: 'bad', width: NaN }))).toBe(false);
    expect(host.card.selection?.id).toBe('good');
    expect(seen).toEqual(['good']);
  });
});

describe('mock host revokeSelection', () => {
  it('RevokeSelection_HeldShare_SelectionNullAndListenersGetNull', () => {
    const host = createMockHost();
    const seen: (string | null)[] = [];
    host.card.onSelection((s) => seen.push(s?.id ?? null));
    host.pushSelection(snapshot({ id: 'sel_1' }));
    expect(host.revokeSelection()).toBe(true);
    expect(host.card.selection).toBeNull();
    expect(seen).toEqual(['sel_1', null]);
  });

  it('RevokeSelection_ShareAlreadyReplaced_ChangesNothing', () => {
    const host = createMockHost();
    host.pushSelection(snapshot({ id: 'old' }));
    host.pushSelection(snapshot({ id: 'new' }));
    const seen: (string | null)[] = [];
    host.card.onSelection((s) => seen.push(s?.id ?? null));
    expect(host.revokeSelection('old')).toBe(false);
    expect(host.card.selection?.id).toBe('new');
    expect(seen).toEqual(['new']);
  });

  it('RevokeSelection_NothingPushedSinceReload_ListenersGetNull', () => {
    // A reloaded frame may hear the revoke before the share is pushed again; a card that kept
    // what it derived (its payload) must still learn that it is gone.
    const host = createMockHost();
    const seen: unknown[] = [];
    host.card.onSelection((s) => seen.push(s));
    expect(host.revokeSelection('sel_saved')).toBe(true);
    expect(seen).toEqual([null]);
  });

  it('RevokeSelection_MalformedId_Refused', () => {
    const host = createMockHost();
    host.pushSelection(snapshot({ id: 'sel_1' }));
    const seen: unknown[] = [];
    host.card.onSelection((s) => seen.push(s));
    for (const bad of ['', 'x'.repeat(201), 7 as unknown as string]) expect(host.revokeSelection(bad), String(bad)).toBe(false);
    expect(host.card.selection?.id).toBe('sel_1');
    expect(seen).toHaveLength(1);
  });

  it('OnSelection_RegisteredAfterRevoke_GetsNothing', () => {
    const host = createMockHost();
    host.pushSelection(snapshot());
    host.revokeSelection();
    const seen: unknown[] = [];
    host.card.onSelection((s) => seen.push(s));
    expect(seen).toEqual([]);
  });
});
