import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CardBridgeOptions } from './card-bridge';
import { BridgeError } from './card-host';
import { harness } from './test-harness';

let made: ReturnType<typeof harness>[] = [];
const make = (o?: Partial<CardBridgeOptions>) => {
  const h = harness(o);
  made.push(h);
  return h;
};
afterEach(() => {
  for (const h of made) h.cleanup();
  made = [];
});

const storageCard = { capabilities: ['storage:read', 'storage:write'] };

describe('CardBridge plugin configuration', () => {
  it('Init_CarriesTheLoadedConfiguration', async () => {
    const h = make({ loadConfig: () => Promise.resolve({ timeZone: 'Asia/Tokyo' }) });
    await h.connect();
    expect(h.got('init')[0]).toMatchObject({ config: { timeZone: 'Asia/Tokyo' } });
  });

  it('SetConfig_AfterInit_PushesConfigChangedOnce', async () => {
    const h = make({ loadConfig: () => Promise.resolve({ timeZone: 'UTC' }) });
    await h.connect();
    h.bridge.setConfig({ timeZone: 'Europe/Paris' });
    h.bridge.setConfig({ timeZone: 'Europe/Paris' });
    await vi.waitFor(() => expect(h.got('configChanged')).toEqual([{ type: 'configChanged', config: { timeZone: 'Europe/Paris' } }]));
  });

  it('Init_WhenTheConfigurationCannotBeRead_StillStartsTheCard', async () => {
    const h = make({ loadConfig: () => Promise.reject(new Error('offline')) });
    await h.connect();
    expect(h.got('init')[0]).toMatchObject({ config: {} });
  });
});

describe('CardBridge plugin storage', () => {
  it('Storage_Get_GoesToTheServicesAndAnswersOnce', async () => {
    const h = make(storageCard);
    vi.mocked(h.services.storage).mockResolvedValue({ key: 'k', value: 1, version: 1, updatedAt: '' });
    const port = await h.connect();
    port.postMessage({ type: 'storage', id: 's1', op: 'get', scope: 'user', key: 'k' });
    await vi.waitFor(() => expect(h.got('response')).toHaveLength(1));
    expect(h.got('response')[0]).toMatchObject({ id: 's1', ok: true, result: { value: 1 } });
    expect(vi.mocked(h.services.storage).mock.calls[0]![0]).toMatchObject({ op: 'get', scope: 'user', key: 'k' });
  });

  it('Storage_WriteFromACardThatRequestsOnlyRead_IsNotRequested', async () => {
    const h = make({ capabilities: ['storage:read'] });
    const port = await h.connect();
    port.postMessage({ type: 'storage', id: 's1', op: 'set', scope: 'user', key: 'k', value: 1 });
    await vi.waitFor(() => expect(h.got('response')).toHaveLength(1));
    expect(h.got('response')[0]).toMatchObject({ id: 's1', ok: false, error: { code: 'not_requested' } });
    expect(h.services.storage).not.toHaveBeenCalled();
  });

  it('Storage_RefusalFromTheServer_ReachesTheCardWithItsCode', async () => {
    const h = make(storageCard);
    vi.mocked(h.services.storage).mockRejectedValue(new BridgeError('storage.quota_exceeded', "The plugin's storage is full."));
    const port = await h.connect();
    port.postMessage({ type: 'storage', id: 's1', op: 'set', scope: 'user', key: 'k', value: 'x' });
    await vi.waitFor(() => expect(h.got('response')).toHaveLength(1));
    expect(h.got('response')[0]).toMatchObject({ ok: false, error: { code: 'storage.quota_exceeded' } });
  });

  it.each([
    ['a key over 256 characters', { op: 'get', scope: 'user', key: 'k'.repeat(257) }],
    ['an unknown scope', { op: 'get', scope: 'everyone', key: 'k' }],
    ['an unknown op', { op: 'drop', scope: 'user', key: 'k' }],
    ['a negative ifVersion', { op: 'set', scope: 'user', key: 'k', value: 1, ifVersion: -1 }],
  ])('Storage_WithMalformed_%s_IsDroppedAsBadShape', async (_what, body) => {
    const h = make(storageCard);
    const port = await h.connect();
    port.postMessage({ type: 'storage', id: 's1', ...body });
    await vi.waitFor(() => expect(h.bridge.counters.byReason.bad_shape).toBe(1));
    expect(h.services.storage).not.toHaveBeenCalled();
  });

  it('Storage_ValueOver256KiB_IsOversize', async () => {
    const h = make(storageCard);
    const port = await h.connect();
    port.postMessage({ type: 'storage', id: 's1', op: 'set', scope: 'user', key: 'k', value: 'x'.repeat(256 * 1024) });
    await vi.waitFor(() => expect(h.bridge.counters.byReason.oversize).toBe(1));
    expect(h.services.storage).not.toHaveBeenCalled();
  });
});
