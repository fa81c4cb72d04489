import { describe, expect, it, vi } from 'vitest';
import { BridgeError } from '../bridge/card-host';
import type { BusDelivery, BusMemberInfo, BusRelay, RelayAck, RelayEvents } from './types';
import { BusRequestError, REPORT_INTERVAL_MS, WorkspaceBus } from './workspace-bus';

const card = (windowId: string) => ({ kind: 'card' as const, boardId: 'b1', windowId });

function member(pluginId: string, topics: BusMemberInfo['topics'], granted = true) {
  const got: BusDelivery[] = [];
  const state = { granted };
  const info: BusMemberInfo = { pluginId, typeID: pluginId.split('.').at(-1)!, topics, granted: () => state.granted, deliver: (d) => got.push(d) };
  return { info, got, state };
}

/** A relay that records what the page sends and lets the test play the server. */
function fakeRelay(connected = true) {
  let events!: RelayEvents;
  const sent: { method: string; args: unknown[] }[] = [];
  const acks: RelayAck[] = [];
  const relay: BusRelay = {
    connected,
    join: async (...args) => { sent.push({ method: 'join', args }); return { ok: true }; },
    leave: (...args) => sent.push({ method: 'leave', args }),
    subscribe: async (...args) => { sent.push({ method: 'subscribe', args }); return { ok: true }; },
    unsubscribe: (...args) => sent.push({ method: 'unsubscribe', args }),
    publish: (...args) => sent.push({ method: 'publish', args }),
    request: async (...args) => { sent.push({ method: 'request', args }); return acks.shift() ?? { ok: true }; },
    reply: (...args) => sent.push({ method: 'reply', args }),
    history: async () => ({ ok: true, messages: [] }),
    report: (...args) => sent.push({ method: 'report', args }),
    call: async (...args) => { sent.push({ method: 'call', args }); return acks.shift() ?? { ok: true }; },
    answer: (...args) => sent.push({ method: 'answer', args }),
    log: (...args) => sent.push({ method: 'log', args }),
  };
  return { factory: (e: RelayEvents) => { events = e; return relay; }, sent, acks, get events() { return events; } };
}

function setup(relay?: ReturnType<typeof fakeRelay>) {
  let t = 0;
  const bus = new WorkspaceBus({ relay: relay?.factory, now: () => t });
  const pub = member('dev.timer', { publish: ['timer:countdown:finished'] });
  const sub = member('dev.board', { subscribe: ['timer:*:finished'], publish: ['board:item:moved'] });
  const pubA = bus.attach(card('w_pub'), pub.info);
  const subA = bus.attach(card('w_sub'), sub.info);
  return { bus, pub, sub, pubA, subA, advance: (ms: number) => (t += ms) };
}

