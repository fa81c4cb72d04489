import { describe, expect, it } from 'vitest';
import { MessageGuard } from './guard';
import { MAX_MESSAGE_BYTES, MAX_PAYLOAD_BYTES, utf8Length, validateCardMessage } from './schema';
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
    const cyclic: Record<string, unknown> = { type: 'setPayload' };
    cyclic.payload = cyclic;
    expect(reason(cyclic)).toBe('bad_shape');
    expect(reason({ type: 'setPayload', payload: 10n })).toBe('bad_shape');
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
