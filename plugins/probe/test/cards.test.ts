// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMockHost } from '../../../sdk/src/mock-host.ts';
import { mountPlugin as broken } from '../src/broken.ts';
import { mountPlugin as spin } from '../src/spin.ts';

afterEach(() => { vi.useRealTimers(); });

describe('probe test cards', () => {
  it('Broken_Mount_ThrowsOnPurpose', () => {
    const host = createMockHost();
    expect(() => host.mount(broken, document.createElement('div'))).toThrow('boom on purpose');
  });

  it('Spin_Mount_RendersThenDestroyCancelsTheHang', () => {
    vi.useFakeTimers();
    const target = document.createElement('div');
    const mounted = createMockHost().mount(spin, target);
    expect(target.textContent).toBe('spinning');
    mounted.destroy(); // the 200 ms hang never starts
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('attacker card', () => {
  const manifest = {
    capabilities: ['fileRegistry:image', 'crossCard:pubsub', 'network:openai'],
    topics: { publish: ['probe:attack:ping'], subscribe: ['probe:attack:*'] },
  };

  async function runRow(target: HTMLElement, name: string): Promise<string> {
    const li = target.querySelector<HTMLElement>(`[data-testid="attack-${name}"]`)!;
    li.querySelector('button')!.click();
    for (let i = 0; i < 100 && li.dataset.state !== 'done'; i++) await new Promise((r) => setTimeout(r, 5));
    return li.dataset.code ?? '';
  }

  it('Attacker_SubscribeUndeclared_RowShowsTopicNotDeclared', async () => {
    const { mountPlugin } = await import('../src/attacker.ts');
    const target = document.createElement('div');
    createMockHost({ ...manifest, grantedCapabilities: ['crossCard:pubsub'] }).mount(mountPlugin, target);
    expect(await runRow(target, 'subscribe-undeclared')).toBe('topic_not_declared');
  });

  it('Attacker_SubscribeDeclaredWithoutGrant_RowShowsNotGranted', async () => {
    const { mountPlugin } = await import('../src/attacker.ts');
    const target = document.createElement('div');
    createMockHost(manifest).mount(mountPlugin, target);
    expect(await runRow(target, 'subscribe-declared')).toBe('not_granted');
  });

  it('Attacker_ReadPastedToken_RowShowsTokenInvalid', async () => {
    const { mountPlugin } = await import('../src/attacker.ts');
    const target = document.createElement('div');
    createMockHost({ ...manifest, props: { token: 'lab_ast_someone-elses' } }).mount(mountPlugin, target);
    expect(target.querySelector<HTMLInputElement>('[data-testid="attack-token"]')!.value).toBe('lab_ast_someone-elses');
    expect(await runRow(target, 'read-token')).toBe('token_invalid');
  });

  const until = (el: HTMLElement) => vi.waitFor(() => expect(el.dataset.state).toBe('done'), { timeout: 500, interval: 5 });
  const asset = { name: 'cat.png', mediaType: 'image/png', data: new Uint8Array([1, 2, 3, 4, 5]) };

  it('Attacker_AssetPushed_RowShowsNameAndBytesRead', async () => {
    const { mountPlugin } = await import('../src/attacker.ts');
    const target = document.createElement('div');
    const host = createMockHost({ ...manifest, assets: { tok: asset } });
    host.mount(mountPlugin, target);
    // The handle claims 99 bytes; the row must show what readAsset actually returned.
    host.pushAsset({ token: 'tok', name: 'cat.png', mediaType: 'image/png', bytes: 99 });
    const row = target.querySelector<HTMLElement>('[data-testid="attacker-pushed"]')!;
    await until(row);
    expect(row.textContent).toBe('pushed: cat.png 5 bytes');
  });

  it('Attacker_PickAnImage_RowShowsBytesRead', async () => {
    const { mountPlugin } = await import('../src/attacker.ts');
    const target = document.createElement('div');
    createMockHost({ ...manifest, assets: { tok: asset }, pickAsset: () => ({ token: 'tok', name: 'cat.png', mediaType: 'image/png', bytes: 5 }) })
      .mount(mountPlugin, target);
    target.querySelector<HTMLButtonElement>('[data-testid="attacker-pick"]')!.click();
    const row = target.querySelector<HTMLElement>('[data-testid="attacker-picked"]')!;
    await until(row);
    expect(row.textContent).toBe('picked: cat.png 5 bytes');
  });

  it('Attacker_ReceivedLog_ShowsInitWithGrants', async () => {
    const { mountPlugin } = await import('../src/attacker.ts');
    const target = document.createElement('div');
    createMockHost({ ...manifest, grantedCapabilities: ['crossCard:pubsub'] }).mount(mountPlugin, target);
    const log = target.querySelector('[data-testid="probe-received"]')!.textContent!;
    expect(log).toContain('"type":"init"');
    expect(log).toContain('crossCard:pubsub');
  });
});

describe('bus probe card (against the mock host, which runs the same bus rules)', () => {
  const manifest = {
    grantedCapabilities: ['crossCard:pubsub'],
    capabilities: ['crossCard:pubsub'],
    topics: { publish: ['probe:bus:ping', 'probe:bus:pong', 'probe:bus:ask'], subscribe: ['probe:bus:*'] },
    card: { pluginId: 'dev.labyrinth.probe', typeID: 'bus' },
  };
  const click = (target: HTMLElement, testid: string) => target.querySelector<HTMLElement>(`[data-testid="${testid}"]`)!.click();
  const until = (ok: () => boolean) => vi.waitFor(() => expect(ok()).toBe(true), { timeout: 1000, interval: 5 });

  it('Listen_ThenAMessageArrives_ShowsTextAndSender', async () => {
    const { mountPlugin } = await import('../src/bus.ts');
    const host = createMockHost(manifest);
    const target = document.createElement('div');
    host.mount(mountPlugin, target);
    click(target, 'bus-listen');
    await until(() => host.subscriptions.has('probe:bus:ping'));
    expect(host.emit('probe:bus:ping', { text: 'hi' }, { typeID: 'bus', pluginId: 'dev.labyrinth.probe' })).toBe(true);
    const li = target.querySelector<HTMLElement>('[data-testid="bus-event"]')!;
    expect(li.dataset).toMatchObject({ text: 'hi', fromPlugin: 'dev.labyrinth.probe', fromType: 'bus' });
  });

  it('Ask_WithAResponder_ShowsTheAnswer_AndWithoutOne_NoResponder', async () => {
    const { mountPlugin } = await import('../src/bus.ts');
    const host = createMockHost(manifest);
    const target = document.createElement('div');
    host.mount(mountPlugin, target);
    const answer = target.querySelector<HTMLElement>('[data-testid="bus-answer"]')!;
    click(target, 'bus-ask');
    await until(() => answer.dataset.state === 'done');
    expect(answer.dataset.code).toBe('bus.no_responder');
    const off = host.respond('probe:bus:ask', (p) => ({ doubled: (p as { n: number }).n * 2 }));
    click(target, 'bus-ask');
    await until(() => answer.dataset.code === 'ok');
    expect(answer.textContent).toBe('42');
    off();
  });

  it('Answer_ThenAnotherCardAsks_ItGetsDoubled', async () => {
    const { mountPlugin } = await import('../src/bus.ts');
    const host = createMockHost(manifest);
    const target = document.createElement('div');
    host.mount(mountPlugin, target);
    click(target, 'bus-respond');
    await until(() => host.subscriptions.has('probe:bus:ask'));
    await expect(host.request('probe:bus:ask', { n: 5 })).resolves.toEqual({ doubled: 10 });
  });
});
