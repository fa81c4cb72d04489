import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';

const api = vi.hoisted(() => ({
  load: vi.fn(),
  add: vi.fn(),
  erase: vi.fn(),
  restore: vi.fn(),
}));
vi.mock('./api', () => ({ inkApi: api }));
vi.mock('../toast/toast.svelte', () => ({ toasts: { show: vi.fn(), error: vi.fn() } }));

const { InkStore } = await import('./ink-store.svelte');

const line = (x: number) => Float32Array.from([x, 0, 0.5, x + 10, 0, 0.5]);

async function ready() {
  api.load.mockResolvedValue({ revision: 0, strokes: [], limits: undefined });
  const store = new InkStore();
  await store.load('b1');
  return store;
}

beforeEach(() => {
  for (const fn of Object.values(api)) fn.mockReset();
  api.add.mockResolvedValue({ revision: 1, added: 1 });
});

describe('InkStore', () => {
  it('a pen stroke shows at once and is sent as one add', async () => {
    const store = await ready();
    const s = store.addStroke(line(0))!;
    expect(store.count).toBe(1);
    await store.settled();
    expect(api.add).toHaveBeenCalledWith('b1', [expect.objectContaining({ id: s.id, color: 'currentColor', width: 4, points: [0, 0, 0.5, 10, 0, 0.5] })]);
  });

  it('undo of a stroke erases it; redo restores it with that erase id', async () => {
    const store = await ready();
    const s = store.addStroke(line(0))!;
    api.erase.mockResolvedValue({ revision: 2, erasure: 'e_1', erased: [s.id], missing: [] });
    store.undo();
    expect(store.count).toBe(0);
    await store.settled();
    store.redo();
    expect(store.count).toBe(1);
    await store.settled();
    expect(api.erase).toHaveBeenCalledWith('b1', [s.id]);
    expect(api.restore).toHaveBeenCalledWith('b1', 'e_1', [s.id]);
  });

  it('undo of an erase restores only what that erase removed', async () => {
    const store = await ready();
    const a = store.addStroke(line(0))!;
    const b = store.addStroke(line(100))!;
    // b was already erased in another tab: the server erases only a.
    api.erase.mockResolvedValue({ revision: 3, erasure: 'e_7', erased: [a.id], missing: [b.id] });
    store.commitErase([a, b]);
    await store.settled();
    store.undo();
    await store.settled();
    expect(api.restore).toHaveBeenCalledWith('b1', 'e_7', [a.id]);
  });

  it('a conflict on the server reloads the board’s ink and forgets the history', async () => {
    const store = await ready();
    const s = store.addStroke(line(0))!;
    api.erase.mockResolvedValue({ revision: 2, erasure: 'e_1', erased: [s.id], missing: [] });
    store.undo();
    await store.settled();
    api.restore.mockRejectedValue(new ApiError(409, 'ink.stroke_conflict', 'changed elsewhere'));
    api.load.mockResolvedValue({ revision: 5, strokes: [], limits: undefined });
    store.redo();
    await store.settled();
    expect(api.load).toHaveBeenCalledTimes(2);
    expect(store.canUndo).toBe(false);
    expect(store.canRedo).toBe(false);
    expect(store.count).toBe(0);
  });

  it('the lasso selects by the more-than-half rule and Delete erases the selection as one step', async () => {
    const store = await ready();
    const inside = store.addStroke(line(10))!;
    store.addStroke(line(500));
    store.lasso([0, -10, 50, -10, 50, 10, 0, 10]);
    expect([...store.selection]).toEqual([inside.id]);
    api.erase.mockResolvedValue({ revision: 4, erasure: 'e_2', erased: [inside.id], missing: [] });
    store.deleteSelection();
    expect(store.count).toBe(1);
    expect(store.selection.size).toBe(0);
    await store.settled();
    expect(api.erase).toHaveBeenLastCalledWith('b1', [inside.id]);
  });

  it('the eraser hit test finds strokes under the circle through the spatial index', async () => {
    const store = await ready();
    const a = store.addStroke(line(0))!;
    store.addStroke(line(1000));
    expect(store.hitTest(5, 3, 2).map((s) => s.id)).toEqual([a.id]);
    expect(store.hitTest(5, 30, 2)).toEqual([]);
  });
});
