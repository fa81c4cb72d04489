// @vitest-environment happy-dom
import { MessagePort as NodeMessagePort } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { neutraliseWebRTC, startFrame, WEBRTC_GLOBALS } from '../src/frame.ts';
import type { CardContext, MountPlugin } from '../../../sdk/src/types.ts';

type Listener = (e: unknown) => void;

/** A window whose parent and message plumbing the test controls; DOM from happy-dom. */
function fakeWindow() {
  const listeners = new Map<string, Set<Listener>>();
  const toParent: unknown[] = [];
  const transfers: MessagePort[][] = [];
  const parent = { postMessage: (m: unknown, _target: string, transfer: MessagePort[] = []) => { toParent.push(m); transfers.push(transfer); } };
  // Fresh element classes per window, so the focus guard patches these and not happy-dom's.
  const focused: string[] = [];
  class HTMLElement { focus() { focused.push('element'); } }
  class SVGElement { focus() { focused.push('svg'); } }
  const win = {
    document,
    parent,
    HTMLElement,
    SVGElement,
    focus() { focused.push('window'); },
    // happy-dom replaces the global MessagePort; the channels here are Node's.
    MessagePort: NodeMessagePort,
    addEventListener(type: string, fn: Listener) { (listeners.get(type) ?? listeners.set(type, new Set()).get(type)!).add(fn); },
    removeEventListener(type: string, fn: Listener) { listeners.get(type)?.delete(fn); },
    dispatch(type: string, event: Record<string, unknown>) {
      let stopped = false;
      const e = { ...event, stopImmediatePropagation: () => { stopped = true; } };
      for (const fn of [...(listeners.get(type) ?? [])]) { if (stopped) break; fn(e); }
    },
    listenerCount: (type: string) => listeners.get(type)?.size ?? 0,
  };
  return { win, toParent, transfers, focused, HTMLElement };
}

const channels: MessageChannel[] = [];
/** Host end of a fresh channel, collecting what the card sends. */
function channel() {
  const ch = new MessageChannel();
  channels.push(ch);
  const got: Record<string, unknown>[] = [];
  ch.port1.onmessage = (e) => { got.push(e.data); };
  return { host: ch.port1, card: ch.port2, got };
}

