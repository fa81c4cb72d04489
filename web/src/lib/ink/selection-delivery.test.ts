import { afterEach, describe, expect, it, vi } from 'vitest';
import { flush, harness } from '../bridge/test-harness';
import { SelectionDelivery, type SelectionTarget } from './selection-delivery';
import type { SelectionContentDto, SelectionSnapshot } from './types';

const snapshot = (id = 'sel_1'): SelectionSnapshot => ({
  id,
  strokes: [{ points: [[1, 2, 0.5]], color: 'currentColor', width: 2 }],
  width: 10,
  height: 8,
  image: { mediaType: 'image/png', data: new Uint8Array([137, 80, 78, 71]).buffer },
  createdAt: '2026-12-05T00:00:00Z',
});

describe('CardBridge.pushSelection', () => {
  let cleanup: (() => void) | null = null;
  afterEach(() => cleanup?.());

  async function ready() {
    const h = harness();
    cleanup = h.cleanup;
    const port = await h.connect();
    port.postMessage({ type: 'ready', loadMs: 1 });
    await flush();
    return h;
  }

  it('PushSelection_ReadyCard_SendsOnlyTheSnapshotFieldsWithTheImageAsACopy', async () => {
    const h = await ready();
    const s = { ...snapshot(), boardId: 'b_secret', strokes: [{ points: [[1, 2, 0.5]], color: '#e5484d', width: 2, id: 's_secret' }] } as unknown as SelectionSnapshot;

    expect(h.bridge.pushSelection({ selection: s })).toBe(true);
    await flush();

    const [m] = h.got('pushSelectionSnapshot');
    const sel = m!.selection as SelectionSnapshot;
    expect(Object.keys(sel).sort()).toEqual(['createdAt', 'height', 'id', 'image', 'strokes', 'width']);
    expect(sel.strokes).toEqual([{ points: [[1, 2, 0.5]], color: '#e5484d', width: 2 }]);
    expect(new Uint8Array(sel.image.data)).toEqual(new Uint8Array([137, 80, 78, 71]));
    // The caller's bytes stay usable (a copy was transferred), so a reload can push them again.
    expect(s.image.data.byteLength).toBe(4);
  });

  it('PushSelection_BeforeReadyOrAfterDestroy_SendsNothing', async () => {
    const h = harness();
    cleanup = h.cleanup;
    expect(h.bridge.pushSelection({ selection: snapshot() })).toBe(false);
    const port = await h.connect();
    expect(h.bridge.pushSelection({ selection: snapshot() })).toBe(false);
    port.postMessage({ type: 'ready', loadMs: 1 });
    await flush();
    h.bridge.destroy();
    expect(h.bridge.pushSelection({ revoked: 'sel_1' })).toBe(false);
    await flush();
    expect(h.got('pushSelectionSnapshot')).toEqual([]);
    expect(h.got('selectionRevoked')).toEqual([]);
  });

  it('PushSelection_Revoked_SendsSelectionRevokedWithTheId', async () => {
    const h = await ready();
    h.bridge.pushSelection({ revoked: 'sel_9' });
    await flush();
    expect(h.got('selectionRevoked')).toEqual([{ type: 'selectionRevoked', id: 'sel_9' }]);
  });
});

function target(status: 'loading' | 'ready' = 'ready', loads = 1) {
  const pushed: unknown[] = [];
  const t = {
    status,
    view: { loads },
    pushSelection: vi.fn((u: unknown) => {
      if (t.status !== 'ready') return false;
      pushed.push(u);
      return true;
    }),
  };
  return { t: t as unknown as SelectionTarget & { status: string; view: { loads: number } }, pushed };
}

