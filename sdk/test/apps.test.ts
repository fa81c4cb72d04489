import { describe, expect, it } from 'vitest';
import { createServiceContext, logLine } from '../src/context.ts';
import { createMockHost } from '../src/mock-host.ts';
import type { CardToHostMessage } from '../src/types.ts';

describe('plugin APIs and logs in the SDK', () => {
  it('Call_WithTheCapability_ResolvesTheScriptedAnswer', async () => {
    const host = createMockHost({ capabilities: ['api:dev.example.clock'], apis: { 'dev.example.clock': { add: (i) => ({ sum: (i as { a: number; b: number }).a + 1 }) } } });
    await expect(host.card.call('dev.example.clock', 'add', { a: 1, b: 2 })).resolves.toEqual({ sum: 2 });
  });

  it('Call_WithoutTheCapability_RejectsNotGranted', async () => {
    const host = createMockHost({ apis: { 'dev.example.clock': { add: () => 1 } } });
    await expect(host.card.call('dev.example.clock', 'add', {})).rejects.toMatchObject({ code: 'api.not_granted' });
  });

  it('Call_WithTimeout_SendsTimeoutMs', () => {
    const host = createMockHost({ capabilities: ['api:dev.example.clock'] });
    void host.card.call('dev.example.clock', 'add', 1, { timeout: 250 }).catch(() => {});
    expect(host.messages.at(-1)).toMatchObject({ type: 'call', pluginId: 'dev.example.clock', method: 'add', input: 1, timeoutMs: 250 });
  });

  it('CallError_CarriesTheHostsPointers', async () => {
    const sent: CardToHostMessage[] = [];
    const { ctx, receive } = createServiceContext({ pluginId: 'dev.example.a', version: '1.0.0', serviceId: 'main' }, ['api:dev.example.b'], (m) => sent.push(m));
    const call = ctx.call('dev.example.b', 'add', { a: 'x' });
    const id = (sent[0] as { id: string }).id;
    receive({ type: 'response', id, ok: false, error: { code: 'api.invalid_input', message: 'bad', problems: [{ pointer: '/a', message: 'must be a number' }, { nope: 1 }] } });
    await expect(call).rejects.toMatchObject({ code: 'api.invalid_input', problems: [{ pointer: '/a', message: 'must be a number' }] });
  });

  it('ServiceContext_HasTheBusAndCallsButNoCardSurfaces', () => {
    const { ctx } = createServiceContext({ pluginId: 'dev.example.a', version: '1.0.0', serviceId: 'main' }, [], () => {});
    expect(ctx.service).toEqual({ pluginId: 'dev.example.a', version: '1.0.0', serviceId: 'main' });
    expect(typeof ctx.publish).toBe('function');
    expect(typeof ctx.call).toBe('function');
    for (const absent of ['setPayload', 'requestAsset', 'requestNetwork', 'onSelection', 'props']) expect(absent in ctx).toBe(false);
  });

  it('Log_JoinsPartsAndClipsTo500', () => {
    const host = createMockHost();
    host.card.log.warn('loaded', 3, { a: 1 }, new TypeError('x'));
    host.card.log.error('y'.repeat(600));
    expect(host.logs[0]).toEqual({ level: 'warn', message: 'loaded 3 {"a":1} TypeError: x' });
    expect(host.logs[1]!.message).toHaveLength(500);
    expect(logLine([1n as unknown])).toBe('1');
  });
});