async function until<T>(fn: () => T | undefined, ms = 1000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
const settle = () => new Promise((r) => setTimeout(r, 30));

const INIT = {
  type: 'init',
  card: { instanceId: 'w_0123456789abcdef', typeID: 'hello', pluginId: 'dev.labyrinth.hello', version: '1.0.0' },
  props: { name: 'Ada' }, payload: { count: 1 }, themeTokens: { text: '#111111', 'bad name;': 'x' },
  bounds: { width: 300, height: 200 }, active: true,
};

function setEntry(url: string | null) {
  document.head.querySelectorAll('meta[name="labyrinth-entry"]').forEach((m) => m.remove());
  if (url) {
    const meta = document.createElement('meta');
    meta.name = 'labyrinth-entry';
    meta.content = url;
    document.head.append(meta);
  }
}

function boot(
  mountPlugin?: MountPlugin | null,
  entry: string | null = '/plugins/dev.labyrinth.hello/1.0.0/cards/hello.js',
  snapshot?: (maxBytes: number) => Promise<string | null>,
) {
  setEntry(entry);
  const fake = fakeWindow();
  const { win, toParent, transfers } = fake;
  const importEntry = vi.fn(async () => (mountPlugin === undefined ? {} : mountPlugin === null ? Promise.reject(new Error('404 not found')) : { mountPlugin }));
  let clock = 0;
  startFrame({
    win: win as unknown as Window, importEntry, snapshot, now: () => clock,
    createChannel: () => { const c = new MessageChannel(); channels.push(c); return c; },
  });
  /** The host's end: the port the bootstrap offered in its hello. */
  const connect = () => {
    const host = transfers[0]![0]! as MessagePort;
    const got: Record<string, unknown>[] = [];
    host.onmessage = (e) => { got.push(e.data); };
    return { host, got };
  };
  return { ...fake, importEntry, connect, advance: (ms: number) => { clock += ms; } };
}

beforeEach(() => {
  document.body.innerHTML = '<div id="root"></div>';
  document.documentElement.removeAttribute('style');
});
afterEach(() => { for (const ch of channels.splice(0)) { ch.port1.close(); ch.port2.close(); } });

describe('frame bootstrap', () => {
  it('NeutraliseWebRTC_RemovesAndPinsConstructors', () => {
    const fake: Record<string, unknown> = {};
    for (const n of WEBRTC_GLOBALS) Object.defineProperty(fake, n, { value: class {}, writable: true, configurable: true });
    neutraliseWebRTC(fake);
    for (const n of WEBRTC_GLOBALS) {
      expect(fake[n]).toBeUndefined();
      expect(() => { 'use strict'; fake[n] = class {}; }).toThrow(TypeError);
      expect(Object.getOwnPropertyDescriptor(fake, n)).toMatchObject({ writable: false, configurable: false });
    }
  });

  it('Start_OffersOnePortToParentInItsHello', () => {
    const { toParent, transfers } = boot(() => undefined);
    expect(toParent).toEqual([{ type: 'labyrinth:hello', protocol: 2 }]);
    expect(transfers[0]).toHaveLength(1);
  });

  it('WindowMessages_NeverReachTheBootstrap', () => {
    // The port travels frame → host, so no window message (forged or not) is ever listened to.
    const { win } = boot(() => undefined);
    expect(win.listenerCount('message')).toBe(0);
  });

  it('FocusGuard_NotEntered_BlocksFocusAndReportsAtMostOncePerSecond', async () => {
    const { connect, focused, HTMLElement, win, advance } = boot(() => undefined);
    const { got } = connect();
    const el = new (win.HTMLElement as typeof HTMLElement)();
    el.focus();
    (win as unknown as { focus(): void }).focus();
    el.focus();
    advance(1000);
    el.focus();
    await settle();
    expect(focused).toEqual([]);
    expect(got.filter((m) => m.type === 'focusBlocked')).toHaveLength(2);
    expect(Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'focus')).toMatchObject({ writable: false, configurable: false });
  });

  it('FocusGuard_Entered_FocusWorksAndEscapeLeaves', async () => {
    const { connect, focused, win } = boot(() => undefined);
    const { host, got } = connect();
    host.postMessage({ type: 'setFocusAllowed', allowed: true });
    await settle();
    new (win.HTMLElement as new () => { focus(): void })().focus();
    (win as unknown as { focus(): void }).focus();
    win.dispatch('keydown', { key: 'Escape', defaultPrevented: true }); // the card handled it
    win.dispatch('keydown', { key: 'Escape', defaultPrevented: false });
    await settle();
    expect(focused).toEqual(['element', 'window']);
    expect(got.filter((m) => m.type === 'focusLeave')).toHaveLength(1);
  });

  it('FocusGuard_EnteredFrameLostFocus_BlocksFocusUntilItHasFocusAgain', async () => {
    // The person tabbed out: the host's "left" is still on its way, the card's focus() loop is not.
    const { connect, focused, win } = boot(() => undefined);
    const { host } = connect();
    host.postMessage({ type: 'setFocusAllowed', allowed: true });
    await settle();
    const el = new (win.HTMLElement as new () => { focus(): void })();
    win.dispatch('blur', {});
    el.focus();
    (win as unknown as { focus(): void }).focus();
    expect(focused).toEqual([]);
    // The person came back into the card (its window has focus again): it may focus its controls.
    win.dispatch('focus', {});
    el.focus();
    expect(focused).toEqual(['element']);
  });

  it('Init_ImportsEntryMountsAndSendsReady', async () => {
    const mount = vi.fn<MountPlugin>((target, props) => { target.textContent = `Hello, ${String(props.name)}!`; });
    const { connect, importEntry } = boot(mount);
    const { host, got } = connect();
    host.postMessage(INIT);
    const ready = await until(() => got.find((m) => m.type === 'ready'));
    expect(typeof ready.loadMs).toBe('number');
    expect(importEntry).toHaveBeenCalledWith(expect.stringMatching(/\/plugins\/dev\.labyrinth\.hello\/1\.0\.0\/cards\/hello\.js$/));
    expect(document.getElementById('root')!.textContent).toBe('Hello, Ada!');
    const ctx = mount.mock.calls[0]![2];
    expect(ctx.card).toEqual(INIT.card);
    expect(ctx.payload).toEqual({ count: 1 });
    expect(ctx.bounds).toEqual({ width: 300, height: 200 });
    // Theme tokens became CSS custom properties before mount; invalid names are dropped.
    expect(document.documentElement.style.getPropertyValue('--lab-text')).toBe('#111111');
    expect(ctx.theme).toEqual({ text: '#111111' });
  });

  it('Ping_AnswersPongWithSameSeq', async () => {
    const { host, got } = boot(() => undefined).connect();
    host.postMessage({ type: 'ping', seq: 1 });
    host.postMessage({ type: 'ping', seq: 2 });
    await until(() => got.length === 2 || undefined);
    expect(got).toEqual([{ type: 'pong', seq: 1 }, { type: 'pong', seq: 2 }]);
  });

  it('UnknownOrMalformedHostMessages_AreIgnored', async () => {
    const mount = vi.fn<MountPlugin>(() => undefined);
    const { host, got } = boot(mount).connect();
    host.postMessage({ type: 'exfiltrate', everything: true });
    host.postMessage('not an object');
    host.postMessage(null);
    host.postMessage({ type: 'propsChanged', props: { x: 1 } }); // before init: ignored
    host.postMessage({ type: 'response', id: 'nope', ok: true });
    host.postMessage({ type: 'ping', seq: 3 });
    await until(() => got.find((m) => m.type === 'pong'));
    await settle();
    expect(got).toEqual([{ type: 'pong', seq: 3 }]);
    expect(mount).not.toHaveBeenCalled();
  });

  it('PropsChanged_CallsUpdateWhenProvided', async () => {
    const update = vi.fn();
    const mount = vi.fn<MountPlugin>(() => ({ update, destroy() {} }));
    const { host, got } = boot(mount).connect();
    host.postMessage(INIT);
    await until(() => got.find((m) => m.type === 'ready'));
    host.postMessage({ type: 'propsChanged', props: { name: 'Grace' } });
    await until(() => update.mock.calls.length > 0 || undefined);
    expect(update).toHaveBeenCalledWith({ name: 'Grace' });
    expect(mount).toHaveBeenCalledTimes(1);
    expect(mount.mock.calls[0]![2].props).toEqual({ name: 'Grace' });
  });

  it('PropsChanged_WithoutUpdate_DestroysAndRemounts', async () => {
    const events: string[] = [];
    const mount = vi.fn<MountPlugin>((_t, p) => { events.push(`mount ${String(p.name)}`); return () => events.push('destroy'); });
    const { host, got } = boot(mount).connect();
    host.postMessage(INIT);
    await until(() => got.find((m) => m.type === 'ready'));
    host.postMessage({ type: 'propsChanged', props: { name: 'Grace' } });
    await until(() => events.length === 3 || undefined);
    expect(events).toEqual(['mount Ada', 'destroy', 'mount Grace']);
  });

  it('SetActiveSetBoundsThemeChanged_ReachContextListeners', async () => {
    const seen: unknown[] = [];
    const mount: MountPlugin = (_t, _p, card) => {
      card.onActive((a) => seen.push(['active', a]));
      card.onBounds((b) => seen.push(['bounds', b]));
      card.onThemeChanged((t) => seen.push(['theme', t]));
    };
    const { host, got } = boot(mount).connect();
    host.postMessage(INIT);
    await until(() => got.find((m) => m.type === 'ready'));
    host.postMessage({ type: 'setActive', active: false });
    host.postMessage({ type: 'setBounds', bounds: { width: 640, height: 480 } });
    host.postMessage({ type: 'themeChanged', themeTokens: { surface: '#000' } });
    await until(() => seen.length === 3 || undefined);
    expect(seen).toEqual([['active', false], ['bounds', { width: 640, height: 480 }], ['theme', { surface: '#000' }]]);
    const style = document.documentElement.style;
    expect(style.getPropertyValue('--lab-surface')).toBe('#000');
    expect(style.getPropertyValue('--lab-text')).toBe(''); // tokens not in the new theme are removed
  });

  it('CardCalls_BecomeCardToHostMessages', async () => {
    const mount: MountPlugin = (_t, _p, card) => {
      card.setPayload({ count: 2 });
      card.interaction('click', { id: 'b' });
      card.requestSize(400, 300);
    };
    const { host, got } = boot(mount).connect();
    host.postMessage(INIT);
    await until(() => got.find((m) => m.type === 'ready'));
    expect(got.slice(0, 3)).toEqual([
      { type: 'setPayload', payload: { count: 2 } },
      { type: 'interactionEvent', name: 'click', detail: { id: 'b' } },
      { type: 'sizePreferenceChanged', width: 400, height: 300 },
    ]);
  });

  it('ImportFailure_SendsLoadFailedAndShowsError', async () => {
    const { host, got } = boot(null).connect();
    host.postMessage(INIT);
    const err = await until(() => got.find((m) => m.type === 'error'));
    expect(err).toEqual({ type: 'error', code: 'load_failed', message: 'Error: 404 not found' });
    expect(document.querySelector('[role="alert"]')!.textContent).toContain('404 not found');
    expect(got.find((m) => m.type === 'ready')).toBeUndefined();
  });

  it('EntryWithoutMountPlugin_SendsLoadFailed', async () => {
    const { host, got } = boot(undefined).connect();
    host.postMessage(INIT);
    const err = await until(() => got.find((m) => m.type === 'error'));
    expect(err).toMatchObject({ code: 'load_failed', message: expect.stringContaining('mountPlugin') });
  });

  it('MountThrows_SendsMountFailedWithMessageAtMost500Chars', async () => {
    const { host, got } = boot(() => { throw new Error(`boom ${'x'.repeat(2000)}`); }).connect();
    host.postMessage(INIT);
    const err = await until(() => got.find((m) => m.type === 'error'));
    expect(err.code).toBe('mount_failed');
    expect((err.message as string).length).toBeLessThanOrEqual(500);
    expect(document.querySelector('[role="alert"]')!.textContent).toContain('boom');
  });

  it('RuntimeErrors_AreReportedAtMostTenTimes', async () => {
    const { win, connect } = boot(() => undefined);
    const { got } = connect();
    for (let i = 0; i < 25; i++) win.dispatch('error', { error: new Error(`e${i}`), message: `e${i}` });
    win.dispatch('unhandledrejection', { reason: 'late' });
    await until(() => got.length >= 10 || undefined);
    await settle();
    expect(got).toHaveLength(10);
    expect(got[0]).toEqual({ type: 'error', code: 'runtime', message: 'Error: e0' });
  });

  it('HtmlEntry_ExposesWindowLabyrinthReady', async () => {
    const { win, connect } = boot(undefined, null);
    const labyrinth = (win as unknown as { labyrinth: { ready: Promise<import('../../../sdk/src/types.ts').CardContext> } }).labyrinth;
    expect(Object.isFrozen(labyrinth)).toBe(true);
    const { host, got } = connect();
    host.postMessage(INIT);
    const ctx = await labyrinth.ready;
    expect(ctx.props).toEqual({ name: 'Ada' });
    await until(() => got.find((m) => m.type === 'ready'));
    ctx.setPayload({ clicks: 1 });
    await until(() => got.find((m) => m.type === 'setPayload'));
  });

  it('SecondInit_IsIgnored', async () => {
    const mount = vi.fn<MountPlugin>(() => undefined);
    const { host, got } = boot(mount).connect();
    host.postMessage(INIT);
    host.postMessage({ ...INIT, props: { name: 'Mallory' } });
    await until(() => got.find((m) => m.type === 'ready'));
    await settle();
    expect(mount).toHaveBeenCalledTimes(1);
    expect(got.filter((m) => m.type === 'ready')).toHaveLength(1);
  });
});


