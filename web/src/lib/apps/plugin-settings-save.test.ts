import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import type { PluginConfigDto } from './types';

const api = vi.hoisted(() => ({ adminConfig: vi.fn(), storageUsage: vi.fn(), saveConfig: vi.fn() }));
vi.mock('../api/endpoints', () => ({ appsApi: api }));

const { PluginSettingsState } = await import('./plugin-settings.svelte');

const schema = { type: 'object', properties: { timeZone: { type: 'string', default: 'UTC' } } };
const config = (revision: number, timeZone: string): PluginConfigDto =>
  ({ pluginId: 'dev.test', version: '1.0.0', schema, values: { timeZone }, secrets: {}, revision, updatedAt: null, updatedBy: null }) as PluginConfigDto;

describe('PluginSettingsState.save', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.storageUsage.mockResolvedValue({ userKeys: 0, workspaceKeys: 0, userBytes: 0, workspaceBytes: 0 });
  });

  it('Save_Always_SendsTheRevisionTheFormWasLoadedAt', async () => {
    api.adminConfig.mockResolvedValue(config(4, 'UTC'));
    api.saveConfig.mockResolvedValue(config(5, 'Europe/Paris'));
    const s = new PluginSettingsState('dev.test');
    await s.load();
    s.draft['/timeZone'] = 'Europe/Paris';

    await s.save();

    expect(api.saveConfig).toHaveBeenCalledWith('dev.test', { timeZone: 'Europe/Paris' }, 4);
    expect(s.config?.revision).toBe(5);
  });

  it('Save_SomeoneSavedInBetween_KeepsTheEditsAndOffersTheSavedOnes', async () => {
    api.adminConfig.mockResolvedValueOnce(config(1, 'UTC')).mockResolvedValueOnce(config(2, 'Asia/Tokyo'));
    api.saveConfig.mockRejectedValue(new ApiError(409, 'config.revision_conflict', 'Someone saved these settings after you opened them.'));
    const s = new PluginSettingsState('dev.test');
    await s.load();
    s.draft['/timeZone'] = 'Europe/Paris';

    await s.save();

    expect(s.conflict).toBe(true);
    expect(s.error).toContain('Someone saved');
    expect(s.draft['/timeZone']).toBe('Europe/Paris');

    await s.loadSaved();

    expect(s.conflict).toBe(false);
    expect(s.error).toBeNull();
    expect(s.draft['/timeZone']).toBe('Asia/Tokyo');
    expect(s.config?.revision).toBe(2);
  });
});
