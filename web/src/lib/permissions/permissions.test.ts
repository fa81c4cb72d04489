import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CardPermissionsDto } from '../api/types';

const calls: string[] = [];
const api = vi.hoisted(() => ({ permissions: vi.fn(), upgrade: vi.fn(), revokeAll: vi.fn() }));
const ink = vi.hoisted(() => ({ revokeSelection: vi.fn() }));
vi.mock('../api/endpoints', () => ({ cardsApi: api }));
vi.mock('../ink/api', () => ({ inkApi: ink }));
vi.mock('../toast/toast.svelte', () => ({ toastError: vi.fn() }));

const { CardPermissionsState } = await import('./permissions.svelte');

const perms = (upgrade: CardPermissionsDto['upgrade']): CardPermissionsDto => ({
  boardId: 'b',
  windowId: 'w',
  pluginId: 'dev.test',
  version: '1.0.0',
  typeID: 'viewer',
  cardName: 'Viewer',
  capabilities: [],
  wantsMore: upgrade?.wantsMore ?? [],
  assets: [],
  network: { services: [], recent: [] },
  upgrade,
});

function state() {
  return new CardPermissionsState('b', 'w', () => calls.push('changed'), {
    beforeUpgrade: async () => void calls.push('flush'),
    upgraded: async () => void calls.push('reload'),
    beforeRevokingSelection: async () => void calls.push('snapshot settled'),
  });
}

describe('CardPermissionsState.update', () => {
  beforeEach(() => {
    calls.length = 0;
    api.permissions.mockReset().mockResolvedValue(perms({ version: '1.1.0', wantsMore: ['fileRegistry:pdf'] }));
    api.upgrade.mockReset().mockImplementation(async () => void calls.push('upgrade'));
  });

  it('flushes the layout, updates to the offered version, then reloads the board', async () => {
    const s = state();
    await s.load();

    await s.update(true);

    expect(api.upgrade).toHaveBeenCalledWith('b', 'w', '1.1.0', true);
    expect(calls).toEqual(['flush', 'upgrade', 'changed', 'reload']);
  });

  it('does not reload when the server refuses the update', async () => {
    api.upgrade.mockRejectedValue(new Error('409'));
    const s = state();
    await s.load();

    await s.update(false);

    expect(calls).not.toContain('reload');
  });

  it('does nothing when no update is on offer', async () => {
    api.permissions.mockResolvedValue(perms(null));
    const s = state();
    await s.load();

    await s.update(true);

    expect(api.upgrade).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
  });
});

describe('CardPermissionsState revoking the shared selection', () => {
  beforeEach(() => {
    calls.length = 0;
    api.permissions.mockReset().mockResolvedValue(perms(null));
    ink.revokeSelection.mockReset().mockImplementation(async () => void calls.push('revoke selection'));
    api.revokeAll.mockReset().mockImplementation(async () => void calls.push('revoke all'));
  });

  it('waits for the closing card\'s snapshot before revoking (a later save would bring the picture back)', async () => {
    await state().revokeSelection();

    expect(calls).toEqual(['snapshot settled', 'revoke selection', 'changed']);
  });

  it('waits for the closing card\'s snapshot before revoking everything', async () => {
    await state().revokeAll();

    expect(calls).toEqual(['snapshot settled', 'revoke all', 'changed']);
  });
});

describe('CardPermissionsState.revokeSelection', () => {
  it('hands the board the answer it showed before, so a closed card (no live services) still learns what it held', async () => {
    const shared = { ...perms(null), selection: { id: 'sel_1' } } as unknown as CardPermissionsDto;
    api.permissions.mockReset().mockResolvedValueOnce(shared).mockResolvedValueOnce(perms(null));
    ink.revokeSelection.mockReset().mockResolvedValue(undefined);
    const seen: [CardPermissionsDto, CardPermissionsDto | null][] = [];
    const s = new CardPermissionsState('b', 'w', (p, before) => seen.push([p, before]));
    await s.load();

    await s.revokeSelection();

    expect(seen).toHaveLength(1);
    expect(seen[0]![0].selection ?? null).toBeNull();
    expect(seen[0]![1]?.selection?.id).toBe('sel_1');
  });
});