describe('frame bootstrap: requests, events, grants, snapshots', () => {
  /** Mounts a card that hands its context to the test. */
  async function mounted(init: Record<string, unknown> = INIT, snapshot?: (maxBytes: number) => Promise<string | null>) {
    let card: CardContext | null = null;
    const { host, got } = boot((_t, _p, c) => { card = c; }, undefined, snapshot).connect();
    host.postMessage(init);
    await until(() => got.find((m) => m.type === 'ready'));
    return { host, got, card: card! as CardContext };
  }
  const last = (got: Record<string, unknown>[], type: string) => until(() => [...got].reverse().find((m) => m.type === type));

  it('Init_GrantedCapabilities_OnContext', async () => {
    const { card } = await mounted({ ...INIT, grantedCapabilities: ['fileRegistry:image', 7] });
    expect(card.grantedCapabilities).toEqual(['fileRegistry:image']);
  });

  it('RequestAsset_ResponseOk_ResolvesHandle', async () => {
    const { host, got, card } = await mounted();
    const pick = card.requestAsset('image');
    const req = await last(got, 'requestAsset');
    expect(req).toEqual({ type: 'requestAsset', id: expect.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), assetType: 'image' });
    host.postMessage({ type: 'response', id: req.id, ok: true, result: { token: 't', name: 'a.png', mediaType: 'image/png', bytes: 3 } });
    await expect(pick).resolves.toEqual({ token: 't', name: 'a.png', mediaType: 'image/png', bytes: 3 });
  });

  it('ReadAsset_ResponseError_RejectsCardBridgeErrorWithCode', async () => {
    const { host, got, card } = await mounted();
    const read = card.readAsset('lab_ast_x');
    const req = await last(got, 'readAsset');
    host.postMessage({ type: 'response', id: req.id, ok: false, error: { code: 'token_invalid', message: 'nope' } });
    await expect(read).rejects.toMatchObject({ name: 'CardBridgeError', code: 'token_invalid', message: 'nope' });
  });

  it('Response_SecondForSameId_Ignored', async () => {
    const { host, got, card } = await mounted();
    const read = card.readAsset('t');
    const req = await last(got, 'readAsset');
    host.postMessage({ type: 'response', id: req.id, ok: true, result: { mediaType: 'text/plain', name: 'a', data: new ArrayBuffer(2) } });
    host.postMessage({ type: 'response', id: req.id, ok: false, error: { code: 'revoked', message: 'x' } });
    await expect(read).resolves.toMatchObject({ name: 'a' });
  });

  it('Subscribe_Accepted_EventsReachThatSubscriptionWithSenderPluginAndTypeOnly', async () => {
    const { host, got, card } = await mounted();
    const seen: unknown[] = [];
    const subscribing = card.subscribe('timer:*:finished', (payload, e) => seen.push([payload, e]), { priority: 2 });
    const req = await last(got, 'subscribe');
    expect(req).toMatchObject({ topic: 'timer:*:finished', priority: 2 });
    host.postMessage({ type: 'response', id: req.id, ok: true, result: { topic: 'timer:*:finished' } });
    const off = await subscribing;
    host.postMessage({ type: 'event', sub: req.sub, id: 'm1', topic: 'timer:countdown:finished', payload: { n: 1 }, from: { pluginId: 'dev.t', typeID: 'timer', instanceId: 'w_leak' }, target: null, ts: 5 });
    host.postMessage({ type: 'event', sub: 'not-ours', id: 'm2', topic: 'chat:message:sent', payload: 2, from: { pluginId: 'dev.c', typeID: 'chat' }, target: null, ts: 6 });
    await until(() => seen.length === 1 || undefined);
    await settle();
    expect(seen).toEqual([[{ n: 1 }, { topic: 'timer:countdown:finished', from: { pluginId: 'dev.t', typeID: 'timer' }, id: 'm1', timestamp: 5, target: null }]]);
    off();
    expect(await last(got, 'unsubscribe')).toEqual({ type: 'unsubscribe', sub: req.sub });
  });

  it('Respond_EventWithRid_HandlerAnswerIsTheReply', async () => {
    const { host, got, card } = await mounted();
    const responding = card.respond('math:*:evaluate', (payload) => ({ doubled: (payload as { n: number }).n * 2 }));
    const req = await last(got, 'subscribe');
    expect(req).toMatchObject({ topic: 'math:*:evaluate', responds: true });
    host.postMessage({ type: 'response', id: req.id, ok: true, result: { topic: 'math:*:evaluate' } });
    await responding;
    host.postMessage({ type: 'event', sub: req.sub, rid: 'q1', id: 'q1', topic: 'math:expr:evaluate', payload: { n: 3 }, from: { pluginId: 'dev.t', typeID: 't' }, target: null, ts: 1 });
    expect(await last(got, 'reply')).toEqual({ type: 'reply', rid: 'q1', ok: true, result: { doubled: 6 } });
  });

  it('Respond_HandlerThrows_ReplyCarriesTheMessage', async () => {
    const { host, got, card } = await mounted();
    const responding = card.respond('math:*:evaluate', () => { throw new Error('no way'); });
    const req = await last(got, 'subscribe');
    host.postMessage({ type: 'response', id: req.id, ok: true, result: {} });
    await responding;
    host.postMessage({ type: 'event', sub: req.sub, rid: 'q2', id: 'q2', topic: 'math:expr:evaluate', payload: null, from: { pluginId: 'dev.t', typeID: 't' }, target: null, ts: 1 });
    expect(await last(got, 'reply')).toEqual({ type: 'reply', rid: 'q2', ok: false, error: { message: 'no way' } });
  });

  it('Request_ResolvesTheResponseResult', async () => {
    const { host, got, card } = await mounted();
    const asking = card.request('math:expr:evaluate', { n: 1 }, { timeout: 1500, target: 'dev.labyrinth.math' });
    const req = await last(got, 'request');
    expect(req).toMatchObject({ topic: 'math:expr:evaluate', payload: { n: 1 }, timeoutMs: 1500, target: 'dev.labyrinth.math' });
    host.postMessage({ type: 'response', id: req.id, ok: false, error: { code: 'bus.no_responder', message: 'nobody' } });
    await expect(asking).rejects.toMatchObject({ code: 'bus.no_responder' });
  });

  it('Subscribe_Refused_RejectsWithCode', async () => {
    const { host, got, card } = await mounted();
    const subscribing = card.subscribe('timer:*:finished', () => {});
    const req = await last(got, 'subscribe');
    host.postMessage({ type: 'response', id: req.id, ok: false, error: { code: 'not_granted', message: 'm' } });
    await expect(subscribing).rejects.toMatchObject({ code: 'not_granted' });
  });

  it('Publish_SendsTopicAndPayload', async () => {
    const { got, card } = await mounted();
    card.publish('timer:countdown:finished', { label: 'Tea' });
    expect(await last(got, 'publish')).toEqual({ type: 'publish', topic: 'timer:countdown:finished', payload: { label: 'Tea' } });
  });

  it('RequestNetwork_Chunks_ReachOnChunkThenResolves', async () => {
    const { host, got, card } = await mounted();
    const chunks: string[] = [];
    const res = card.requestNetwork('openai', { method: 'POST', path: '/chat/completions', stream: true }, { onChunk: (d) => chunks.push(d) });
    const req = await last(got, 'requestNetwork');
    host.postMessage({ type: 'networkChunk', id: req.id, data: 'data: a' });
    host.postMessage({ type: 'networkChunk', id: req.id, data: 'data: b' });
    host.postMessage({ type: 'response', id: req.id, ok: true, result: { status: 200, headers: {}, bytes: 14 } });
    await expect(res).resolves.toEqual({ status: 200, headers: {}, bytes: 14 });
    expect(chunks).toEqual(['data: a', 'data: b']);
  });

  it('RequestNetwork_Aborted_SendsCancelRequestAndRejectsCancelled', async () => {
    const { got, card } = await mounted();
    const stop = new AbortController();
    const res = card.requestNetwork('openai', { method: 'GET', path: '/models' }, { signal: stop.signal });
    const req = await last(got, 'requestNetwork');
    stop.abort();
    await expect(res).rejects.toMatchObject({ code: 'cancelled' });
    expect(await last(got, 'cancelRequest')).toEqual({ type: 'cancelRequest', id: req.id });
  });

  it('Call_HostAnswersNotSupported_Rejects', async () => {
    const { host, got, card } = await mounted();
    const res = card.call('dev.labyrinth.math', 'solve', { x: 1 });
    const req = await last(got, 'call');
    host.postMessage({ type: 'response', id: req.id, ok: false, error: { code: 'not_supported', message: 'no' } });
    await expect(res).rejects.toMatchObject({ code: 'not_supported' });
  });

  it('ExportRequested_SendsKindAndData', async () => {
    const { got, card } = await mounted();
    card.exportRequested('csv', { rows: 2 });
    expect(await last(got, 'exportRequested')).toEqual({ type: 'exportRequested', kind: 'csv', data: { rows: 2 } });
  });

  it('GrantsChanged_UpdatesContextAndCallsListeners', async () => {
    const { host, card } = await mounted({ ...INIT, grantedCapabilities: ['crossCard:pubsub'] });
    const seen: unknown[] = [];
    card.onGrantsChanged((c) => seen.push(c));
    host.postMessage({ type: 'grantsChanged', capabilities: ['network:openai'] });
    await until(() => seen.length === 1 || undefined);
    expect(seen).toEqual([['network:openai']]);
    expect(card.grantedCapabilities).toEqual(['network:openai']);
  });

  it('PushAsset_ValidHandle_ListenerGetsFrozenHandle', async () => {
    const { host, card } = await mounted();
    const seen: unknown[] = [];
    card.onAssetPushed((a) => seen.push(a));
    host.postMessage({ type: 'pushAsset', asset: { token: 'lab_ast_1', name: 'cat.png', mediaType: 'image/png', bytes: 67, extra: 'dropped' } });
    await until(() => seen.length === 1 || undefined);
    expect(seen).toEqual([{ token: 'lab_ast_1', name: 'cat.png', mediaType: 'image/png', bytes: 67 }]);
    expect(Object.isFrozen(seen[0])).toBe(true);
  });

  it('PushAsset_MalformedHandles_NeverReachListener', async () => {
    const { host, card } = await mounted();
    const seen: { token: string }[] = [];
    card.onAssetPushed((a) => seen.push(a));
    const ok = { token: 'lab_ast_ok', name: 'a.png', mediaType: 'image/png', bytes: 1 };
    for (const asset of [
      undefined, null, 'lab_ast_x', [ok],
      { ...ok, token: 7 }, { ...ok, token: '' }, { ...ok, token: 'x'.repeat(201) },
      { ...ok, name: undefined }, { ...ok, mediaType: 5 },
      { ...ok, bytes: '1' }, { ...ok, bytes: Infinity }, { ...ok, bytes: NaN }, { ...ok, bytes: -1 },
    ]) host.postMessage({ type: 'pushAsset', asset });
    // Port messages arrive in order: once the valid one is seen, every malformed one was handled.
    host.postMessage({ type: 'pushAsset', asset: { ...ok, token: 'x'.repeat(200) } });
    await until(() => seen.length > 0 || undefined);
    expect(seen.map((a) => a.token)).toEqual(['x'.repeat(200)]);
  });

  it('PushAsset_AfterUnsubscribe_ListenerNotCalled', async () => {
    const { host, card } = await mounted();
    const gone: unknown[] = [];
    const kept: unknown[] = [];
    card.onAssetPushed((a) => gone.push(a))();
    card.onAssetPushed((a) => kept.push(a));
    host.postMessage({ type: 'pushAsset', asset: { token: 't', name: 'n', mediaType: 'image/png', bytes: 0 } });
    await until(() => kept.length === 1 || undefined);
    expect(gone).toEqual([]);
  });

  const selection = (id: string, over: Record<string, unknown> = {}) => ({
    id, width: 20, height: 10, createdAt: '2026-12-05T10:00:00Z',
    strokes: [{ points: [[0, 0, 0.5], [20, 10, 0.7]], color: '#111', width: 2 }],
    image: { mediaType: 'image/png', data: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]).buffer },
    ...over,
  });

  it('PushSelectionSnapshot_Valid_TransferredPngReachesListenerAndContext', async () => {
    const { host, card } = await mounted();
    const seen: { id: string; bytes: number }[] = [];
    card.onSelection((s) => seen.push({ id: s!.id, bytes: s!.image.data.byteLength }));
    const msg = selection('sel_ok');
    host.postMessage({ type: 'pushSelectionSnapshot', selection: msg }, [msg.image.data]);
    await until(() => seen.length === 1 || undefined);
    expect(seen).toEqual([{ id: 'sel_ok', bytes: 9 }]);
    expect(card.selection?.strokes[0]?.points).toEqual([[0, 0, 0.5], [20, 10, 0.7]]);
  });

  it('PushSelectionSnapshot_Malformed_NeverReachesCard', async () => {
    const { host, card } = await mounted();
    const seen: string[] = [];
    card.onSelection((s) => seen.push(s!.id));
    for (const bad of [
      null, selection('a', { strokes: [{ points: [[0, Infinity, 0]], color: '#111', width: 1 }] }),
      selection('b', { image: { mediaType: 'image/png', data: 'iVBORw0KGgo=' } }),
      selection('c', { image: { mediaType: 'image/svg+xml', data: new ArrayBuffer(16) } }),
      selection('d', { strokes: [{ points: new Array(50_001).fill([1, 1, 1]), color: '#111', width: 1 }] }),
    ]) host.postMessage({ type: 'pushSelectionSnapshot', selection: bad });
    host.postMessage({ type: 'pushSelectionSnapshot', selection: selection('last') });
    await until(() => seen.length > 0 || undefined);
    expect(seen).toEqual(['last']);
  });

  it('SelectionRevoked_HeldShare_ListenerGetsNullAndSelectionCleared', async () => {
    const { host, card } = await mounted();
    const seen: (string | null)[] = [];
    card.onSelection((s) => seen.push(s?.id ?? null));
    host.postMessage({ type: 'pushSelectionSnapshot', selection: selection('sel_ok') });
    host.postMessage({ type: 'selectionRevoked', id: 'sel_ok' });
    await until(() => seen.length === 2 || undefined);
    expect(seen).toEqual(['sel_ok', null]);
    expect(card.selection).toBeNull();
  });

  it('SelectionRevoked_MalformedOrOtherId_NeverReachesCard', async () => {
    const { host, card } = await mounted();
    const seen: (string | null)[] = [];
    card.onSelection((s) => seen.push(s?.id ?? null));
    host.postMessage({ type: 'pushSelectionSnapshot', selection: selection('sel_ok') });
    for (const id of [undefined, 7, '', 'x'.repeat(201), ['sel_ok'], 'sel_other']) host.postMessage({ type: 'selectionRevoked', id });
    // Port messages arrive in order: once the last push is seen, every revoke before it was handled.
    host.postMessage({ type: 'pushSelectionSnapshot', selection: selection('last') });
    await until(() => seen.length === 2 || undefined);
    expect(seen).toEqual(['sel_ok', 'last']);
  });

  it('CaptureSnapshot_RasteriserSucceeds_AnswersSnapshotWithSameId', async () => {
    const shot = vi.fn(async () => 'data:image/webp;base64,UklGRg==');
    const { host, got } = await mounted(INIT, shot);
    host.postMessage({ type: 'captureSnapshot', id: 'snap_1', maxBytes: 200_000 });
    expect(await last(got, 'snapshot')).toEqual({ type: 'snapshot', id: 'snap_1', dataUrl: 'data:image/webp;base64,UklGRg==' });
    expect(shot).toHaveBeenCalledWith(200_000);
  });

  it('CaptureSnapshot_RasteriserFails_AnswersNothing', async () => {
    const { host, got } = await mounted(INIT, async () => { throw new Error('tainted'); });
    host.postMessage({ type: 'captureSnapshot', id: 'snap_1', maxBytes: 200_000 });
    host.postMessage({ type: 'ping', seq: 9 });
    await until(() => got.find((m) => m.type === 'pong'));
    await settle();
    expect(got.find((m) => m.type === 'snapshot')).toBeUndefined();
  });

  it('CaptureSnapshot_HostAsksForMoreThan200KB_CappedAt200KB', async () => {
    const shot = vi.fn(async () => null);
    const { host } = await mounted(INIT, shot);
    host.postMessage({ type: 'captureSnapshot', id: 'snap_1', maxBytes: 10_000_000 });
    await until(() => shot.mock.calls.length > 0 || undefined);
    expect(shot).toHaveBeenCalledWith(200_000);
  });
});
