import { describe, expect, it } from 'vitest';
import { BridgeTrace, messageSize } from './trace.svelte';

describe('messageSize', () => {
  it('counts UTF-8 bytes of the JSON text', () => {
    expect(messageSize({ type: 'x' })).toBe('{"type":"x"}'.length);
    expect(messageSize({ t: 'é' })).toBe('{"t":"é"}'.length + 1);
  });

  it('counts buffers by their byteLength, not as JSON', () => {
    expect(messageSize({ data: new Uint8Array(1000) })).toBe('{"data":null}'.length + 1000);
  });

  it('is 0 for what JSON cannot say', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(messageSize(cyclic)).toBe(0);
  });
});

describe('BridgeTrace', () => {
  it('records both directions with sizes and totals', () => {
    const t = new BridgeTrace();
    t.record('in', { type: 'setPayload', payload: [1, 2] }, 10);
    t.record('out', { type: 'pong' }, 11);
    expect(t.entries.map((e) => [e.dir, e.type, e.refused])).toEqual([['in', 'setPayload', null], ['out', 'pong', null]]);
    expect(t.totals.in).toEqual({ count: 1, bytes: messageSize({ type: 'setPayload', payload: [1, 2] }) });
    expect(t.lastPayloadBytes).toBe(5);
  });

  it('keeps refusals with their reason', () => {
    const t = new BridgeTrace();
    t.record('in', 'junk', 1, 'bad_shape');
    expect(t.refusedEntries()).toMatchObject([{ type: '(not a message)', refused: 'bad_shape' }]);
    expect(t.totals.refused).toBe(1);
  });

  it('keeps only the newest entries', () => {
    const t = new BridgeTrace(3);
    for (let i = 0; i < 5; i++) t.record('out', { type: `m${i}` }, i);
    expect(t.entries.map((e) => e.type)).toEqual(['m2', 'm3', 'm4']);
    expect(t.totals.out.count).toBe(5);
  });
});
