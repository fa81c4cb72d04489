import { describe, expect, it } from 'vitest';
import { RESTART_BACKOFF_MS, ServiceHost, type ServiceFrame } from './service-host';
import type { AppInfo } from './types';

const app = (version = '1.0.0'): AppInfo => ({
  pluginId: 'dev.clock', version, name: 'Clock',
  services: [{ id: 'main', frameUrl: 'http://x.cards.localhost:5080/cards/service/dev.clock/1.0.0/main', frameOrigin: 'http://x.cards.localhost:5080', capabilities: [], topics: { publish: [], subscribe: [] } }],
  api: { version: '1.0.0', service: 'main', methods: {} },
});

class FakeFrame implements ServiceFrame {
  status: ServiceFrame['status'] = 'loading';
  error: string | null = null;
  destroyed = false;
  deactivated: string | null = null;
  resolve!: (ok: boolean) => void;
  readonly ready = new Promise<boolean>((r) => (this.resolve = r));
  deactivate(reason: string) { this.deactivated = reason; this.destroyed = true; }
  destroy() { this.destroyed = true; }
}

function setup(options: { cardsOpen?: boolean } = {}) {
  let t = 0;
  let apps = [app()];
  const timers: { at: number; fn: () => void }[] = [];
  const intervals: (() => void)[] = [];
  const frames: FakeFrame[] = [];
  const reasons: string[] = [];
  const host = new ServiceHost({
    start: (_a, _s, reason) => { reasons.push(reason); const f = new FakeFrame(); frames.push(f); return f; },
    apps: () => apps,
    cardsOpen: () => options.cardsOpen ?? false,
    now: () => t,
    setTimeout: (fn, ms) => { const h = { at: t + ms, fn }; timers.push(h); return h; },
    clearTimeout: (h) => { const i = timers.indexOf(h as (typeof timers)[number]); if (i >= 0) timers.splice(i, 1); },
    setInterval: (fn) => { intervals.push(fn); return fn; },
    clearInterval: () => {},
    idleMs: 60_000,
  });
  const advance = (ms: number) => {
    t += ms;
    for (const h of [...timers].filter((x) => x.at <= t)) { timers.splice(timers.indexOf(h), 1); h.fn(); }
    for (const fn of intervals) fn();
  };
  return { host, frames, reasons, advance, setApps: (a: AppInfo[]) => (apps = a) };
}

