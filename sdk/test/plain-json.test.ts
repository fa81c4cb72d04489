import { describe, expect, it } from 'vitest';
import { createCardContext } from '../src/context.ts';
import type { CardToHostMessage, JsonValue } from '../src/types.ts';

// A Svelte `$state` array or object is a Proxy: JSON.stringify reads it, structured clone (what
// a MessagePort does) throws DataCloneError. These stand in for one without a compiler.
const proxied = <T extends object>(value: T): T => new Proxy(value, {});

function context() {
  const sent: CardToHostMessage[] = [];
  const controller = createCardContext({
    card: { instanceId: 'w', typeID: 't', pluginId: 'p', version: '1.0.0' },
    props: {}, payload: null, theme: {}, active: true, bounds: { width: 1, height: 1 },
    grantedCapabilities: ['crossCard:pubsub'],
  }, (msg) => { sent.push(structuredClone(msg)); });
  return { ctx: controller.ctx, controller, sent };
}

describe('values a card hands the bridge', () => {
  it('SetPayload_ProxiedArray_PostsPlainJson', () => {
    const { ctx, sent } = context();
    const history = proxied([{ roll: 4 }, { roll: 6 }]);
    expect(() => ctx.setPayload(history)).not.toThrow();
    expect(sent).toEqual([{ type: 'setPayload', payload: [{ roll: 4 }, { roll: 6 }] }]);
  });

  it('SetPayload_ProxiedObject_KeepsACopyNotTheLiveObject', () => {
    const { ctx } = context();
    const state = proxied({ rolls: proxied([1, 2]) });
    ctx.setPayload(state);
    state.rolls.push(3);
    expect(ctx.payload).toEqual({ rolls: [1, 2] });
  });

  it('SetPayload_NotJson_ThrowsTypeErrorAndSendsNothing', () => {
    const { ctx, sent } = context();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => ctx.setPayload(cyclic as JsonValue)).toThrow(TypeError);
    expect(() => ctx.setPayload(undefined as unknown as JsonValue)).toThrow(TypeError);
    expect(sent).toEqual([]);
  });

  it('Publish_ProxiedPayload_PostsPlainJson', () => {
    const { ctx, sent } = context();
    ctx.publish('dice:roll:done', proxied({ rolls: proxied([3]) }));
    expect(sent).toEqual([{ type: 'publish', topic: 'dice:roll:done', payload: { rolls: [3] } }]);
  });

  it('Interaction_ProxiedDetail_PostsPlainJson', () => {
    const { ctx, sent } = context();
    ctx.interaction('rolled', proxied({ value: 5 }));
    expect(sent).toEqual([{ type: 'interactionEvent', name: 'rolled', detail: { value: 5 } }]);
  });

  it('ExportRequested_ProxiedData_PostsPlainJson', () => {
    const { ctx, sent } = context();
    ctx.exportRequested('csv', proxied([proxied([1, 2])]));
    expect(sent).toEqual([{ type: 'exportRequested', kind: 'csv', data: [[1, 2]] }]);
  });

  it('Call_ProxiedInput_PostsPlainJson', () => {
    const { ctx, sent } = context();
    void ctx.call('dev.other', 'sum', proxied([1, 2])).catch(() => {});
    expect(sent).toEqual([{ type: 'call', id: 'r1', pluginId: 'dev.other', method: 'sum', input: [1, 2] }]);
  });

  it('RequestNetwork_ProxiedHeaders_PostsPlainJson', () => {
    const { ctx, sent } = context();
    void ctx.requestNetwork('svc', proxied({ method: 'GET' as const, path: '/x', headers: proxied({ accept: 'text/plain' }) })).catch(() => {});
    expect(sent).toEqual([{ type: 'requestNetwork', id: 'r1', service: 'svc', request: { method: 'GET', path: '/x', headers: { accept: 'text/plain' } } }]);
  });

  it('Call_NotJson_RejectsWithoutSending', async () => {
    const { ctx, sent } = context();
    await expect(ctx.call('dev.other', 'm', (() => 1) as unknown as JsonValue)).rejects.toThrow(TypeError);
    expect(sent).toEqual([]);
  });

  it('BusRequest_ProxiedPayload_PostsPlainJson', () => {
    const { ctx, sent } = context();
    void ctx.request('dice:roll', proxied({ sides: 6 })).catch(() => {});
    expect(sent).toEqual([{ type: 'request', id: 'r1', topic: 'dice:roll', payload: { sides: 6 } }]);
  });

  it('Respond_ProxiedAnswer_RepliesWithPlainJson', async () => {
    const { ctx, controller, sent } = context();
    const subscribed = ctx.respond('dice:roll', () => proxied({ rolls: proxied([2, 5]) }));
    controller.receive({ type: 'response', id: 'r1', ok: true, result: null });
    await subscribed;
    controller.receive({ type: 'event', sub: 's1', rid: 'q1', topic: 'dice:roll', payload: null, from: { pluginId: 'a.b', typeID: 't' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(sent.at(-1)).toEqual({ type: 'reply', rid: 'q1', ok: true, result: { rolls: [2, 5] } });
  });
});
