import { bridgeLimits, DEFAULT_BRIDGE_LIMITS, setBridgeLimits } from './limits';

/** What GET /api/cards/limits answers on an unconfigured host. */
const SERVER_LIMITS = {
  messagesPerSecond: 100, burst: 200, maxMessageBytes: 262144, maxPayloadBytes: 1048576, maxSnapshotBytes: 204800, bus: { maxPayloadBytes: 65536 },
};
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CardBridge, type CardBridgeOptions } from './card-bridge';
import { cardStats } from './card-stats';
import { FramePool } from './frame-pool';
import { CARD_ORIGIN, fakeFrame, flush, FRAME_URL, harness, hostileMessage } from './test-harness';

let current: ReturnType<typeof harness> | null = null;
const make = (o?: Partial<CardBridgeOptions>) => (current = harness(o));
afterEach(() => {
  current?.cleanup();
  current = null;
});

describe('CardBridge', () => {
  it('CardBridge_Mount_SandboxedFrameWithOnlyAllowScripts', () => {
    const h = make();
    const f = h.frame();
    expect(f.attrs.sandbox).toBe('allow-scripts');
    expect(f.attrs.allow).toBe('');
    expect(f.attrs.referrerpolicy).toBe('no-referrer');
    expect(f.title).toBe('Hello card');
    expect(f.src).toBe(FRAME_URL);
    expect(h.container.appendChild).toHaveBeenCalledOnce();
  });

  it('CardBridge_ForeignFrameUrl_RefusedWithoutFrame', () => {
    const other = 'http://zzzzzzzzzzzzzzzzzzzz.cards.localhost:5080';
    const cases: [string, string][] = [
      ['https://evil.example/x', CARD_ORIGIN],
      ['//evil.example/x', CARD_ORIGIN],
      ['javascript:alert(1)', CARD_ORIGIN],
      ['/cap/tok_en-1/cards/frame/dev.x/1.0.0/hello', CARD_ORIGIN], // same-origin paths are no longer card URLs
      [`${other}/cap/tok_en-1/cards/frame/dev.x/1.0.0/hello`, CARD_ORIGIN], // another plugin version's origin
      [`${CARD_ORIGIN}/api/auth/me`, CARD_ORIGIN], // not a frame or plugin file path
      [`http://user:pw@abcdefghijklmnopqrst.cards.localhost:5080/cap/tok_en-1/cards/frame/x`, CARD_ORIGIN],
      [FRAME_URL, ''], // no published origin
      [FRAME_URL, `${CARD_ORIGIN}/`], // not an origin
    ];
    for (const [frameUrl, frameOrigin] of cases) {
      const h = harness({ frameUrl, frameOrigin });
      expect(h.frames).toHaveLength(0);
      expect(h.bridge.status).toBe('error');
      expect(h.onLoadReport).toHaveBeenCalledWith(expect.objectContaining({ ok: false }));
      h.cleanup();
    }
  });

  it('CardBridge_PortFromOtherSource_NotTaken', async () => {
    const h = make();
    const stranger = h.channel();
    const received: unknown[] = [];
    stranger.card.onmessage = (e) => received.push(e.data);
    h.post({}, [stranger.offered]);
    h.post(null, [h.channel().offered]);
    await flush();
    expect(received).toEqual([]);
    expect(h.bridge.status).toBe('loading');
  });

  it('CardBridge_WindowMessagesFromAnyone_DataNeverRead', async () => {
    const h = make();
    h.post({});
    h.post(h.frame().contentWindow); // before the hello
    await h.connect();
    h.post(h.frame().contentWindow); // after
    expect(h.dataReads()).toBe(0);
    expect(h.onSetPayload).not.toHaveBeenCalled();
    expect(h.frame().contentWindow.postMessage).not.toHaveBeenCalled(); // the host never posts to the frame's window
  });

  it('CardBridge_FirstOfferedPort_GetsInit', async () => {
    const h = make();
    await h.connect();
    expect(h.received[0]).toEqual({
      type: 'init',
      card: { instanceId: 'w_1', typeID: 'hello', pluginId: 'dev.x', version: '1.0.0' },
      props: { name: 'Ada' },
      payload: { count: 3 },
      themeTokens: {},
      bounds: { width: 320, height: 200 },
      active: true,
      grantedCapabilities: [],
      limits: { maxMessageBytes: 262144, maxPayloadBytes: 1048576, maxPublishBytes: 65536, maxSnapshotBytes: 204800 },
      config: {},
    });
  });

  it('CardBridge_SecondPortOffered_TreatedAsNavigationAndTornDown', async () => {
    const h = make();
    await h.connect();
    const second = h.channel();
    const received: unknown[] = [];
    second.card.onmessage = (e) => received.push(e.data);
    h.post(h.frame().contentWindow, [second.offered]);
    await vi.waitFor(() => expect(h.bridge.status).toBe('suspended'));
    expect(received).toEqual([]); // the new document gets nothing
    expect(h.frame().removed).toBe(true);
    expect(h.bridge.counters.byReason.navigated).toBe(1);
    expect(h.reports).toContainEqual(expect.objectContaining({ reason: 'navigated', suspended: true }));
  });

  it('CardBridge_SecondLoadAfterConnect_TreatedAsNavigationAndTornDown', async () => {
    const h = make();
    await h.connect();
    h.frame().load(); // the frame navigated itself to another document
    expect(h.bridge.status).toBe('suspended');
    expect(h.bridge.view.suspended?.reason).toMatch(/loaded another document/);
    expect(h.frame().removed).toBe(true);
  });

  it('CardBridge_FocusBlockedFromBootstrap_CountedAsFocusStealWithoutSuspension', async () => {
    const h = make();
    const port = await h.connect();
    for (let i = 0; i < 60; i++) port.postMessage({ type: 'focusBlocked' });
    await vi.waitFor(() => expect(h.bridge.counters.byReason.focus_steal).toBe(60));
    expect(h.bridge.status).not.toBe('suspended');
    h.elapse(2000);
    expect(h.reports).toContainEqual({ reason: 'focus_steal', count: 60, suspended: false });
  });

  it('CardBridge_FocusStolenThrice_Suspended', async () => {
    const h = make();
    await h.connect();
    h.bridge.focusStolen();
    h.bridge.focusStolen();
    expect(h.bridge.status).not.toBe('suspended');
    h.bridge.focusStolen();
    expect(h.bridge.status).toBe('suspended');
    expect(h.bridge.view.suspended?.reason).toMatch(/keyboard focus/);
    expect(h.reports).toContainEqual(expect.objectContaining({ reason: 'focus_steal', suspended: true }));
  });

  it('CardBridge_FocusAllowed_ToldToTheCardAndResentAfterReload', async () => {
    const h = make();
    await h.connect();
    h.bridge.setFocusAllowed(true);
    await vi.waitFor(() => expect(h.got('setFocusAllowed')).toEqual([{ type: 'setFocusAllowed', allowed: true }]));
  });

  it('CardBridge_FocusLeaveOnlyWhenEntered_CallsOnFocusLeave', async () => {
    const onFocusLeave = vi.fn();
    const h = make({ onFocusLeave });
    const port = await h.connect();
    port.postMessage({ type: 'focusLeave' });
    await flush();
    expect(onFocusLeave).not.toHaveBeenCalled();
    h.bridge.setFocusAllowed(true);
    port.postMessage({ type: 'focusLeave' });
    await flush();
    expect(onFocusLeave).toHaveBeenCalledOnce();
  });

  it('CardBridge_Page_InitCarriesPageAndNavigateReachesThePageHost', async () => {
    const onNavigate = vi.fn();
    const h = make({ page: { path: 'reports', params: { year: '2026' }, onNavigate } });
    const port = await h.connect();
    expect(h.got('init')[0]).toMatchObject({ page: { path: 'reports', params: { year: '2026' } } });
    port.postMessage({ type: 'navigate', path: 'settings', params: { tab: 'a' } });
    await vi.waitFor(() => expect(onNavigate).toHaveBeenCalledWith('settings', { tab: 'a' }));
  });

  it('CardBridge_CardSendsNavigate_Ignored', async () => {
    const h = make();
    const port = await h.connect();
    expect(h.got('init')[0]).not.toHaveProperty('page');
    port.postMessage({ type: 'navigate', path: 'x' });
    port.postMessage({ type: 'navigate', path: 'x', params: { a: 1 } });
    await vi.waitFor(() => expect(h.bridge.counters.rejected).toBeGreaterThan(0));
    expect(h.bridge.counters.rejected).toBe(1);
  });

  it('CardBridge_Ready_StatusReadyAndLoadReported', async () => {
    const h = make();
    const port = await h.connect();
    h.advance(42);
    port.postMessage({ type: 'ready', loadMs: 12.5 });
    await flush();
    expect(h.bridge.status).toBe('ready');
    expect(h.bridge.cardLoadMs).toBe(12.5);
    expect(h.bridge.loadMs).toBe(42);
    expect(h.onLoadReport).toHaveBeenCalledWith({ ok: true, loadMs: 42 });
  });

  it('CardBridge_InvalidMessages_DroppedAndCounted', async () => {
    const h = make();
    const port = await h.connect();
    port.postMessage({ type: 'eval', code: 'x' });
    port.postMessage({ type: 'ready', loadMs: 'soon' });
    port.postMessage('hello');
    port.postMessage({ type: 'setPayload', payload: { count: 4 } });
    await flush();
    expect(h.bridge.counters.rejected).toBe(3);
    expect(h.bridge.counters.accepted).toBe(1);
    expect(h.onSetPayload).toHaveBeenCalledExactlyOnceWith({ count: 4 });
    expect(h.bridge.status).toBe('loading');
  });

  it('CardBridge_Flood_Dropped', async () => {
    const h = make();
    const port = await h.connect();
    for (let i = 0; i < 240; i++) port.postMessage({ type: 'interactionEvent', name: 'x' });
    await flush();
    expect(h.bridge.counters.byReason.flood).toBe(40);
    expect(h.bridge.status).toBe('loading');
  });

  it('CardBridge_ConfiguredLimits_FloodCountedAgainstThem', async () => {
    const h = make({ limits: { ...DEFAULT_BRIDGE_LIMITS, messagesPerSecond: 5, burst: 10 } });
    const port = await h.connect();
    for (let i = 0; i < 30; i++) port.postMessage({ type: 'interactionEvent', name: 'x' });
    await flush();
    expect(h.bridge.counters.byReason.flood).toBe(20);
  });

  it('CardBridge_ServerRaisedPayloadLimit_InitCarriesItAndLargerStateIsAccepted', async () => {
    setBridgeLimits({ ...SERVER_LIMITS, maxPayloadBytes: 2 * 1024 * 1024 });
    try {
      const h = make();
      const port = await h.connect();
      const init = h.got('init')[0] as { limits?: { maxPayloadBytes: number } } | undefined;
      port.postMessage({ type: 'setPayload', payload: 'x'.repeat(1536 * 1024) });
      await flush();
      expect(init?.limits?.maxPayloadBytes).toBe(2 * 1024 * 1024);
      expect(h.bridge.counters.byReason.oversize).toBe(0);
      expect(h.bridge.counters.accepted).toBeGreaterThan(0);
    } finally {
      setBridgeLimits(null);
    }
  });

  it('CardBridge_ServerLimitsSet_UsedWhenNoOptionGiven', async () => {
    setBridgeLimits({ ...SERVER_LIMITS, messagesPerSecond: 3, burst: 4 });
    try {
      const h = make();
      const port = await h.connect();
      for (let i = 0; i < 10; i++) port.postMessage({ type: 'interactionEvent', name: 'x' });
      await flush();
      expect(h.bridge.counters.byReason.flood).toBe(6);
    } finally {
      setBridgeLimits(null);
    }
  });

  it('setBridgeLimits_BurstBelowRate_KeepsDefaults', () => {
    setBridgeLimits({ messagesPerSecond: 50, burst: 10 });
    expect(bridgeLimits()).toEqual(DEFAULT_BRIDGE_LIMITS);
  });

  it('CardBridge_ErrorMessage_ShownAndReported', async () => {
    const h = make();
    const port = await h.connect();
    port.postMessage({ type: 'error', code: 'mount_failed', message: 'boom' });
    await flush();
    expect(h.bridge.status).toBe('error');
    expect(h.bridge.error).toEqual({ code: 'mount_failed', message: 'boom' });
    expect(h.onLoadReport).toHaveBeenCalledWith(expect.objectContaining({ ok: false, error: 'mount_failed: boom' }));
  });

  it('CardBridge_NoPongFor5s_UnresponsiveThenRecovers', async () => {
    const h = make();
    const port = await h.connect();
    port.postMessage({ type: 'ready', loadMs: 1 });
    await flush();
    for (let i = 0; i < 5; i++) {
      h.advance(1000);
      h.tick();
    }
    expect(h.bridge.status).toBe('ready');
    h.advance(1001);
    h.tick();
    expect(h.bridge.status).toBe('unresponsive');
    await flush();
    const pings = h.received.filter((m) => (m as { type: string }).type === 'ping');
    expect(pings.length).toBeGreaterThanOrEqual(6);
    port.postMessage({ type: 'pong', seq: 6 });
    await flush();
    expect(h.bridge.status).toBe('ready');
  });

  it('CardBridge_NotRespondingFor10s_FrameUnloadedStoppedAndCounted', async () => {
    const stopsBefore = cardStats.unresponsiveStops;
    const h = make();
    const port = await h.connect();
    port.postMessage({ type: 'ready', loadMs: 1 });
    await flush();
    // No pong from here on: "Not responding" after 5 s, still there 10 s later minus a tick.
    for (let i = 0; i < 6; i++) {
      h.advance(1000);
      h.tick();
    }
    expect(h.bridge.status).toBe('unresponsive');
    for (let i = 0; i < 9; i++) {
      h.advance(1000);
      h.tick();
    }
    expect(h.bridge.status).toBe('unresponsive');
    expect(h.frame().removed).toBe(false);
    h.advance(1000);
    h.tick();
    expect(h.bridge.status).toBe('suspended');
    expect(h.bridge.view.suspended?.cause).toBe('unresponsive');
    expect(h.bridge.view.suspended?.reason).toContain('Reload');
    expect(h.frame().removed).toBe(true);
    expect(h.bridge.iframe).toBeNull();
    expect(h.bridge.view.unresponsiveStops).toBe(1);
    expect(cardStats.unresponsiveStops).toBe(stopsBefore + 1);
    // Rollout figures count it as the card failing after its load.
    expect(h.onCardError).toHaveBeenCalledOnce();
    // Nothing is sent to a card that is gone.
    await flush();
    const sent = h.received.length;
    h.advance(1000);
    h.tick();
    await flush();
    expect(h.received.length).toBe(sent);

    h.bridge.reload();
    expect(h.bridge.status).toBe('loading');
    expect(h.bridge.view.suspended).toBeNull();
    expect(h.frames).toHaveLength(2);
  });

  it('CardBridge_AnswersAgainWithinTheStopDelay_KeepsItsFrame', async () => {
    const h = make();
    const port = await h.connect();
    port.postMessage({ type: 'ready', loadMs: 1 });
    await flush();
    for (let i = 0; i < 14; i++) {
      h.advance(1000);
      h.tick();
    }
    expect(h.bridge.status).toBe('unresponsive');
    await vi.waitFor(() => expect(h.got('ping')).toHaveLength(14));
    const pings = h.got('ping');
    port.postMessage({ type: 'pong', seq: pings.at(-1)!.seq as number });
    await flush();
    expect(h.bridge.status).toBe('ready');
    // A later hang starts the stop delay afresh: 5 s to "Not responding", then 10 s.
    for (let i = 0; i < 14; i++) {
      h.advance(1000);
      h.tick();
    }
    expect(h.bridge.status).toBe('unresponsive');
    expect(h.frame().removed).toBe(false);
  });

  it('CardBridge_NeverSaysHelloAndStopDelayPasses_FrameUnloaded', () => {
    const h = make();
    h.advance(10_001);
    h.tick();
    expect(h.bridge.status).toBe('unresponsive');
    h.advance(10_000);
    h.tick();
    expect(h.bridge.status).toBe('suspended');
    expect(h.frame().removed).toBe(true);
    expect(h.onLoadReport).toHaveBeenCalledWith(expect.objectContaining({ ok: false, error: expect.stringContaining('unresponsive') }));
  });

  it('CardBridge_UnresponsiveStop_PoolDropsAndStopsWarmingThatOriginUntilReload', async () => {
    const parked: ReturnType<typeof fakeFrame>[] = [];
    const pool = new FramePool({
      createFrame: () => {
        const f = fakeFrame();
        parked.push(f);
        return f as unknown as HTMLIFrameElement;
      },
      parking: () => ({ appendChild: () => {} }) as unknown as HTMLElement,
      canMove: () => true,
      addMessageListener: () => {},
      removeMessageListener: () => {},
      idle: () => {},
    });
    const h = make({ pool, stopUnresponsiveAfterMs: 2000 });
    // Frames waiting for the next card of this version and of another plugin.
    pool.warm(FRAME_URL, CARD_ORIGIN);
    const other = 'http://zzzzzzzzzzzzzzzzzzzz.cards.localhost:5080';
    pool.warm(`${other}/cap/tok_en-2/cards/frame/dev.y/1.0.0/y`, other);
    expect(pool.has(FRAME_URL)).toBe(true);
    h.advance(10_001);
    h.tick();
    h.advance(2000);
    h.tick();
    expect(h.bridge.status).toBe('suspended');
    // The waiting frame on the hung card's origin would keep its process alive: gone, and not re-warmed.
    expect(pool.has(FRAME_URL)).toBe(false);
    expect(parked.filter((f) => f.src === FRAME_URL).every((f) => f.removed)).toBe(true);
    pool.warm(FRAME_URL, CARD_ORIGIN);
    expect(pool.has(FRAME_URL)).toBe(false);
    expect(pool.has(`${other}/cap/tok_en-2/cards/frame/dev.y/1.0.0/y`)).toBe(true);
    h.bridge.reload();
    pool.warm(FRAME_URL, CARD_ORIGIN);
    expect(pool.has(FRAME_URL)).toBe(true);
    pool.clear();
  });

  it('CardBridge_Opens_CountedWarmColdOrRestored', () => {
    const before = { ...cardStats };
    const restored = make({ restored: true });
    expect(cardStats.restores).toBe(before.restores + 1);
    restored.bridge.reload(); // the person's action: counted as an open
    expect(cardStats.coldOpens).toBe(before.coldOpens + 1);
    restored.cleanup();
    make();
    expect(cardStats.coldOpens).toBe(before.coldOpens + 2);
    expect(cardStats.warmOpens).toBe(before.warmOpens);
  });

  it('CardBridge_PongForUnsentPing_Ignored', async () => {
    const h = make();
    const port = await h.connect();
    h.advance(6000);
    port.postMessage({ type: 'pong', seq: 999 });
    await flush();
    h.tick();
    expect(h.bridge.status).toBe('unresponsive');
  });

  it('CardBridge_ActiveBoundsProps_SentOnlyOnChange', async () => {
    const h = make();
    await h.connect();
    h.bridge.setActive(true);
    h.bridge.setActive(false);
    h.bridge.setBounds({ width: 320, height: 200 });
    h.bridge.setBounds({ width: 400.4, height: 200 });
    h.bridge.setProps({ name: 'Ada' });
    h.bridge.setProps({ name: 'Grace' });
    await flush();
    expect(h.received.slice(1)).toEqual([
      { type: 'setActive', active: false },
      { type: 'setBounds', bounds: { width: 400, height: 200 } },
      { type: 'propsChanged', props: { name: 'Grace' } },
    ]);
  });

  it('CardBridge_PushAssetWhenReady_SendsOnlyTheFourHandleFields', async () => {
    const h = make();
    const port = await h.connect();
    port.postMessage({ type: 'ready', loadMs: 1 });
    await flush();
    const handle = { token: 'lab_ast_1', name: 'cat.png', mediaType: 'image/png', bytes: 67, assetId: 'ast_secret' };
    h.bridge.pushAsset(handle);
    await flush();
    expect(h.received.at(-1)).toEqual({ type: 'pushAsset', asset: { token: 'lab_ast_1', name: 'cat.png', mediaType: 'image/png', bytes: 67 } });
  });

  it('CardBridge_PushAssetBeforeConnectOrAfterDestroy_SendsNothing', async () => {
    const h = make();
    const handle = { token: 'lab_ast_1', name: 'cat.png', mediaType: 'image/png', bytes: 67 };
    h.bridge.pushAsset(handle); // no port yet: must not throw or queue
    const port = await h.connect();
    h.bridge.pushAsset(handle); // connected, but the card has not mounted its listeners (no ready)
    port.postMessage({ type: 'ready', loadMs: 1 });
    await flush();
    h.bridge.destroy();
    h.bridge.pushAsset(handle);
    await flush();
    expect(h.received.filter((m) => (m as { type?: unknown }).type === 'pushAsset')).toEqual([]);
  });

  it('CardBridge_Destroy_RemovesFrameAndClosesPort', async () => {
    const h = make();
    const port = await h.connect();
    h.bridge.destroy();
    expect(h.frame().removed).toBe(true);
    expect(h.bridge.status).toBe('closed');
    port.postMessage({ type: 'setPayload', payload: 1 });
    await flush();
    expect(h.onSetPayload).not.toHaveBeenCalled();
  });

  it('CardBridge_Reload_FreshFrame', async () => {
    const h = make();
    await h.connect();
    h.bridge.reload();
    expect(h.frames).toHaveLength(2);
    expect(h.frames[0]!.removed).toBe(true);
    expect(h.bridge.status).toBe('loading');
    expect(h.hasListener()).toBe(true);
  });

  it('CardBridge_WarmFrameWithPortFromPool_MovedInAndConnectedAtOnce', async () => {
    let poolListener: ((e: MessageEvent) => void) | null = null;
    const pooledFrame = fakeFrame();
    const pool = new FramePool({
      createFrame: () => pooledFrame as unknown as HTMLIFrameElement,
      parking: () => ({ appendChild: vi.fn() }) as unknown as HTMLElement,
      canMove: () => true,
      addMessageListener: (fn) => (poolListener = fn),
      removeMessageListener: () => {},
      idle: () => {},
    });
    pool.warm(FRAME_URL, CARD_ORIGIN);
    const channel = new MessageChannel();
    const received: unknown[] = [];
    channel.port1.onmessage = (e) => received.push(e.data);
    poolListener!(hostileMessage(pooledFrame.contentWindow, [channel.port2]));
    pooledFrame.load();

    const moveBefore = vi.fn();
    const created = vi.fn();
    const bridge = new CardBridge(
      {
        frameUrl: FRAME_URL,
        frameOrigin: CARD_ORIGIN,
        cardName: 'Hello',
        card: { instanceId: 'w_1', typeID: 'hello', pluginId: 'dev.x', version: '1.0.0' },
        props: {},
        bounds: { width: 320, height: 200 },
        active: true,
        loadPayload: async () => null,
        onSetPayload: vi.fn(),
        pool,
      },
      {
        createFrame: () => {
          created();
          return fakeFrame() as unknown as HTMLIFrameElement;
        },
        addMessageListener: vi.fn(),
        removeMessageListener: vi.fn(),
        setInterval: () => 0,
        clearInterval: () => {},
      },
    );
    bridge.mount({ moveBefore, appendChild: vi.fn() } as unknown as HTMLElement);

    expect(created).not.toHaveBeenCalled();
    expect(moveBefore).toHaveBeenCalledWith(pooledFrame, null);
    expect(bridge.view.warm).toBe(true);
    await vi.waitFor(() => expect(received[0]).toMatchObject({ type: 'init' }));
    // Its one load happened in the pool: a later load is a navigation.
    pooledFrame.load();
    expect(bridge.status).toBe('suspended');
    channel.port1.close();
    bridge.destroy();
  });
});

