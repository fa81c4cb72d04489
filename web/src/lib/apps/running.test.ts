import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import type { RunningServiceRow } from './types';

const api = vi.hoisted(() => ({ running: vi.fn(), control: vi.fn() }));
vi.mock('../api/endpoints', () => ({ appsApi: api }));

const { RunningAppsState } = await import('./running.svelte');

const row = (instance: string | null): RunningServiceRow => ({
  userId: 'u1', userName: 'ada', tab: 'abcdef012345', pluginId: 'dev.test.provider', version: '1.0.0', serviceId: 'main',
  since: '2026-12-05T14:00:00Z', callsLastMinute: 0, messagesLastMinute: 0, errors: 0, instance,
});

describe('RunningAppsState', () => {
  beforeEach(() => vi.resetAllMocks());

  it('Rows_FromOneInstance_AreNotClustered', async () => {
    api.running.mockResolvedValue([row(null)]);
    const s = new RunningAppsState();
    await s.load();
    expect(s.clustered).toBe(false);
  });

  it('Rows_NamingInstances_AreClustered', async () => {
    api.running.mockResolvedValue([row('b-1')]);
    const s = new RunningAppsState();
    await s.load();
    expect(s.clustered).toBe(true);
  });

  it('Restart_OfARowOnAnotherInstance_GoesToThatInstanceAndSaysWhatItReached', async () => {
    api.running.mockResolvedValue([row('b-1')]);
    api.control.mockResolvedValue({ tabs: 1 });
    const s = new RunningAppsState();
    await s.load();

    await s.control(s.rows[0]!, 'restart');

    expect(api.control).toHaveBeenCalledWith({ pluginId: 'dev.test.provider', serviceId: 'main', action: 'restart', userId: 'u1', tab: 'abcdef012345', instance: 'b-1' });
    expect(s.notice).toBe('Restart of main sent to 1 tab on instance b-1.');
    expect(s.error).toBeNull();
  });

  it('Stop_OnASingleInstance_SendsNoInstance', async () => {
    api.running.mockResolvedValue([row(null)]);
    api.control.mockResolvedValue({ tabs: 2 });
    const s = new RunningAppsState();
    await s.load();

    await s.control(s.rows[0]!, 'stop');

    expect(api.control.mock.calls[0]![0]).not.toHaveProperty('instance');
    expect(s.notice).toBe('Stop of main sent to 2 tabs.');
  });

  it('Control_OwningInstanceGone_KeepsTheRefusalInViewAfterTheListReloads', async () => {
    api.running.mockResolvedValueOnce([row('b-1')]).mockResolvedValueOnce([]);
    api.control.mockRejectedValue(new ApiError(503, 'service.instance_unavailable', 'The server instance "b-1" that ran this service is gone.'));
    const s = new RunningAppsState();
    await s.load();

    await s.control(s.rows[0]!, 'restart');

    expect(s.error).toContain('is gone');
    expect(s.notice).toBeNull();
    expect(s.rows).toEqual([]);
  });
});
