// @vitest-environment happy-dom
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { buildPlugin } from '../bin/labyrinth-build.mjs';
import { createMockHost } from '../src/mock-host.ts';
import { cardContract, checkAccessibility } from '../src/testing.ts';
import type { CardModule, MountPlugin } from '../src/types.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TEMPLATE = path.join(HERE, '../../src/Labyrinth.Cli/Templates/svelte');
const outs: string[] = [];
afterAll(() => { for (const o of outs) fs.rmSync(o, { recursive: true, force: true }); });
const tick = () => new Promise((r) => setTimeout(r, 0));

async function failing(mountPlugin: MountPlugin, name: string, options = {}) {
  const check = cardContract({ mountPlugin, ...options }).find((c) => c.name === name)!;
  return check.run().then(() => null, (e: Error) => e.message);
}

describe('cardContract', () => {
  const good: MountPlugin = (target) => { const p = document.createElement('p'); p.textContent = 'ok'; target.append(p); return () => p.remove(); };

  it('GoodCard_EveryCheck_Passes', async () => {
    for (const check of cardContract({ mountPlugin: good })) await check.run();
  });

  it('CardLeavingMarkup_Unmount_Fails', async () => {
    const leaky: MountPlugin = (target) => { target.append(document.createElement('p')); return () => {}; };
    expect(await failing(leaky, 'unmounts cleanly')).toMatch(/destroy left markup behind/);
  });

  it('CardReadingPayloadShape_OtherShape_Fails', async () => {
    const strict: MountPlugin = (target, _p, card) => {
      target.textContent = (card.payload as { rolls: number[] } | null)?.rolls.join(',') ?? 'none';
      return () => { target.textContent = ''; };
    };
    expect(await failing(strict, 'tolerates a payload of another shape')).toMatch(/threw/);
  });

  it('CardSavingOverLimit_Payload_Fails', async () => {
    const big: MountPlugin = (target, _p, card) => {
      const b = document.createElement('button');
      b.onclick = () => { try { card.setPayload('x'.repeat(2 * 1024 * 1024)); } catch { /* the SDK refused it: nothing reached the host */ } };
      target.append(b);
      return () => b.remove();
    };
    const message = await failing(big, 'keeps its payload serialisable and within limits', { interact: (t: HTMLElement) => t.querySelector('button')!.click() });
    expect(message).toMatch(/never called setPayload/);
  });

  it('UnlabelledButton_Accessibility_ReportsButtonName', async () => {
    const target = document.createElement('main');
    target.append(document.createElement('button'));
    document.body.append(target);
    expect((await checkAccessibility(target)).map((f) => f.rule)).toContain('button-name');
    target.remove();
  });
});

describe('the scaffold dice card (plugin new --template svelte)', () => {
  async function dice(): Promise<CardModule> {
    const dir = fs.mkdtempSync(path.join(HERE, '.dice-'));
    outs.push(dir);
    fs.cpSync(TEMPLATE, dir, { recursive: true });
    const manifest = path.join(dir, 'manifest.json');
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replaceAll('__ID__', 'com.example.dice').replaceAll('__NAME__', 'Dice').replaceAll('__AUTHOR__', 'me'));
    await buildPlugin(dir, { force: true });
    return import(/* @vite-ignore */ path.join(dir, 'dist/cards/dice.js'));
  }

  it('Dice_RollTwiceThenRemount_KeepsTheHistory', async () => {
    const { mountPlugin } = await dice();
    const target = document.createElement('div');
    const host = createMockHost({ props: { sides: 6 } });
    host.mount(mountPlugin, target);
    target.querySelector('button')!.click();
    target.querySelector('button')!.click();
    await tick();
    // The history is a $state array: it reaches the host as plain JSON (before the fix: DataCloneError).
    const saved = host.payloads.at(-1) as { value: number }[];
    expect(saved).toHaveLength(2);
    const again = document.createElement('div');
    createMockHost({ props: { sides: 6 }, payload: saved }).mount(mountPlugin, again);
    await tick();
    expect(again.querySelectorAll('li')).toHaveLength(2);
    expect(again.querySelector('[data-testid="last"]')!.textContent).toBe(String(saved[1]!.value));
  });

  it('Dice_Contract_Passes', async () => {
    const { mountPlugin } = await dice();
    for (const check of cardContract({ mountPlugin, props: { sides: 6 }, otherProps: { sides: 20 }, interact: (t) => t.querySelector('button')!.click() })) {
      await check.run();
    }
  });
});
