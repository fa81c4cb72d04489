// @vitest-environment happy-dom
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { buildPlugin } from '../../../sdk/bin/labyrinth-build.mjs';
import { createMockHost, type MockHostOptions } from '../../../sdk/src/mock-host.ts';
import type { CardModule, JsonValue } from '../../../sdk/src/types.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MIN = 60_000;
const tick = () => new Promise((r) => setTimeout(r, 0));
let out = '';
let timer: CardModule;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(HERE, '.out-'));
  await buildPlugin(path.join(HERE, '..'), { force: true, out });
  timer = (await import(/* @vite-ignore */ path.join(out, 'cards/timer.js'))) as CardModule;
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

async function mount(options: MockHostOptions = {}) {
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  const host = createMockHost({ topics: { publish: ['timer:countdown:finished'] }, ...options });
  const mounted = host.mount(timer.mountPlugin, target);
  await tick();
  const q = (id: string) => target.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  return { host, mounted, target, q };
}

describe('timer card', () => {
  it('Timer_NewCard_ShowsFiveMinutesIdle', async () => {
    const { q, mounted } = await mount();
    expect(q('timer-digits')?.textContent).toBe('5:00');
    expect(q('timer')?.dataset.running).toBe('false');
    mounted.destroy();
  });

  it('Timer_ReopenedWhileRunning_RemainingDerivedFromClock', async () => {
    const payload = { durationMs: 10 * MIN, remainingMs: 10 * MIN, runningSince: Date.now() - 4 * MIN } as JsonValue;
    const { q, mounted } = await mount({ payload });
    expect(q('timer-digits')?.textContent).toBe('6:00');
    expect(q('timer')?.dataset.running).toBe('true');
    mounted.destroy();
  });

  it('Timer_StartThenPause_SavesStateInPayload', async () => {
    const { q, host, mounted } = await mount();
    q('timer-start')!.click();
    await tick();
    expect(host.payloads.at(-1)).toMatchObject({ durationMs: 5 * MIN, runningSince: expect.any(Number) });
    q('timer-pause')!.click();
    await tick();
    expect(host.payloads.at(-1)).toMatchObject({ runningSince: null });
    mounted.destroy();
  });

  it('Timer_Preset_ChangesDuration', async () => {
    const { q, target, host, mounted } = await mount();
    const presets = target.querySelectorAll<HTMLButtonElement>('[data-testid="timer-preset"]');
    presets[0]!.click();
    await tick();
    expect(q('timer-digits')?.textContent).toBe('1:00');
    expect(host.payloads.at(-1)).toEqual({ durationMs: MIN, remainingMs: MIN, runningSince: null });
    mounted.destroy();
  });

  it('Timer_FinishedWhileClosed_PublishesOnceAndShowsTimeIsUp', async () => {
    const payload = { durationMs: MIN, remainingMs: MIN, runningSince: Date.now() - 2 * MIN } as JsonValue;
    const { q, host, target, mounted } = await mount({ payload, grantedCapabilities: ['crossCard:pubsub'], props: { label: 'Tea' } });
    expect(q('timer-digits')?.textContent).toBe('0:00');
    expect(q('timer')?.dataset.finished).toBe('true');
    expect(target.textContent).toContain('Time is up');
    expect(host.published).toEqual([{ topic: 'timer:countdown:finished', payload: { label: 'Tea', durationMs: MIN } }]);
    expect(host.payloads.at(-1)).toEqual({ durationMs: MIN, remainingMs: 0, runningSince: null });
    mounted.destroy();
  });

  it('Timer_Bounds_DigitsFollowCardSize', async () => {
    const { host, q, mounted } = await mount({ bounds: { width: 200, height: 120 } });
    const small = parseFloat(q('timer')!.style.getPropertyValue('--digits'));
    host.setBounds({ width: 800, height: 600 });
    await tick();
    const big = parseFloat(q('timer')!.style.getPropertyValue('--digits'));
    expect(big).toBeGreaterThan(small * 2);
    mounted.destroy();
  });
});
