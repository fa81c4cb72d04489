import { describe, expect, it } from 'vitest';
import { startService } from '../src/service';
import type { ServiceDefinition } from '../../../sdk/src/types.ts';

function run(mod: unknown, m: Record<string, unknown> = {}) {
  const sent: Record<string, unknown>[] = [];
  const events: string[] = [];
  const failures: { code: string; e: unknown }[] = [];
  const timers: (() => void)[] = [];
  const rt = startService({ type: 'initService', service: { pluginId: 'dev.x.clock', version: '1.0.0', serviceId: 'main' }, reason: 'started', grantedCapabilities: [], ...m }, 'services/main.js', {
    send: (msg) => sent.push(structuredClone(msg) as Record<string, unknown>),
    importEntry: async () => mod as { service: ServiceDefinition },
    baseURI: 'http://x.cards.localhost/cards/service/dev.x.clock/1.0.0/main',
    ready: () => events.push('ready'),
    fail: (code, e) => failures.push({ code, e }),
    setTimeout: (fn) => { timers.push(fn); return 0; },
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { rt, sent, events, failures, timers, settle };
}

describe('service bootstrap', () => {
  it('InitService_ActivatesWithTheReasonThenReportsReady', async () => {
    const seen: unknown[] = [];
    const { events, settle } = run({ service: { onActivate: (ctx: { service: unknown }, e: unknown) => seen.push(ctx.service, e) } }, { reason: 'upgraded' });
    await settle();
    expect(seen).toEqual([{ pluginId: 'dev.x.clock', version: '1.0.0', serviceId: 'main' }, { reason: 'upgraded' }]);
    expect(events).toEqual(['ready']);
  });

  it('ApiCall_AnsweredOnceWithTheHandlersResultAndTheCallerOnly', async () => {
    const callers: unknown[] = [];
    const { rt, sent, settle } = run({ service: { api: { add: (i: { a: number }, c: unknown) => { callers.push(c); return { sum: i.a + 1 }; } } } });
    await settle();
    rt.receive({ type: 'apiCall', cid: 'c1', method: 'add', input: { a: 1 }, caller: 'dev.x.world' });
    await settle();
    expect(sent).toEqual([{ type: 'apiAnswer', cid: 'c1', ok: true, result: { sum: 2 } }]);
    expect(callers).toEqual([{ caller: 'dev.x.world' }]);
  });

  it('ApiCall_ThatThrowsOrIsUnknown_AnswersFailed', async () => {
    const { rt, sent, settle } = run({ service: { api: { boom: () => { throw new RangeError('no such zone'); } } } });
    await settle();
    rt.receive({ type: 'apiCall', cid: 'c1', method: 'boom', input: null, caller: 'a' });
    rt.receive({ type: 'apiCall', cid: 'c2', method: 'toString', input: null, caller: 'a' });
    await settle();
    expect(sent).toEqual([
      { type: 'apiAnswer', cid: 'c2', ok: false, error: { message: 'This service does not implement toString.' } },
      { type: 'apiAnswer', cid: 'c1', ok: false, error: { message: 'RangeError: no such zone' } },
    ]);
  });

  it('ApiCall_BeforeActivationFinished_IsAnsweredAfterIt', async () => {
    let activated!: () => void;
    const { rt, sent, settle } = run({ service: { onActivate: () => new Promise<void>((r) => (activated = r)), api: { ping: () => 'pong' } } });
    await settle();
    rt.receive({ type: 'apiCall', cid: 'c1', method: 'ping', input: null, caller: 'a' });
    await settle();
    expect(sent).toEqual([]);
    activated();
    await settle();
    expect(sent).toEqual([{ type: 'apiAnswer', cid: 'c1', ok: true, result: 'pong' }]);
  });

  it('Deactivate_RunsOnDeactivateThenAnswersDeactivatedOnce', async () => {
    const reasons: unknown[] = [];
    const { rt, sent, timers, settle } = run({ service: { onDeactivate: (e: unknown) => { reasons.push(e); } } });
    await settle();
    rt.receive({ type: 'deactivate', reason: 'idle' });
    await settle();
    timers.forEach((t) => t());
    expect(reasons).toEqual([{ reason: 'idle' }]);
    expect(sent).toEqual([{ type: 'deactivated' }]);
  });

  it('EntryWithoutAService_FailsToLoad_ActivationThatThrows_FailsToStart', async () => {
    const a = run({ mountPlugin: () => {} });
    await a.settle();
    expect(a.failures.map((f) => f.code)).toEqual(['load_failed']);
    const b = run({ service: { onActivate: () => { throw new Error('nope'); } } });
    await b.settle();
    expect(b.failures.map((f) => f.code)).toEqual(['mount_failed']);
    expect(b.events).toEqual([]);
  });
});