describe('SelectionDelivery', () => {
  const stored: SelectionContentDto = {
    id: 'sel_stored',
    width: 10,
    height: 8,
    strokes: [{ points: [[1, 2, 0.5]], color: 'currentColor', width: 2 }],
    imageMediaType: 'image/png',
    image: btoa('\x89PNG'),
    createdAt: '2026-12-05T00:00:00Z',
  };

  it('pushes at once to a ready card', () => {
    const d = new SelectionDelivery(() => 'b', vi.fn());
    const { t, pushed } = target('ready');
    d.deliver('w', snapshot(), t);
    expect(pushed).toHaveLength(1);
  });

  it('holds a share for a card still loading and pushes it when the card is ready', async () => {
    const fetch = vi.fn();
    const d = new SelectionDelivery(() => 'b', fetch);
    const { t, pushed } = target('loading');
    d.deliver('w', snapshot('sel_new'), t);
    expect(pushed).toHaveLength(0);
    t.status = 'ready';
    await d.ready('w', t, false);
    expect(pushed).toEqual([{ selection: expect.objectContaining({ id: 'sel_new' }) }]);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('after a reload of the frame, pushes the stored selection again, once per load', async () => {
    const fetch = vi.fn(async () => stored);
    const d = new SelectionDelivery(() => 'b', fetch);
    const { t, pushed } = target('ready', 1);
    await d.ready('w', t, true);
    await d.ready('w', t, true);
    t.view.loads = 2;
    await d.ready('w', t, true);
    expect(pushed).toHaveLength(2);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('asks the server nothing for a card that holds no selection', async () => {
    const fetch = vi.fn();
    const d = new SelectionDelivery(() => 'b', fetch);
    await d.ready('w', target('ready').t, false);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('tells the card when its selection is revoked, and drops a pending push', async () => {
    const d = new SelectionDelivery(() => 'b', vi.fn());
    const { t, pushed } = target('loading');
    d.deliver('w', snapshot('sel_x'), t);
    t.status = 'ready';
    d.revoked('w', t);
    await d.ready('w', t, false);
    expect(pushed).toEqual([{ revoked: 'sel_x' }]);
  });

  it('tells a card revoked while closed at its next ready, once, and pushes nothing stored', async () => {
    const fetch = vi.fn(async () => stored);
    const d = new SelectionDelivery(() => 'b', fetch);
    d.revoked('w', undefined, 'sel_gone');
    const { t, pushed } = target('ready', 1);
    await d.ready('w', t, false);
    t.view.loads = 2;
    await d.ready('w', t, false);
    expect(pushed).toEqual([{ revoked: 'sel_gone' }]);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('tells a card closed after it was served and revoked meanwhile when it opens again (a new bridge, loads from 1 again)', async () => {
    const d = new SelectionDelivery(() => 'b', vi.fn());
    const first = target('loading', 1);
    d.deliver('w', snapshot('sel_a'), first.t);
    first.t.status = 'ready';
    await d.ready('w', first.t, true);
    d.revoked('w', undefined, 'sel_a');
    const reopened = target('ready', 1);
    await d.ready('w', reopened.t, false);
    expect(reopened.pushed).toEqual([{ revoked: 'sel_a' }]);
  });

  it('a new share replaces a revoke the card has not heard yet', async () => {
    const d = new SelectionDelivery(() => 'b', vi.fn());
    d.revoked('w', undefined, 'sel_old');
    const { t, pushed } = target('loading');
    d.deliver('w', snapshot('sel_new'), t);
    t.status = 'ready';
    await d.ready('w', t, true);
    expect(pushed).toEqual([{ selection: expect.objectContaining({ id: 'sel_new' }) }]);
  });

  it('never pushes a stored share fetched before a revoke that came while fetching', async () => {
    let answer: (c: SelectionContentDto) => void = () => {};
    const fetch = vi.fn(() => new Promise<SelectionContentDto>((r) => { answer = r; }));
    const d = new SelectionDelivery(() => 'b', fetch);
    const { t, pushed } = target('ready');
    const loading = d.ready('w', t, true);
    d.revoked('w', t, 'sel_stored');
    answer(stored);
    await loading;
    expect(pushed).toEqual([{ revoked: 'sel_stored' }]);
  });
});