describe('WorkspaceBus, within a tab', () => {
  it('Publish_SubscribedDeclaredGranted_DeliveredToTheSubscriptionWithSenderPluginAndType', async () => {
    const { pubA, subA, sub } = setup();
    await expect(subA.subscribe('c1', 'timer:*:finished', {})).resolves.toEqual({ ok: true });

    expect(pubA.publish('timer:countdown:finished', { label: 'Tea' }, 20, null, 0)).toEqual({ ok: true });

    expect(sub.got).toHaveLength(1);
    expect(sub.got[0]).toMatchObject({ sub: 'c1', topic: 'timer:countdown:finished', payload: { label: 'Tea' }, from: { pluginId: 'dev.timer', typeID: 'timer' }, target: null });
  });

  it('Publish_TopicNotDeclaredBySender_RefusedAndNotDelivered', () => {
    const { pubA, subA, sub } = setup();
    subA.subscribe('c1', 'timer:*:finished', {});
    expect(pubA.publish('timer:egg:finished', 1, 1, null, 0)).toEqual({ ok: false, code: 'topic_not_declared' });
    expect(sub.got).toHaveLength(0);
  });

  it('Publish_SenderNotGranted_RefusedAndAsksOnce', () => {
    const bus = new WorkspaceBus();
    const pub = member('dev.timer', { publish: ['timer:countdown:finished'] }, false);
    const ask = vi.fn();
    const a = bus.attach(card('w'), pub.info, ask);
    expect(a.publish('timer:countdown:finished', 1, 1, null, 0)).toEqual({ ok: false, code: 'not_granted' });
    expect(ask).toHaveBeenCalledOnce();
  });

  it('Publish_ReceiverRevokedAfterSubscribing_NotDelivered', () => {
    const { pubA, subA, sub } = setup();
    subA.subscribe('c1', 'timer:*:finished', {});
    sub.state.granted = false;
    pubA.publish('timer:countdown:finished', 1, 1, null, 0);
    expect(sub.got).toHaveLength(0);
  });

  it('Subscribe_OutsideDeclared_TopicNotDeclared', async () => {
    const { subA } = setup();
    await expect(subA.subscribe('c1', 'timer:*:*', {})).resolves.toEqual({ ok: false, code: 'topic_not_declared' });
    await expect(subA.subscribe('c2', '(', {})).resolves.toEqual({ ok: false, code: 'topic_not_declared' });
  });

  it('Publish_PayloadOver64KiB_TooLarge', () => {
    const { pubA } = setup();
    expect(pubA.publish('timer:countdown:finished', 'x', 64 * 1024 + 1, null, 0)).toEqual({ ok: false, code: 'too_large' });
  });

  it('Publish_FloodBeyondThePluginsBurst_RateLimitedAcrossItsCards', () => {
    const bus = new WorkspaceBus({ now: () => 0 });
    const a = bus.attach(card('w1'), member('dev.timer', { publish: ['timer:countdown:finished'] }).info);
    const b = bus.attach(card('w2'), member('dev.timer', { publish: ['timer:countdown:finished'] }).info);
    const outcomes = Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).publish('timer:countdown:finished', i, 1, null, 0));
    // Burst 100 per plugin, shared by both cards of it.
    expect(outcomes.filter((o) => o.ok)).toHaveLength(100);
    expect(outcomes.at(-1)).toEqual({ ok: false, code: 'rate_limited' });
  });

  it('Publish_Targeted_OnlyThatPluginsMembers', () => {
    const { bus, pubA, subA, sub } = setup();
    const other = member('dev.other', { subscribe: ['timer:*:*'] });
    bus.attach(card('w_o'), other.info).subscribe('o1', 'timer:*:*', {});
    subA.subscribe('c1', 'timer:*:finished', {});
    pubA.publish('timer:countdown:finished', 1, 1, 'dev.other', 0);
    expect(sub.got).toHaveLength(0);
    expect(other.got).toHaveLength(1);
  });

  it('Subscribe_OnceAndPriority_DeliveredInPriorityOrderThenOnceIsGone', () => {
    const { bus, pubA, subA, sub } = setup();
    const order: string[] = [];
    const high = member('dev.high', { subscribe: ['timer:*:*'] });
    high.info.deliver = (d) => order.push(`high:${d.sub}`);
    sub.info.deliver = (d) => order.push(`board:${d.sub}`);
    const hi = bus.attach(card('w_h'), high.info);
    subA.subscribe('low', 'timer:*:finished', { priority: -1 });
    hi.subscribe('once', 'timer:*:*', { priority: 5, once: true });
    pubA.publish('timer:countdown:finished', 1, 1, null, 0);
    pubA.publish('timer:countdown:finished', 2, 1, null, 0);
    expect(order).toEqual(['high:once', 'board:low', 'board:low']);
  });

  it('Leave_ClosedCard_NoLongerReceives', () => {
    const { pubA, subA, sub } = setup();
    subA.subscribe('c1', 'timer:*:finished', {});
    subA.leave();
    pubA.publish('timer:countdown:finished', 1, 1, null, 0);
    expect(sub.got).toHaveLength(0);
  });

  it('Request_OfflineWithAResponderInTheTab_AnsweredByIt', async () => {
    const { pubA, subA, sub } = setup();
    subA.subscribe('r1', 'timer:*:finished', { responds: true });
    const answer = pubA.request('timer:countdown:finished', { n: 2 }, 8, null, 1000, 0);
    const d = sub.got[0]!;
    expect(d.rid).toBeDefined();
    subA.reply(d.rid!, { ok: true, result: { n: 4 }, bytes: 7 });
    await expect(answer).resolves.toEqual({ n: 4 });
  });

  it('Request_NoResponder_RejectsBusNoResponder', async () => {
    const { pubA } = setup();
    await expect(pubA.request('timer:countdown:finished', null, 4, null, 1000, 0)).rejects.toMatchObject({ code: 'bus.no_responder' });
  });

  it('Request_ResponderNeverAnswers_RejectsBusTimeout', async () => {
    vi.useFakeTimers();
    try {
      const { pubA, subA } = setup();
      subA.subscribe('r1', 'timer:*:finished', { responds: true });
      const answer = pubA.request('timer:countdown:finished', null, 4, null, 200, 0);
      vi.advanceTimersByTime(200);
      await expect(answer).rejects.toBeInstanceOf(BusRequestError);
      await expect(answer).rejects.toMatchObject({ code: 'bus.timeout' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('Request_ResponderThrows_RejectsResponderFailedWithItsMessage', async () => {
    const { pubA, subA, sub } = setup();
    subA.subscribe('r1', 'timer:*:finished', { responds: true });
    const answer = pubA.request('timer:countdown:finished', null, 4, null, 1000, 0);
    subA.reply(sub.got[0]!.rid!, { ok: false, message: 'division by zero' });
    await expect(answer).rejects.toMatchObject({ code: 'bus.responder_failed', message: 'division by zero' });
  });

  it('Request_UndeclaredTopic_RejectsTopicNotDeclared', async () => {
    const { subA } = setup();
    await expect(subA.request('timer:countdown:finished', null, 4, null, 1000, 0)).rejects.toBeInstanceOf(BridgeError);
  });

  it('History_Offline_OnlyWhatTheReaderMaySubscribeTo', async () => {
    const { bus, pubA, subA } = setup();
    const other = member('dev.other', { publish: ['other:thing:done'] });
    bus.attach(card('w_o'), other.info).publish('other:thing:done', 'hidden', 8, null, 0);
    pubA.publish('timer:countdown:finished', 'seen', 6, null, 0);
    const messages = await subA.history('*:*:*', 100);
    expect(messages.map((m) => m.payload)).toEqual(['seen']);
  });
});

describe('WorkspaceBus, relayed to the person\'s other tabs', () => {
  it('Attach_Connected_JoinsAndMirrorsSubscriptionsAndPublishes', async () => {
    const relay = fakeRelay();
    const { pubA, subA } = setup(relay);
    await subA.subscribe('c1', 'timer:*:finished', { priority: 3 });
    pubA.publish('timer:countdown:finished', 1, 1, null, 0);
    expect(relay.sent.map((s) => s.method)).toEqual(['join', 'join', 'subscribe', 'publish']);
    expect(relay.sent[2]!.args[1]).toMatchObject({ pattern: 'timer:*:finished', priority: 3, once: false, responds: false });
  });

  it('RelayedEvent_ForAKnownSubscription_DeliveredToItsCard', async () => {
    const relay = fakeRelay();
    const { subA, sub } = setup(relay);
    await subA.subscribe('c1', 'timer:*:finished', {});
    const pageSub = (relay.sent.find((s) => s.method === 'subscribe')!.args[1] as { sub: string }).sub;
    relay.events.onEvent({ subs: [pageSub, 'unknown'], id: 'm9', topic: 'timer:countdown:finished', payload: 1, from: { pluginId: 'dev.timer', typeID: 'timer' }, target: null, ts: 5 });
    expect(sub.got).toEqual([expect.objectContaining({ sub: 'c1', id: 'm9', from: { pluginId: 'dev.timer', typeID: 'timer' } })]);
  });

  it('Request_Connected_GoesThroughTheServerAndTheRelayedReplyAnswersIt', async () => {
    const relay = fakeRelay();
    const { pubA } = setup(relay);
    const answer = pubA.request('timer:countdown:finished', { n: 1 }, 7, null, 1000, 0);
    await Promise.resolve();
    const sent = relay.sent.find((s) => s.method === 'request')!;
    const [handle, msg] = sent.args as [string, { id: string }];
    relay.events.onReply({ member: handle, id: msg.id, ok: true, result: 'two' });
    await expect(answer).resolves.toBe('two');
  });

  it('Request_ServerSaysNoResponder_RejectsBusNoResponder', async () => {
    const relay = fakeRelay();
    relay.acks.push({ ok: false, code: 'bus.no_responder', message: 'No open card answers it.' });
    const { pubA } = setup(relay);
    await expect(pubA.request('timer:countdown:finished', null, 4, null, 1000, 0)).rejects.toMatchObject({ code: 'bus.no_responder' });
  });

  it('RelayedRequest_ToOurResponder_RepliesThroughTheServer', async () => {
    const relay = fakeRelay();
    const { subA, sub } = setup(relay);
    await subA.subscribe('r1', 'timer:*:finished', { responds: true });
    const s = relay.sent.find((x) => x.method === 'subscribe')!;
    const [handle, { sub: pageSub }] = s.args as [string, { sub: string }];
    relay.events.onRequest({ member: handle, sub: pageSub, rid: 'q7', topic: 'timer:countdown:finished', payload: 3, from: { pluginId: 'dev.timer', typeID: 'timer' } });
    expect(sub.got[0]).toMatchObject({ sub: 'r1', rid: 'q7', payload: 3 });
    subA.reply('q7', { ok: true, result: 9, bytes: 1 });
    expect(relay.sent.at(-1)).toEqual({ method: 'reply', args: [handle, { rid: 'q7', ok: true, result: 9 }] });
  });

  it('Reply_ToARequestItWasNotGiven_Ignored', () => {
    const relay = fakeRelay();
    const { subA } = setup(relay);
    subA.reply('q-forged', { ok: true, result: 1, bytes: 1 });
    expect(relay.sent.some((s) => s.method === 'reply')).toBe(false);
  });

  it('Refusals_AreReportedToTheHostInBatches', () => {
    vi.useFakeTimers();
    try {
      const relay = fakeRelay();
      const { pubA } = setup(relay);
      for (let i = 0; i < 3; i++) pubA.publish('timer:egg:finished', 1, 1, null, 0);
      expect(relay.sent.some((s) => s.method === 'report')).toBe(false);
      vi.advanceTimersByTime(REPORT_INTERVAL_MS);
      expect(relay.sent.filter((s) => s.method === 'report').map((s) => s.args.slice(1))).toEqual([['topic_not_declared', 3]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('Publish_WhileTheConnectionStarts_IsRelayedInOrderOnceConnected', () => {
    const relay = fakeRelay(false);
    const { pubA } = setup(relay);
    pubA.publish('timer:countdown:finished', 1, 1, null, 0);
    pubA.publish('timer:countdown:finished', 2, 1, null, 0);
    expect(relay.sent.some((s) => s.method === 'publish')).toBe(false);
    (relay as unknown as { connected: boolean }).connected = true;
    relay.events.onConnected();
    const sent = relay.sent.map((s) => s.method);
    expect(sent.filter((m) => m === 'publish')).toHaveLength(2);
    // Joins first: the host must know the member before its publishes.
    expect(sent.indexOf('join')).toBeLessThan(sent.indexOf('publish'));
    expect(relay.sent.filter((s) => s.method === 'publish').map((s) => (s.args[1] as { payload: number }).payload)).toEqual([1, 2]);
  });

  it('Subscribe_Connected_ResolvesOnlyAfterTheServerHasIt', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const r = relayWithSlowSubscribe(fakeRelay(), gate);
    let resolved = false;
    const done = r.subA.subscribe('c1', 'timer:*:finished', {}).then(() => { resolved = true; });
    await Promise.resolve();
    await Promise.resolve();
    expect(resolved).toBe(false);
    release();
    await done;
    expect(resolved).toBe(true);
  });

  it('Reconnected_RejoinsEveryMemberAndSubscription', async () => {
    const relay = fakeRelay();
    const { subA } = setup(relay);
    await subA.subscribe('c1', 'timer:*:finished', {});
    relay.sent.length = 0;
    relay.events.onConnected();
    await Promise.resolve();
    await Promise.resolve();
    expect(relay.sent.map((s) => s.method).sort()).toEqual(['join', 'join', 'subscribe']);
  });
});

/** A bus whose relay holds every Subscribe until `gate` opens (to see when subscribe resolves). */
function relayWithSlowSubscribe(base: ReturnType<typeof fakeRelay>, gate: Promise<void>) {
  const bus = new WorkspaceBus({
    relay: (e) => {
      const r = base.factory(e);
      return { ...r, connected: true, subscribe: async (...args: Parameters<BusRelay['subscribe']>) => { await gate; return r.subscribe(...args); } };
    },
  });
  const sub = member('dev.board', { subscribe: ['timer:*:finished'] });
  return { bus, subA: bus.attach(card('w_sub'), sub.info) };
}

describe('WorkspaceBus, plugin API calls', () => {
  const service = { kind: 'service' as const, pluginId: 'dev.clock', version: '1.0.0', serviceId: 'main' };

  it('Call_AcceptedByTheHost_ResolvesTheRelayedReply', async () => {
    const relay = fakeRelay();
    const { subA } = setup(relay);
    const result = subA.call('dev.clock', 'add', { a: 1 }, null);
    await Promise.resolve();
    const sent = relay.sent.find((m) => m.method === 'call')!;
    const [handle, call] = sent.args as [string, { id: string; timeoutMs: number }];
    expect(call).toMatchObject({ pluginId: 'dev.clock', method: 'add', input: { a: 1 }, timeoutMs: 5000 });
    relay.events.onCallReply({ member: handle, id: call.id, ok: true, result: { sum: 2 } });
    await expect(result).resolves.toEqual({ sum: 2 });
  });

  it('Call_RefusedByTheHost_RejectsWithItsCodeAndPointers', async () => {
    const relay = fakeRelay();
    const { subA } = setup(relay);
    relay.acks.push({ ok: false, code: 'api.invalid_input', message: 'bad', problems: [{ pointer: '/a', message: 'must be a number' }] });
    await expect(subA.call('dev.clock', 'add', { a: 'x' }, null)).rejects.toMatchObject({ code: 'api.invalid_input', problems: [{ pointer: '/a' }] });
  });

  it('CallReply_ForAnotherMember_IsIgnored', async () => {
    const relay = fakeRelay();
    const { subA, pubA } = setup(relay);
    const result = subA.call('dev.clock', 'add', 1, 100);
    void pubA;
    await Promise.resolve();
    const [, call] = relay.sent.find((m) => m.method === 'call')!.args as [string, { id: string }];
    relay.events.onCallReply({ member: 'someone-else', id: call.id, ok: true, result: 'forged' });
    relay.events.onCallReply({ member: (relay.sent.find((m) => m.method === 'call')!.args[0] as string), id: call.id, ok: false, error: { code: 'api.timeout', message: 't' } });
    await expect(result).rejects.toMatchObject({ code: 'api.timeout' });
  });

  it('Call_WithoutAConnection_IsProviderUnavailable', async () => {
    const { subA } = setup(fakeRelay(false));
    await expect(subA.call('dev.clock', 'add', 1, null)).rejects.toMatchObject({ code: 'api.provider_unavailable' });
  });

  it('ApiCall_ForAServiceMember_ReachesItAndItsAnswerGoesBack', async () => {
    const relay = fakeRelay();
    const bus = new WorkspaceBus({ relay: relay.factory });
    const calls: unknown[] = [];
    const info: BusMemberInfo = { pluginId: 'dev.clock', typeID: 'service:main', topics: {}, granted: () => false, deliver: () => {}, onApiCall: (c) => calls.push(c) };
    const svc = bus.attach(service, info);
    await expect(svc.joined(1000)).resolves.toBe(true);
    const handle = (relay.sent.find((m) => m.method === 'join')!.args[0]) as string;

    relay.events.onApiCall({ member: handle, cid: 'c9', method: 'add', input: { a: 1 }, caller: 'dev.world' });
    svc.answer('c9', { ok: true, result: { sum: 1 } });

    expect(calls).toEqual([{ member: handle, cid: 'c9', method: 'add', input: { a: 1 }, caller: 'dev.world' }]);
    expect(relay.sent.at(-1)).toEqual({ method: 'answer', args: [handle, { cid: 'c9', ok: true, result: { sum: 1 } }] });
  });

  it('ApiCall_ForAMemberThatIsNoService_IsAnsweredFailed', () => {
    const relay = fakeRelay();
    const { subA } = setup(relay);
    void subA;
    const handle = relay.sent.find((m) => m.method === 'join')!.args[0] as string;
    relay.events.onApiCall({ member: handle, cid: 'c1', method: 'add', input: 1, caller: 'dev.x' });
    expect(relay.sent.at(-1)).toMatchObject({ method: 'answer', args: [handle, { cid: 'c1', ok: false }] });
  });

  it('ServiceControl_GoesToTheRegisteredHandler', () => {
    const relay = fakeRelay();
    const bus = new WorkspaceBus({ relay: relay.factory });
    const got: unknown[] = [];
    bus.onServiceControl = (c) => got.push(c);
    relay.events.onServiceControl({ pluginId: 'dev.clock', serviceId: 'main', action: 'stop' });
    expect(got).toEqual([{ pluginId: 'dev.clock', serviceId: 'main', action: 'stop' }]);
  });
});

describe('WorkspaceBus, waking a target plugin', () => {
  it('Publish_ToATargetWhoseServiceIsStarting_IsDeliveredOnceItListens', async () => {
    const { bus, pubA, sub } = setup();
    let started!: () => void;
    const woken: string[] = [];
    bus.wakeTarget = (target, topic) => {
      woken.push(`${target} ${topic}`);
      // The service subscribes while it starts, then is ready.
      return new Promise<void>((resolve) => (started = resolve));
    };
    const service = bus.attach({ kind: 'service', pluginId: 'dev.board', version: '1.0.0', serviceId: 'main' }, sub.info);

    expect(pubA.publish('timer:countdown:finished', { n: 1 }, 10, 'dev.board', 0)).toEqual({ ok: true });
    await service.subscribe('s1', 'timer:*:finished', {});
    started();

    await vi.waitFor(() => expect(sub.got).toHaveLength(1));
    expect(woken).toEqual(['dev.board timer:countdown:finished']);
    expect(sub.got[0]).toMatchObject({ sub: 's1', target: 'dev.board' });
  });

  it('Publish_WithoutATarget_NeverWakesAnything', () => {
    const { bus, pubA } = setup();
    const wake = vi.fn(() => null);
    bus.wakeTarget = wake;
    pubA.publish('timer:countdown:finished', 1, 1, null, 0);
    expect(wake).not.toHaveBeenCalled();
  });

  it('Request_ToATargetWhoseServiceIsStarting_WaitsForItAndIsAnswered', async () => {
    const bus = new WorkspaceBus({ now: () => 0 });
    const asker = member('dev.asker', { publish: ['clock:time:asked'] });
    const clock = member('dev.clock', { subscribe: ['clock:*:asked'] });
    const askerA = bus.attach(card('w_a'), asker.info);
    let started!: () => void;
    bus.wakeTarget = () => new Promise<void>((resolve) => (started = resolve));
    const service = bus.attach({ kind: 'service', pluginId: 'dev.clock', version: '1.0.0', serviceId: 'main' }, clock.info);

    const answer = askerA.request('clock:time:asked', {}, 2, 'dev.clock', 1000, 0);
    await service.subscribe('r1', 'clock:*:asked', { responds: true });
    started();
    await vi.waitFor(() => expect(clock.got).toHaveLength(1));
    service.reply(clock.got[0]!.rid!, { ok: true, result: { now: 42 }, bytes: 10 });

    await expect(answer).resolves.toEqual({ now: 42 });
  });
});