describe('ServiceHost', () => {
  it('Ensure_StartsTheApisServiceOnceAndResolvesWhenReady', async () => {
    const { host, frames, reasons } = setup();
    const first = host.ensure('dev.clock');
    const second = host.ensure('dev.clock');
    frames[0]!.resolve(true);
    await expect(first).resolves.toBe(true);
    await expect(second).resolves.toBe(true);
    expect(frames).toHaveLength(1);
    expect(reasons).toEqual(['started']);
    expect(host.list()).toMatchObject([{ pluginId: 'dev.clock', serviceId: 'main', state: 'running' }]);
  });

  it('Ensure_UnknownPlugin_IsFalseAndStartsNothing', async () => {
    const { host, frames } = setup();
    await expect(host.ensure('dev.nope')).resolves.toBe(false);
    expect(frames).toHaveLength(0);
  });

  it('Hang_IsRestartedWithBackoffThenFails', async () => {
    const { host, frames, reasons, advance } = setup();
    void host.ensure('dev.clock');
    frames[0]!.resolve(true);
    await Promise.resolve();
    for (let i = 0; i < RESTART_BACKOFF_MS.length; i++) {
      frames.at(-1)!.status = 'unresponsive';
      advance(0);
      expect(frames.at(-1)!.destroyed).toBe(true);
      expect(host.list()[0]!.state).toBe('restarting');
      advance(RESTART_BACKOFF_MS[i]! - 1);
      expect(frames).toHaveLength(i + 1);
      advance(1);
      expect(frames).toHaveLength(i + 2);
    }
    frames.at(-1)!.status = 'error';
    advance(0);
    expect(host.list()[0]).toMatchObject({ state: 'failed', restarts: RESTART_BACKOFF_MS.length });
    advance(60_000);
    expect(frames).toHaveLength(RESTART_BACKOFF_MS.length + 1);
    expect(reasons.slice(1).every((r) => r === 'restarted')).toBe(true);
    await expect(host.ensure('dev.clock')).resolves.toBe(false);
  });

  it('Kill_DestroysAtOnceWithoutDeactivate', async () => {
    const { host, frames } = setup();
    void host.ensure('dev.clock');
    host.stop('dev.clock', 'killed');
    expect(frames[0]).toMatchObject({ destroyed: true, deactivated: null });
    expect(host.list()).toEqual([]);
  });

  it('Idle_StopsWithReasonIdleUnlessACardOfThePluginIsOpen', async () => {
    const idle = setup();
    void idle.host.ensure('dev.clock');
    idle.frames[0]!.resolve(true);
    await Promise.resolve();
    await Promise.resolve();
    idle.advance(59_999);
    expect(idle.frames[0]!.deactivated).toBeNull();
    idle.advance(1);
    expect(idle.frames[0]!.deactivated).toBe('idle');

    const open = setup({ cardsOpen: true });
    void open.host.ensure('dev.clock');
    open.frames[0]!.resolve(true);
    await Promise.resolve();
    await Promise.resolve();
    open.advance(120_000);
    expect(open.frames[0]!.deactivated).toBeNull();
  });

  it('AppsChanged_NewVersion_RestartsAsUpgraded_Disabled_Stops', async () => {
    const { host, frames, reasons, setApps } = setup();
    void host.ensure('dev.clock');
    setApps([app('1.1.0')]);
    host.appsChanged();
    expect(frames[0]!.deactivated).toBe('upgraded');
    expect(reasons).toEqual(['started', 'upgraded']);
    setApps([]);
    host.appsChanged();
    expect(frames[1]!.deactivated).toBe('disabled');
    expect(host.list()).toEqual([]);
  });

  it('StopByThePerson_KeepsItListedAsStopped_NextNeedOrRestartStartsItAgain', async () => {
    const { host, frames, reasons } = setup();
    void host.ensure('dev.clock');
    host.stop('dev.clock', 'stopped', 'main');
    expect(frames[0]!.deactivated).toBe('stopped');
    expect(host.list()[0]!.state).toBe('stopped');
    const needed = host.ensure('dev.clock');
    frames[1]!.resolve(true);
    await expect(needed).resolves.toBe(true);
    const again = host.restart('dev.clock', 'main');
    frames[2]!.resolve(true);
    await expect(again).resolves.toBe(true);
    expect(reasons).toEqual(['started', 'started', 'restarted']);
  });
});

describe('ServiceHost activation reasons', () => {
  it('Enable_AfterADisableThatStoppedARunningService_StartsItWithReasonEnabled', async () => {
    const { host, frames, reasons, setApps } = setup();
    void host.ensure('dev.clock');
    frames[0]!.resolve(true);
    await Promise.resolve();
    setApps([]);
    host.appsChanged();
    expect(frames[0]!.deactivated).toBe('disabled');
    setApps([app()]);
    host.appsChanged();
    expect(reasons).toEqual(['started', 'enabled']);
  });

  it('Enable_OfAPluginWhoseServiceWasNeverRunningHere_StartsNothing', () => {
    const { host, frames, setApps } = setup();
    setApps([]);
    host.appsChanged();
    setApps([app()]);
    host.appsChanged();
    expect(frames).toHaveLength(0);
  });

  it('Enable_AfterAKill_StartsNothing', async () => {
    const { host, frames, setApps } = setup();
    void host.ensure('dev.clock');
    frames[0]!.resolve(true);
    await Promise.resolve();
    setApps([]);
    host.appsChanged();
    host.stop('dev.clock', 'killed');
    setApps([app()]);
    host.appsChanged();
    expect(frames).toHaveLength(1);
  });

  it('ConfigChanged_RestartsAFailedServiceWithReasonConfigChanged_AndLeavesARunningOneAlone', async () => {
    const { host, frames, reasons, advance } = setup();
    void host.ensure('dev.clock');
    for (let i = 0; i <= RESTART_BACKOFF_MS.length; i++) {
      frames.at(-1)!.status = 'error';
      advance(0);
      advance(RESTART_BACKOFF_MS[i] ?? 0);
    }
    expect(host.list()[0]!.state).toBe('failed');
    const before = frames.length;

    host.configChanged('dev.clock');
    expect(frames).toHaveLength(before + 1);
    expect(reasons.at(-1)).toBe('configChanged');
    frames.at(-1)!.resolve(true);
    await Promise.resolve();
    await Promise.resolve();
    host.configChanged('dev.clock');
    expect(frames).toHaveLength(before + 1);
  });
});
