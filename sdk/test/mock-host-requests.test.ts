import { describe, expect, it } from 'vitest';
import { CardBridgeError, createMockHost } from '../src/mock-host.ts';

describe('createMockHost requests', () => {
  it('RequestAsset_ScriptedPick_ResolvesHandleAndGrantsType', async () => {
    const host = createMockHost({ capabilities: ['fileRegistry:image'], pickAsset: () => ({ token: 'tok', name: 'a.png', mediaType: 'image/png', bytes: 3 }) });
    const grants: unknown[] = [];
    host.card.onGrantsChanged((c) => grants.push(c));
    await expect(host.card.requestAsset('image')).resolves.toEqual({ token: 'tok', name: 'a.png', mediaType: 'image/png', bytes: 3 });
    expect(host.card.grantedCapabilities).toEqual(['fileRegistry:image']);
    expect(grants).toEqual([['fileRegistry:image']]);
  });

  it('RequestAsset_NoPickScripted_Cancelled', async () => {
    const host = createMockHost();
    await expect(host.card.requestAsset('pdf')).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('RequestAsset_TypeNotInManifest_NotRequested', async () => {
    const host = createMockHost({ capabilities: [], pickAsset: () => ({ token: 't', name: 'n', mediaType: 'image/png', bytes: 1 }) });
    await expect(host.card.requestAsset('image')).rejects.toBeInstanceOf(CardBridgeError);
  });

  it('ReadAsset_KnownToken_BytesUnknownTokenInvalid', async () => {
    const host = createMockHost({ assets: { tok: { name: 'a.txt', mediaType: 'text/plain', data: 'hi' } } });
    const a = await host.card.readAsset('tok');
    expect(new TextDecoder().decode(a.data)).toBe('hi');
    await expect(host.card.readAsset('other')).rejects.toMatchObject({ code: 'token_invalid' });
    await expect(host.card.readAsset('__proto__')).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('PushAsset_ValidHandle_ListenerReadsScriptedBytes', async () => {
    const host = createMockHost({ assets: { tok: { name: 'a.png', mediaType: 'image/png', data: new Uint8Array([1, 2, 3]) } } });
    const read: string[] = [];
    host.card.onAssetPushed(async (a) => { read.push(`${a.name} ${(await host.card.readAsset(a.token)).data.byteLength}`); });
    expect(host.pushAsset({ token: 'tok', name: 'a.png', mediaType: 'image/png', bytes: 3 })).toBe(true);
    await host.settle();
    expect(read).toEqual(['a.png 3']);
  });

  it('PushAsset_MalformedHandle_RefusedListenerNotCalled', () => {
    const host = createMockHost();
    const seen: unknown[] = [];
    const off = host.card.onAssetPushed((a) => seen.push(a));
    const bad = { token: 'tok', name: 'a.png', mediaType: 'image/png', bytes: Number.NaN };
    expect(host.pushAsset(bad)).toBe(false);
    off();
    expect(host.pushAsset({ ...bad, bytes: 3 })).toBe(true); // valid, but nobody listens any more
    expect(seen).toEqual([]);
  });

  it('RequestNetwork_StreamScripted_ChunksThenBytes', async () => {
    const host = createMockHost({ network: () => ({ status: 200, chunks: ['data: a\n\n', 'data: b\n\n'] }) });
    const chunks: string[] = [];
    const res = await host.card.requestNetwork('openai', { method: 'POST', path: '/chat/completions', stream: true }, { onChunk: (c) => chunks.push(c) });
    expect(chunks).toEqual(['data: a\n\n', 'data: b\n\n']);
    expect(res).toEqual({ status: 200, headers: {}, bytes: 18 });
    expect(host.networkRequests).toEqual([{ service: 'openai', request: { method: 'POST', path: '/chat/completions', stream: true } }]);
  });

  it('RequestNetwork_ScriptedFailure_RejectsWithCode', async () => {
    const host = createMockHost({ network: () => { throw new CardBridgeError('rate_limited'); } });
    await expect(host.card.requestNetwork('openai', { method: 'GET', path: '/models' })).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('RequestNetwork_NotScripted_NotConfigured', async () => {
    const host = createMockHost();
    await expect(host.card.requestNetwork('openai', { method: 'GET', path: '/models' })).rejects.toMatchObject({ code: 'not_configured' });
  });

  it('Subscribe_GrantedAndDeclared_EmitDeliversWithTypeId', async () => {
    const host = createMockHost({ grantedCapabilities: ['crossCard:pubsub'], topics: { subscribe: ['timer:*:finished'] } });
    const seen: unknown[] = [];
    const off = await host.card.subscribe('timer:*:finished', (p, e) => seen.push([p, e.from.typeID, e.topic]));
    expect(host.emit('timer:countdown:finished', { n: 1 }, { typeID: 'timer' })).toBe(true);
    expect(host.emit('chat:message:sent', 1)).toBe(false);
    expect(seen).toEqual([[{ n: 1 }, 'timer', 'timer:countdown:finished']]);
    off();
    expect(host.subscriptions.size).toBe(0);
  });

  it('Subscribe_WithoutGrant_NotGranted', async () => {
    const host = createMockHost({ topics: { subscribe: ['a:b:c'] } });
    await expect(host.card.subscribe('a:b:c', () => {})).rejects.toMatchObject({ code: 'not_granted' });
  });

  it('Subscribe_Undeclared_TopicNotDeclared', async () => {
    const host = createMockHost({ grantedCapabilities: ['crossCard:pubsub'], topics: { subscribe: ['a:b:c'] } });
    await expect(host.card.subscribe('x:y:z', () => {})).rejects.toMatchObject({ code: 'topic_not_declared' });
  });

  it('SetGrants_PubSubRevoked_SubscriptionsDropped', async () => {
    const host = createMockHost({ grantedCapabilities: ['crossCard:pubsub'] });
    const seen: unknown[] = [];
    await host.card.subscribe('a:b:c', (p) => seen.push(p));
    host.setGrants([]);
    expect(host.emit('a:b:c', 1)).toBe(false);
    expect(seen).toEqual([]);
    expect(host.card.grantedCapabilities).toEqual([]);
  });

  it('Publish_DeclaredAndGranted_RecordedOtherwiseDropped', () => {
    const host = createMockHost({ topics: { publish: ['timer:countdown:finished'] } });
    host.card.publish('timer:countdown:finished', 1);
    host.setGrants(['crossCard:pubsub']);
    host.card.publish('timer:countdown:finished', 2);
    host.card.publish('timer:other:finished', 3);
    expect(host.published).toEqual([{ topic: 'timer:countdown:finished', payload: 2 }]);
  });

  it('Call_ApiNotRequested_NotGranted', async () => {
    await expect(createMockHost().card.call('dev.x.y', 'm')).rejects.toMatchObject({ code: 'api.not_granted' });
  });

  it('ExportRequested_Recorded', () => {
    const host = createMockHost();
    host.card.exportRequested('png');
    expect(host.exports).toEqual([{ kind: 'png' }]);
  });
});
