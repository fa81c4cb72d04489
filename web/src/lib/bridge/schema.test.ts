import { describe, expect, it } from 'vitest';
import { MessageGuard } from './guard';
import { DEFAULT_BRIDGE_LIMITS } from './limits';
import { exceedsJsonBudget, maxSnapshotChars, utf8Length, validateCardMessage } from './schema';

const MAX_MESSAGE_BYTES = DEFAULT_BRIDGE_LIMITS.maxMessageBytes;
const MAX_PAYLOAD_BYTES = DEFAULT_BRIDGE_LIMITS.maxPayloadBytes;
const MAX_SNAPSHOT_CHARS = maxSnapshotChars(DEFAULT_BRIDGE_LIMITS);
import { TokenBucket } from './token-bucket';

const reason = (d: unknown) => {
  const r = validateCardMessage(d);
  return r.ok ? 'ok' : r.reason;
};

describe('validateCardMessage', () => {
  it('validateCardMessage_AllowedShapes_Accepted', () => {
    expect(reason({ type: 'ready', loadMs: 12.5 })).toBe('ok');
    expect(reason({ type: 'setPayload', payload: { a: [1, 2] } })).toBe('ok');
    expect(reason({ type: 'setPayload', payload: null })).toBe('ok');
    expect(reason({ type: 'sizePreferenceChanged', width: 300, height: 200 })).toBe('ok');
    expect(reason({ type: 'interactionEvent', name: 'click', detail: { x: 1 } })).toBe('ok');
    expect(reason({ type: 'error', code: 'runtime', message: 'boom' })).toBe('ok');
    expect(reason({ type: 'pong', seq: 3 })).toBe('ok');
  });

  it('validateCardMessage_NonObject_Rejected', () => {
    for (const d of [null, 1, 'ready', [{ type: 'ready' }], new Date()]) expect(reason(d)).toBe('not_object');
  });

  it('validateCardMessage_UnknownOrHostType_Rejected', () => {
    expect(reason({ type: 'init' })).toBe('unknown_type');
    expect(reason({ type: 'eval', code: 'x' })).toBe('unknown_type');
    expect(reason({ type: 42 })).toBe('unknown_type');
    expect(reason({})).toBe('unknown_type');
  });

  it('validateCardMessage_WrongFieldTypes_BadShape', () => {
    expect(reason({ type: 'ready' })).toBe('bad_shape');
    expect(reason({ type: 'ready', loadMs: '5' })).toBe('bad_shape');
    expect(reason({ type: 'ready', loadMs: -1 })).toBe('bad_shape');
    expect(reason({ type: 'setPayload' })).toBe('bad_shape');
    expect(reason({ type: 'sizePreferenceChanged', width: Infinity, height: 2 })).toBe('bad_shape');
    expect(reason({ type: 'interactionEvent', name: '' })).toBe('bad_shape');
    expect(reason({ type: 'error', code: 'other', message: 'x' })).toBe('bad_shape');
    expect(reason({ type: 'error', code: 'runtime' })).toBe('bad_shape');
    expect(reason({ type: 'pong', seq: NaN })).toBe('bad_shape');
  });

  it('validateCardMessage_Unserializable_BadShape', () => {
    expect(reason({ type: 'setPayload', payload: 10n })).toBe('bad_shape');
  });

  it('validateCardMessage_Cyclic_OversizeBecauseItsJsonNeverEnds', () => {
    const cyclic: Record<string, unknown> = { type: 'setPayload' };
    cyclic.payload = cyclic;
    expect(reason(cyclic)).toBe('oversize');
  });

  it('validateCardMessage_GeneralMessageOver256KiB_Oversize', () => {
    const big = 'x'.repeat(MAX_MESSAGE_BYTES);
    expect(reason({ type: 'interactionEvent', name: 'n', detail: big })).toBe('oversize');
    expect(reason({ type: 'interactionEvent', name: 'n', detail: 'x'.repeat(MAX_MESSAGE_BYTES - 100) })).toBe('ok');
  });

  it('validateCardMessage_MultibyteCountedAsUtf8_Oversize', () => {
    // 100k three-byte characters: 100k UTF-16 units but ~300 KB UTF-8.
    expect(reason({ type: 'interactionEvent', name: 'n', detail: '€'.repeat(100_000) })).toBe('oversize');
  });

  it('validateCardMessage_SetPayloadUpTo1MiB_Accepted', () => {
    expect(reason({ type: 'setPayload', payload: 'x'.repeat(MAX_MESSAGE_BYTES * 2) })).toBe('ok');
    expect(reason({ type: 'setPayload', payload: 'x'.repeat(MAX_PAYLOAD_BYTES) })).toBe('oversize');
  });

  it('utf8Length_MatchesTextEncoder', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a\ud800b']) expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });
});

describe('TokenBucket', () => {
  it('TokenBucket_Burst200_ThenEmpty', () => {
    const b = new TokenBucket(100, 200, 0);
    let ok = 0;
    for (let i = 0; i < 250; i++) if (b.take(0)) ok++;
    expect(ok).toBe(200);
  });

  it('TokenBucket_Refills100PerSecond', () => {
    const b = new TokenBucket(100, 200, 0);
    for (let i = 0; i < 200; i++) b.take(0);
    expect(b.take(0)).toBe(false);
    let ok = 0;
    for (let i = 0; i < 150; i++) if (b.take(1000)) ok++;
    expect(ok).toBe(100);
  });

  it('TokenBucket_ClockGoesBackwards_NoRefill', () => {
    const b = new TokenBucket(100, 1, 1000);
    expect(b.take(1000)).toBe(true);
    expect(b.take(0)).toBe(false);
  });
});

describe('MessageGuard', () => {
  it('MessageGuard_CountsAcceptedAndRejectedByReason', () => {
    const g = new MessageGuard(0);
    g.check({ type: 'pong', seq: 1 }, 0);
    g.check({ type: 'nope' }, 0);
    g.check('x', 0);
    g.check({ type: 'ready' }, 0);
    expect(g.counters.accepted).toBe(1);
    expect(g.counters.rejected).toBe(3);
    expect(g.counters.byReason).toMatchObject({ unknown_type: 1, not_object: 1, bad_shape: 1 });
  });

  it('MessageGuard_Flood_DroppedAndCounted', () => {
    const g = new MessageGuard(0);
    for (let i = 0; i < 300; i++) g.check({ type: 'pong', seq: i }, 0);
    expect(g.counters.accepted).toBe(200);
    expect(g.counters.byReason.flood).toBe(100);
  });
});

describe('validateCardMessage: grants, assets and snapshots', () => {
  const png = 'data:image/png;base64,iVBORw0KGgo=';
  const net = { method: 'POST', path: '/chat/completions', query: { a: 'b' }, headers: { accept: 'text/event-stream' }, body: '{}', stream: true };

  it('validateCardMessage_BusMessagesMalformedOrHostile_Rejected', () => {
    // Regex syntax in a pattern never reaches a RegExp: it is simply not a topic pattern.
    expect(reason({ type: 'subscribe', id: 's1', topic: '(', sub: 'c1' })).toBe('bad_shape');
    expect(reason({ type: 'subscribe', id: 's1', topic: '(a+)+$:(a|a)*:x', sub: 'c1' })).toBe('bad_shape');
    expect(reason({ type: 'subscribe', id: 's1', topic: 'a:*:c' })).toBe('bad_shape');
    expect(reason({ type: 'subscribe', id: 's1', topic: 'a:*:c', sub: 'c1', priority: 1.5 })).toBe('bad_shape');
    expect(reason({ type: 'subscribe', id: 's1', topic: 'a:*:c', sub: 'c1', priority: 5000 })).toBe('bad_shape');
    expect(reason({ type: 'subscribe', id: 's1', topic: 'a:*:c', sub: 'c1', once: 'yes' })).toBe('bad_shape');
    expect(reason({ type: 'subscribe', id: 's1', topic: 'a:*:c', sub: 'c1', from: 'Not A Plugin' })).toBe('bad_shape');
    expect(reason({ type: 'unsubscribe', topic: 'a:b:c' })).toBe('bad_shape');
    expect(reason({ type: 'publish', topic: 'a:b:c', payload: 1, target: '../x' })).toBe('bad_shape');
    expect(reason({ type: 'request', topic: 'a:b:c', payload: 1 })).toBe('bad_shape');
    expect(reason({ type: 'request', id: 'q1', topic: 'a:*:c', payload: 1 })).toBe('bad_shape');
    expect(reason({ type: 'request', id: 'q1', topic: 'a:b:c', payload: 1, timeoutMs: -1 })).toBe('bad_shape');
    expect(reason({ type: 'request', id: 'q1', topic: 'a:b:c', payload: 'x'.repeat(70_000) })).toBe('oversize');
    expect(reason({ type: 'reply', rid: 'q1', ok: true })).toBe('bad_shape');
    expect(reason({ type: 'reply', rid: 'q1', ok: false, error: 'no' })).toBe('bad_shape');
    expect(reason({ type: 'history', id: 'h1', topic: '*:*:*', limit: 5000 })).toBe('bad_shape');
  });

  it('validateCardMessage_NewTypesAllowedShapes_Accepted', () => {
    expect(reason({ type: 'requestAsset', id: 'a-1_B', assetType: '3d-model' })).toBe('ok');
    expect(reason({ type: 'readAsset', id: 'r1', token: 'lab_ast_abc-DEF_123' })).toBe('ok');
    expect(reason({ type: 'publish', topic: 'timer:countdown:finished', payload: { at: 1 } })).toBe('ok');
    expect(reason({ type: 'publish', topic: 'timer:countdown:finished', payload: null })).toBe('ok');
    expect(reason({ type: 'subscribe', id: 's1', topic: 'timer:*:finished', sub: 'c1' })).toBe('ok');
    expect(reason({ type: 'subscribe', id: 's1', topic: 'timer:*:finished', sub: 'c1', priority: -3, once: true, from: 'dev.labyrinth.timer', responds: false })).toBe('ok');
    expect(reason({ type: 'unsubscribe', sub: 'c1' })).toBe('ok');
    expect(reason({ type: 'publish', topic: 'timer:countdown:finished', payload: 1, target: 'dev.labyrinth.timer' })).toBe('ok');
    expect(reason({ type: 'request', id: 'q1', topic: 'timer:countdown:finished', payload: 1, timeoutMs: 500 })).toBe('ok');
    expect(reason({ type: 'reply', rid: 'q1', ok: true, result: { n: 1 } })).toBe('ok');
    expect(reason({ type: 'reply', rid: 'q1', ok: false, error: { message: 'no' } })).toBe('ok');
    expect(reason({ type: 'history', id: 'h1', topic: '*:*:*', limit: 10 })).toBe('ok');
    expect(reason({ type: 'requestNetwork', id: 'n1', service: 'openai', request: net })).toBe('ok');
    expect(reason({ type: 'requestNetwork', id: 'n1', service: 'openai', request: { method: 'GET', path: '/models' } })).toBe('ok');
    expect(reason({ type: 'cancelRequest', id: 'n1' })).toBe('ok');
    expect(reason({ type: 'call', id: 'c1', pluginId: 'dev.labyrinth.math', method: 'solve', input: { x: 1 } })).toBe('ok');
    expect(reason({ type: 'call', id: 'c1', pluginId: 'dev.labyrinth.math', method: 'solve', input: 1, timeoutMs: 200 })).toBe('ok');
    expect(reason({ type: 'log', level: 'warn', message: 'x' })).toBe('ok');
    expect(reason({ type: 'apiAnswer', cid: 'c1', ok: true, result: { a: 1 } })).toBe('ok');
    expect(reason({ type: 'apiAnswer', cid: 'c1', ok: false, error: { message: 'boom' } })).toBe('ok');
    expect(reason({ type: 'deactivated' })).toBe('ok');
    expect(reason({ type: 'exportRequested', kind: 'png' })).toBe('ok');
    expect(reason({ type: 'exportRequested', kind: 'json', data: [1] })).toBe('ok');
    expect(reason({ type: 'snapshot', id: 'snap_1', dataUrl: png })).toBe('ok');
    expect(reason({ type: 'snapshot', id: 'snap_1', dataUrl: 'data:image/webp;base64,UklGRg==' })).toBe('ok');
  });

  it('validateCardMessage_RequestIds_OnlyOneTo64SafeChars', () => {
    for (const id of ['', 'a'.repeat(65), 'a b', 'a/b', '../x', 'é', 7, null, undefined]) {
      expect(reason({ type: 'cancelRequest', id })).toBe('bad_shape');
    }
    expect(reason({ type: 'cancelRequest', id: 'a'.repeat(64) })).toBe('ok');
  });

  it('validateCardMessage_RequestAssetUnknownType_BadShape', () => {
    expect(reason({ type: 'requestAsset', id: 'a', assetType: 'svg' })).toBe('bad_shape');
    expect(reason({ type: 'requestAsset', id: 'a' })).toBe('bad_shape');
  });

  it('validateCardMessage_ReadAssetToken_UpTo200PrintableChars', () => {
    expect(reason({ type: 'readAsset', id: 'r', token: 'x'.repeat(200) })).toBe('ok');
    expect(reason({ type: 'readAsset', id: 'r', token: 'x'.repeat(201) })).toBe('bad_shape');
    expect(reason({ type: 'readAsset', id: 'r', token: 'a\r\nb' })).toBe('bad_shape');
    expect(reason({ type: 'readAsset', id: 'r', token: '' })).toBe('bad_shape');
    expect(reason({ type: 'readAsset', id: 'r', token: { t: 1 } })).toBe('bad_shape');
  });

  it('validateCardMessage_PublishPayloadOver64KiB_Oversize', () => {
    expect(reason({ type: 'publish', topic: 'a:b:c', payload: 'x'.repeat(64 * 1024 - 2) })).toBe('ok');
    expect(reason({ type: 'publish', topic: 'a:b:c', payload: 'x'.repeat(64 * 1024) })).toBe('oversize');
  });

  it('validateCardMessage_PublishBadTopicOrNoPayload_BadShape', () => {
    expect(reason({ type: 'publish', topic: 'a:*:c', payload: 1 })).toBe('bad_shape');
    expect(reason({ type: 'publish', topic: 'A:b:c', payload: 1 })).toBe('bad_shape');
    expect(reason({ type: 'publish', topic: 'a:b', payload: 1 })).toBe('bad_shape');
    expect(reason({ type: 'publish', topic: 'a:b:c' })).toBe('bad_shape');
    expect(reason({ type: 'subscribe', id: 's', topic: 'a:b:c'.padEnd(129, 'x') })).toBe('bad_shape');
  });

  it('validateCardMessage_RequestNetworkBadRequest_BadShape', () => {
    const bad = (request: unknown, service: unknown = 'openai') => reason({ type: 'requestNetwork', id: 'n', service, request });
    expect(bad({ ...net, method: 'TRACE' })).toBe('bad_shape');
    expect(bad({ ...net, path: 'https://evil.example/' })).toBe('bad_shape');
    expect(bad({ ...net, query: { a: 1 } })).toBe('bad_shape');
    expect(bad({ ...net, headers: ['x'] })).toBe('bad_shape');
    expect(bad({ ...net, body: { a: 1 } })).toBe('bad_shape');
    expect(bad({ ...net, stream: 'yes' })).toBe('bad_shape');
    expect(bad(net, 'Open AI')).toBe('bad_shape');
    expect(bad(null)).toBe('bad_shape');
  });

  it('validateCardMessage_SnapshotNotAnImageDataUrl_BadShape', () => {
    const snap = (dataUrl: unknown) => reason({ type: 'snapshot', id: 's', dataUrl });
    expect(snap('data:image/svg+xml;base64,PHN2Zz4=')).toBe('bad_shape');
    expect(snap('data:text/html;base64,PGI+')).toBe('bad_shape');
    expect(snap('https://evil.example/x.png')).toBe('bad_shape');
    expect(snap('data:image/png;base64,<script>')).toBe('bad_shape');
    expect(snap(`data:image/png;base64,${'A'.repeat(MAX_SNAPSHOT_CHARS)}`)).not.toBe('ok');
    expect(snap(`data:image/png;base64,${'A'.repeat(MAX_SNAPSHOT_CHARS - 30)}`)).toBe('ok');
  });

  it('validateCardMessage_CallBadPluginIdOrMethod_BadShape', () => {
    expect(reason({ type: 'call', id: 'c', pluginId: '../x', method: 'm' })).toBe('bad_shape');
    expect(reason({ type: 'call', id: 'c', pluginId: 'dev.x', method: '' })).toBe('bad_shape');
    expect(reason({ type: 'call', id: 'c', pluginId: 'dev.x', method: '__proto__' })).toBe('bad_shape');
    expect(reason({ type: 'call', id: 'c', pluginId: 'dev.x', method: 'm', timeoutMs: -1 })).toBe('bad_shape');
    expect(reason({ type: 'call', id: 'c', pluginId: 'dev.x', method: 'm', input: 'x'.repeat(70 * 1024) })).toBe('oversize');
    expect(reason({ type: 'log', level: 'debug', message: 'x' })).toBe('bad_shape');
    expect(reason({ type: 'log', level: 'info', message: 7 })).toBe('bad_shape');
    expect(reason({ type: 'apiAnswer', cid: 'c1', ok: true })).toBe('bad_shape');
    expect(reason({ type: 'apiAnswer', cid: 'c1', ok: false, error: 'no' })).toBe('bad_shape');
  });
});

describe('MessageGuard suspension', () => {
  it('MessageGuard_50RejectionsWithin10s_ShouldSuspend', () => {
    const g = new MessageGuard(0);
    for (let i = 0; i < 49; i++) g.check({ type: 'nope' }, i * 100);
    expect(g.shouldSuspend(4900)).toBe(false);
    g.check({ type: 'nope' }, 4900);
    expect(g.shouldSuspend(4900)).toBe(true);
  });

  it('MessageGuard_OldRejectionsOutsideWindow_NotCounted', () => {
    const g = new MessageGuard(0);
    for (let i = 0; i < 50; i++) g.check({ type: 'nope' }, i * 210);
    expect(g.shouldSuspend(49 * 210)).toBe(false);
  });

  it('MessageGuard_ParentMessages_CountedButNeverSuspend', () => {
    const g = new MessageGuard(0);
    for (let i = 0; i < 100; i++) g.reject('parent_message', 0);
    expect(g.counters.byReason.parent_message).toBe(100);
    expect(g.shouldSuspend(0)).toBe(false);
  });
});

describe('exceedsJsonBudget', () => {
  it('validateCardMessage_HugeSparseArray_OversizeWithoutSerializing', () => {
    // 2^26 holes: JSON.stringify would write ~335 MB and freeze the host page for most of a minute.
    const payload = new Array(2 ** 26);

    expect(reason({ type: 'setPayload', payload })).toBe('oversize');
  });

  it('validateCardMessage_HugeTypedArrayInPayload_Oversize', () => {
    expect(reason({ type: 'setPayload', payload: { data: new Uint8Array(4 * 1024 * 1024) } })).toBe('oversize');
  });

  it('exceedsJsonBudget_ValueJustUnderLimit_False', () => {
    const value = { text: 'x'.repeat(100) };

    expect(exceedsJsonBudget(value, JSON.stringify(value).length)).toBe(false);
  });

  it('exceedsJsonBudget_CyclicObject_TerminatesTrue', () => {
    const a: Record<string, unknown> = {};
    a.self = a;

    expect(exceedsJsonBudget(a, 1000)).toBe(true);
  });

  it('exceedsJsonBudget_UndefinedMembers_CostNothing', () => {
    expect(exceedsJsonBudget({ a: undefined, b: 1 }, JSON.stringify({ b: 1 }).length)).toBe(false);
  });
});
