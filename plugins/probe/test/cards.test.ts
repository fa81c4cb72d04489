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

  it('Attacker_ReceivedLog_ShowsInitWithGrants', async () => {
    const { mountPlugin } = await import('../src/attacker.ts');
    const target = document.createElement('div');
    createMockHost({ ...manifest, grantedCapabilities: ['crossCard:pubsub'] }).mount(mountPlugin, target);
    const log = target.querySelector('[data-testid="probe-received"]')!.textContent!;
    expect(log).toContain('"type":"init"');
    expect(log).toContain('crossCard:pubsub');
  });
});
