import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CardBridgeOptions } from './card-bridge';
import { BridgeError, type AssetContent, type AssetHandle, type NetworkResult } from './card-host';
import { publishCardTheme } from '../themes/card-theme';
import { WorkspaceBus } from '../bus/workspace-bus';
import { flush, harness } from './test-harness';

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

/** A promise the test settles by hand, standing in for a picker or an HTTP call. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const responses = (h: ReturnType<typeof harness>, id: string) => h.got('response').filter((m) => m.id === id);
const image = { capabilities: ['fileRegistry:image', 'network:openai', 'crossCard:pubsub'] };

describe('CardBridge init and theme', () => {
  it('Init_CarriesGrantedCapabilitiesAndThemeTokens', async () => {
    const h = make({ themeTokens: () => ({ surface: '#fff' }) });
    h.setGranted(['fileRegistry:image']);
    await h.connect();
    expect(h.got('init')[0]).toMatchObject({ themeTokens: { surface: '#fff' }, grantedCapabilities: ['fileRegistry:image'] });
  });

  it('ThemeSeam_NoThemeOption_InitAndChangesFollowTheActiveTheme', async () => {
    publishCardTheme({ surface: '#111' });
    const h = make();
    await h.connect();
    publishCardTheme({ surface: '#222' });
    await flush();
    expect(h.got('init')[0]).toMatchObject({ themeTokens: { surface: '#111' } });
    expect(h.got('themeChanged')).toEqual([{ type: 'themeChanged', themeTokens: { surface: '#222' } }]);
    h.bridge.destroy();
    publishCardTheme({});
  });

  it('SetTheme_SendsThemeChangedOnlyWhenTokensChange', async () => {
    const h = make({ themeTokens: () => ({ surface: '#fff' }) });
    await h.connect();
    h.bridge.setTheme({ surface: '#fff' });
    h.bridge.setTheme({ surface: '#000' });
    await flush();
    expect(h.got('themeChanged')).toEqual([{ type: 'themeChanged', themeTokens: { surface: '#000' } }]);
  });
});

describe('CardBridge requests', () => {
  it('RequestAsset_NotInManifest_AnsweredNotRequestedWithoutPicker', async () => {
    const h = make({ capabilities: [] });
    const port = await h.connect();
    port.postMessage({ type: 'requestAsset', id: 'a1', assetType: 'image' });
    await flush();
    expect(responses(h, 'a1')).toEqual([{ type: 'response', id: 'a1', ok: false, error: expect.objectContaining({ code: 'not_requested' }) }]);
    expect(h.services.requestAsset).not.toHaveBeenCalled();
  });

  it('RequestAsset_PersonPicks_ResponseCarriesHandleOnly', async () => {
    const h = make(image);
    vi.mocked(h.services.requestAsset).mockResolvedValue({ token: 'lab_ast_x', name: 'cat.png', mediaType: 'image/png', bytes: 12, assetId: 'secret-id' } as AssetHandle);
    const port = await h.connect();
    port.postMessage({ type: 'requestAsset', id: 'a1', assetType: 'image' });
    await flush();
    expect(h.services.requestAsset).toHaveBeenCalledWith('image', expect.any(AbortSignal));
    expect(responses(h, 'a1')).toEqual([
      { type: 'response', id: 'a1', ok: true, result: { token: 'lab_ast_x', name: 'cat.png', mediaType: 'image/png', bytes: 12 } },
    ]);
  });

  it('RequestAsset_PickerCancelled_ErrorCancelled', async () => {
    const h = make(image);
    vi.mocked(h.services.requestAsset).mockRejectedValue(new BridgeError('cancelled'));
    const port = await h.connect();
    port.postMessage({ type: 'requestAsset', id: 'a1', assetType: 'image' });
    await flush();
    expect(responses(h, 'a1')[0]).toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });

  it('ReadAsset_Success_TransfersTheArrayBuffer', async () => {
    const h = make(image);
    const data = new Uint8Array([1, 2, 3]).buffer;
    vi.mocked(h.services.readAsset).mockResolvedValue({ mediaType: 'image/png', name: 'cat.png', data });
    const port = await h.connect();
    port.postMessage({ type: 'readAsset', id: 'r1', token: 'lab_ast_x' });
    // Polled, not waited for: the service's rejection settles on the port at the loaded machine's pace.
    await vi.waitFor(() => expect(responses(h, 'r1')).toHaveLength(1), { timeout: 5000 });
    const [r] = responses(h, 'r1');
    const result = r!.result as AssetContent;
    expect(new Uint8Array(result.data)).toEqual(new Uint8Array([1, 2, 3]));
    expect(data.byteLength).toBe(0); // transferred, not copied
  });

  it('ReadAsset_NoAnswerIn30s_TimeoutOnceAndServiceAborted', async () => {
    const h = make(image);
    const late = deferred<AssetContent>();
    vi.mocked(h.services.readAsset).mockReturnValue(late.promise);
    const port = await h.connect();
    port.postMessage({ type: 'readAsset', id: 'r1', token: 'lab_ast_x' });
    await flush();
    h.elapse(29_999);
    await flush();
    expect(responses(h, 'r1')).toHaveLength(0);
    h.elapse(1);
    late.resolve({ mediaType: 'text/plain', name: 'x', data: new ArrayBuffer(1) });
    await flush();
    expect(responses(h, 'r1')).toEqual([{ type: 'response', id: 'r1', ok: false, error: expect.objectContaining({ code: 'timeout' }) }]);
    expect(vi.mocked(h.services.readAsset).mock.calls[0]![1].aborted).toBe(true);
  });

  it('ReadAsset_ServiceFailsWithPlainError_TokenInvalidWithoutItsMessage', async () => {
    const h = make(image);
    vi.mocked(h.services.readAsset).mockRejectedValue(new Error('POST /api/cards/b/w/assets/read lab_ast_SECRET 500'));
    const port = await h.connect();
    port.postMessage({ type: 'readAsset', id: 'r1', token: 'lab_ast_x' });
    // Polled, not waited for: the service's rejection settles on the port at the loaded machine's pace.
    await vi.waitFor(() => expect(responses(h, 'r1')).toHaveLength(1), { timeout: 5000 });
    const [r] = responses(h, 'r1');
    expect(r).toMatchObject({ ok: false, error: { code: 'token_invalid' } });
    expect(JSON.stringify(r)).not.toContain('SECRET');
  });

  it('Request_DuplicateIdWhilePending_RejectedBadShapeAndOneResponse', async () => {
    const h = make(image);
    const pick = deferred<AssetHandle>();
    vi.mocked(h.services.requestAsset).mockReturnValue(pick.promise);
    const port = await h.connect();
    port.postMessage({ type: 'requestAsset', id: 'a1', assetType: 'image' });
    port.postMessage({ type: 'readAsset', id: 'a1', token: 't' });
    await flush();
    expect(h.bridge.counters.byReason.bad_shape).toBe(1);
    expect(h.services.readAsset).not.toHaveBeenCalled();
    pick.resolve({ token: 't', name: 'n', mediaType: 'image/png', bytes: 1 });
    await flush();
    expect(responses(h, 'a1')).toHaveLength(1);
  });

  it('CancelRequest_PendingPicker_CancelledAndAborted', async () => {
    const h = make(image);
    const port = await h.connect();
    port.postMessage({ type: 'requestAsset', id: 'a1', assetType: 'image' });
    port.postMessage({ type: 'cancelRequest', id: 'a1' });
    await flush();
    expect(responses(h, 'a1')).toEqual([{ type: 'response', id: 'a1', ok: false, error: expect.objectContaining({ code: 'cancelled' }) }]);
    expect(vi.mocked(h.services.requestAsset).mock.calls[0]![1].aborted).toBe(true);
  });

  it('Destroy_PendingRequests_ServiceCallsAborted', async () => {
    const h = make(image);
    const port = await h.connect();
    port.postMessage({ type: 'requestAsset', id: 'a1', assetType: 'image' });
    port.postMessage({ type: 'requestNetwork', id: 'n1', service: 'openai', request: { method: 'GET', path: '/models' } });
    await flush();
    h.bridge.destroy();
    expect(vi.mocked(h.services.requestAsset).mock.calls[0]![1].aborted).toBe(true);
    expect(vi.mocked(h.services.requestNetwork).mock.calls[0]![3].aborted).toBe(true);
    expect(h.bridge.pendingRequests).toBe(0);
  });

  it('GrantsChanged_Revoke_PendingOfThatCapabilityRevokedOthersKept', async () => {
    const h = make(image);
    h.setGranted(['fileRegistry:image', 'network:openai']);
    const port = await h.connect();
    port.postMessage({ type: 'requestAsset', id: 'a1', assetType: 'image' });
    port.postMessage({ type: 'requestNetwork', id: 'n1', service: 'openai', request: { method: 'GET', path: '/models' } });
    await flush();
    h.bridge.grantsChanged(['network:openai']);
    await flush();
    expect(responses(h, 'a1')).toEqual([{ type: 'response', id: 'a1', ok: false, error: expect.objectContaining({ code: 'revoked' }) }]);
    expect(responses(h, 'n1')).toHaveLength(0);
    expect(h.got('grantsChanged')).toEqual([{ type: 'grantsChanged', capabilities: ['network:openai'] }]);
  });

  it('GrantsChanged_RevokeFileType_PendingReadOfThatTypeRevoked', async () => {
    const h = make(image);
    h.setGranted(['fileRegistry:image']);
    vi.mocked(h.services.requestAsset).mockResolvedValue({ token: 'tok', name: 'n', mediaType: 'image/png', bytes: 1 });
    const port = await h.connect();
    port.postMessage({ type: 'requestAsset', id: 'a1', assetType: 'image' });
    await flush();
    port.postMessage({ type: 'readAsset', id: 'r1', token: 'tok' });
    await flush();
    h.bridge.grantsChanged([]);
    await flush();
    expect(responses(h, 'r1')[0]).toMatchObject({ ok: false, error: { code: 'revoked' } });
  });

  it('Call_AnyPlugin_NotSupported', async () => {
    const h = make();
    const port = await h.connect();
    port.postMessage({ type: 'call', id: 'c1', pluginId: 'dev.x.y', method: 'm', input: {} });
    await flush();
    expect(responses(h, 'c1')[0]).toMatchObject({ ok: false, error: { code: 'not_supported' } });
  });

  it('RequestNetwork_Stream_ChunksThenOneResponseWithBytes', async () => {
    const h = make(image);
    vi.mocked(h.services.requestNetwork).mockImplementation(async (_s, _r, onChunk) => {
      onChunk('data: a\n\n');
      onChunk('data: b\n\n');
      return { status: 200, headers: { 'content-type': 'text/event-stream' }, bytes: 18 } satisfies NetworkResult;
    });
    const port = await h.connect();
    port.postMessage({ type: 'requestNetwork', id: 'n1', service: 'openai', request: { method: 'POST', path: '/chat/completions', body: '{}', stream: true } });
    await flush();
    expect(h.got('networkChunk')).toEqual([
      { type: 'networkChunk', id: 'n1', data: 'data: a\n\n' },
      { type: 'networkChunk', id: 'n1', data: 'data: b\n\n' },
    ]);
    expect(responses(h, 'n1')).toEqual([
      { type: 'response', id: 'n1', ok: true, result: { status: 200, headers: { 'content-type': 'text/event-stream' }, bytes: 18 } },
    ]);
  });

  it('RequestNetwork_NonStream_ResponseCarriesBody', async () => {
    const h = make(image);
    vi.mocked(h.services.requestNetwork).mockResolvedValue({ status: 200, headers: {}, body: '{"data":[]}' });
    const port = await h.connect();
    port.postMessage({ type: 'requestNetwork', id: 'n1', service: 'openai', request: { method: 'GET', path: '/models' } });
    await flush();
    expect(responses(h, 'n1')[0]).toMatchObject({ ok: true, result: { status: 200, body: '{"data":[]}' } });
  });

  it('RequestNetwork_ServiceNotInManifest_NotRequested', async () => {
    const h = make(image);
    const port = await h.connect();
    port.postMessage({ type: 'requestNetwork', id: 'n1', service: 'github', request: { method: 'GET', path: '/' } });
    await flush();
    expect(responses(h, 'n1')[0]).toMatchObject({ ok: false, error: { code: 'not_requested' } });
    expect(h.services.requestNetwork).not.toHaveBeenCalled();
  });
});

describe('CardBridge violations', () => {
  it('Rejections_50Within10s_SuspendedFrameRemovedPendingFailed', async () => {
    const h = make(image);
    const port = await h.connect();
    port.postMessage({ type: 'requestAsset', id: 'a1', assetType: 'image' });
    for (let i = 0; i < 48; i++) port.postMessage({ type: 'eval' });
    port.postMessage({ type: 'ready' });
    port.postMessage({ type: 'ready' });
    await flush();
    expect(h.bridge.status).toBe('suspended');
    expect(h.bridge.view.suspended?.reason).toBe('Suspended: this card sent too many invalid messages (unknown_type ×48, bad_shape ×2).');
    expect(h.frame().removed).toBe(true);
    expect(vi.mocked(h.services.requestAsset).mock.calls[0]![1].aborted).toBe(true);
    expect(h.reports.at(-1)).toMatchObject({ reason: 'unknown_type', suspended: true, detail: 'unknown_type ×48, bad_shape ×2' });
  });

  it('Rejections_49_NotSuspended', async () => {
    const h = make();
    const port = await h.connect();
    for (let i = 0; i < 49; i++) port.postMessage({ type: 'eval' });
    await flush();
    expect(h.bridge.status).toBe('loading');
    expect(h.frame().removed).toBe(false);
  });

  it('Rejections_50SpreadOverMoreThan10s_NotSuspended', async () => {
    const h = make();
    const port = await h.connect();
    for (let i = 0; i < 50; i++) {
      port.postMessage({ type: 'eval' });
      await flush();
      h.advance(250);
    }
    expect(h.bridge.counters.byReason.unknown_type).toBe(50);
    expect(h.bridge.status).toBe('loading');
  });

  it('Reload_AfterSuspension_FreshFrameAndReasonCleared', async () => {
    const h = make();
    const port = await h.connect();
    for (let i = 0; i < 50; i++) port.postMessage(null);
    await flush();
    h.bridge.reload();
    expect(h.bridge.view.suspended).toBeNull();
    expect(h.frames).toHaveLength(2);
  });

  it('WindowMessageAfterConnect_CountedAsParentMessageNeverSuspends', async () => {
    const h = make();
    await h.connect();
    for (let i = 0; i < 60; i++) h.post(h.frame().contentWindow);
    await flush();
    expect(h.bridge.counters.byReason.parent_message).toBe(60);
    expect(h.onSetPayload).not.toHaveBeenCalled();
    expect(h.bridge.status).toBe('loading');
  });

  it('Violations_ReportedBatchedAtMostEvery2s', async () => {
    const h = make();
    const port = await h.connect();
    port.postMessage({ type: 'eval' });
    port.postMessage({ type: 'eval' });
    port.postMessage(7);
    await flush();
    h.elapse(0);
    expect(h.reports).toEqual([
      { reason: 'unknown_type', count: 2, suspended: false },
      { reason: 'not_object', count: 1, suspended: false },
    ]);
    port.postMessage({ type: 'eval' });
    await flush();
    h.elapse(1999);
    expect(h.reports).toHaveLength(2);
    h.elapse(1);
    expect(h.reports.at(-1)).toEqual({ reason: 'unknown_type', count: 1, suspended: false });
  });
});

describe('CardBridge snapshots', () => {
  const png = 'data:image/png;base64,iVBORw0KGgo=';

  async function readyCard(o?: Partial<CardBridgeOptions>) {
    const h = make(o);
    const port = await h.connect();
    port.postMessage({ type: 'ready', loadMs: 1 });
    await flush();
    return { h, port };
  }

  it('CaptureSnapshot_CardAnswers_ResolvesDataUrl', async () => {
    const { h, port } = await readyCard();
    const shot = h.bridge.captureSnapshot();
    await flush();
    const [req] = h.got('captureSnapshot');
    expect(req).toMatchObject({ maxBytes: 200_000 });
    port.postMessage({ type: 'snapshot', id: 'other', dataUrl: png });
    port.postMessage({ type: 'snapshot', id: req!.id, dataUrl: png });
    expect(await shot).toBe(png);
  });

  it('CaptureSnapshot_NoAnswer_NullAfterTimeout', async () => {
    const { h } = await readyCard();
    const shot = h.bridge.captureSnapshot(1500);
    h.elapse(1500);
    expect(await shot).toBeNull();
  });

  it('CaptureSnapshot_DecodedOver200KB_Null', async () => {
    const { h, port } = await readyCard();
    const shot = h.bridge.captureSnapshot();
    await flush();
    const big = `data:image/webp;base64,${'A'.repeat(279_960)}`;
    port.postMessage({ type: 'snapshot', id: h.got('captureSnapshot')[0]!.id, dataUrl: big });
    await flush();
    h.elapse(1500);
    expect(await shot).toBeNull();
  });

  it('Close_SnapshotSavedThenFrameRemoved', async () => {
    const { h, port } = await readyCard();
    const closing = h.bridge.close();
    await flush();
    port.postMessage({ type: 'snapshot', id: h.got('captureSnapshot')[0]!.id, dataUrl: png });
    expect(await closing).toBe(png);
    expect(h.services.saveSnapshot).toHaveBeenCalledWith(png);
    expect(h.frame().removed).toBe(true);
    expect(h.bridge.status).toBe('closed');
  });
});

describe('CardBridge workspace bus', () => {
  const timer = { capabilities: ['crossCard:pubsub'], topics: { publish: ['timer:countdown:finished'] } };
  const board = { capabilities: ['crossCard:pubsub'], topics: { subscribe: ['timer:*:finished'] } };

  async function pair(bus: WorkspaceBus) {
    const gate = (windowId: string) => ({ attach: (info: Parameters<WorkspaceBus['attach']>[1]) => bus.attach({ kind: 'card', boardId: 'b', windowId }, info) });
    const pub = make({ ...timer, bus: gate('w_pub'), card: { instanceId: 'w_pub', typeID: 'timer', pluginId: 'dev.t', version: '1.0.0' } });
    const sub = make({ ...board, bus: gate('w_sub'), card: { instanceId: 'w_sub', typeID: 'board', pluginId: 'dev.b', version: '1.0.0' } });
    pub.setGranted(['crossCard:pubsub']);
    sub.setGranted(['crossCard:pubsub']);
    return { pub, sub, pubPort: await pub.connect(), subPort: await sub.connect() };
  }

  it('Subscribe_UndeclaredTopic_TopicNotDeclared', async () => {
    const { sub, subPort } = await pair(new WorkspaceBus());
    subPort.postMessage({ type: 'subscribe', id: 's1', topic: 'chat:message:sent', sub: 'c1' });
    await flush();
    expect(responses(sub, 's1')[0]).toMatchObject({ ok: false, error: { code: 'topic_not_declared' } });
  });

  it('Subscribe_DeclaredButNotGranted_NotGranted', async () => {
    const { sub, subPort } = await pair(new WorkspaceBus());
    sub.setGranted([]);
    subPort.postMessage({ type: 'subscribe', id: 's1', topic: 'timer:*:finished', sub: 'c1' });
    await flush();
    expect(responses(sub, 's1')[0]).toMatchObject({ ok: false, error: { code: 'not_granted' } });
  });

  it('Publish_SubscribedAndGranted_EventForThatSubscriptionWithSenderPluginAndType', async () => {
    const { sub, subPort, pubPort } = await pair(new WorkspaceBus());
    subPort.postMessage({ type: 'subscribe', id: 's1', topic: 'timer:*:finished', sub: 'c1' });
    await flush();
    pubPort.postMessage({ type: 'publish', topic: 'timer:countdown:finished', payload: { at: 1 } });
    await flush();
    expect(responses(sub, 's1')[0]).toEqual({ type: 'response', id: 's1', ok: true, result: { topic: 'timer:*:finished' } });
    expect(sub.got('event')).toEqual([expect.objectContaining({
      type: 'event', sub: 'c1', topic: 'timer:countdown:finished', payload: { at: 1 }, from: { pluginId: 'dev.t', typeID: 'timer' }, target: null,
    })]);
    expect(Object.keys(sub.got('event')[0]!).sort()).toEqual(['from', 'id', 'payload', 'sub', 'target', 'topic', 'ts', 'type']);
  });

  it('Request_AnsweredByTheOtherCard_ResponseCarriesTheAnswer', async () => {
    const { sub, subPort, pub, pubPort } = await pair(new WorkspaceBus());
    subPort.postMessage({ type: 'subscribe', id: 's1', topic: 'timer:*:finished', sub: 'r1', responds: true });
    await flush();
    pubPort.postMessage({ type: 'request', id: 'q1', topic: 'timer:countdown:finished', payload: { n: 2 } });
    await flush();
    const incoming = sub.got('event')[0] as { rid: string; sub: string };
    expect(incoming.sub).toBe('r1');
    subPort.postMessage({ type: 'reply', rid: incoming.rid, ok: true, result: { n: 4 } });
    await flush();
    expect(responses(pub, 'q1')[0]).toEqual({ type: 'response', id: 'q1', ok: true, result: { n: 4 } });
  });

  it('Request_NoResponder_ResponseBusNoResponder', async () => {
    const { pub, pubPort } = await pair(new WorkspaceBus());
    pubPort.postMessage({ type: 'request', id: 'q1', topic: 'timer:countdown:finished', payload: null });
    await flush();
    expect(responses(pub, 'q1')[0]).toMatchObject({ ok: false, error: { code: 'bus.no_responder' } });
  });

  it('GrantsChanged_PubSubRevoked_SubscriptionDropped', async () => {
    const { sub, subPort, pubPort } = await pair(new WorkspaceBus());
    subPort.postMessage({ type: 'subscribe', id: 's1', topic: 'timer:*:finished', sub: 'c1' });
    await flush();
    sub.bridge.grantsChanged([]);
    sub.setGranted(['crossCard:pubsub']); // even if granted again, the old subscription is gone
    pubPort.postMessage({ type: 'publish', topic: 'timer:countdown:finished', payload: 1 });
    await flush();
    expect(sub.got('event')).toEqual([]);
  });
});

describe('CardBridge developer trace', () => {
  it('Trace_RecordsBothDirectionsAndRefusalsWithTheirReason', async () => {
    const { BridgeTrace } = await import('./trace.svelte');
    const trace = new BridgeTrace();
    const h = make({ trace });
    const port = await h.connect();
    port.postMessage({ type: 'setPayload', payload: { count: 4 } });
    port.postMessage({ type: 'requestAsset', id: 'a1', assetType: 'pdf' });
    port.postMessage({ type: 'no-such-message' });
    await flush();
    await flush();

    expect(trace.entries.find((e) => e.dir === 'out' && e.type === 'init')).toBeDefined();
    expect(trace.entries.find((e) => e.dir === 'in' && e.type === 'setPayload')).toMatchObject({ refused: null });
    expect(trace.lastPayloadBytes).toBe('{"count":4}'.length);
    expect(trace.entries.find((e) => e.dir === 'out' && e.type === 'response')).toMatchObject({ refused: 'not_requested' });
    expect(trace.entries.find((e) => e.dir === 'in' && e.type === 'no-such-message')?.refused).toBeTruthy();
  });
});
