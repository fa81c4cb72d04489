// @vitest-environment happy-dom
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { buildPlugin } from '../bin/labyrinth-build.mjs';
import { createMockHost } from '../src/mock-host.ts';
import type { CardModule } from '../src/types.ts';
import { writeFixturePlugin } from './fixture.ts';

// happy-dom replaces the global URL; resolve from the file path instead.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const HELLO = path.join(HERE, '../../plugins/hello');
const NOTES = path.join(HERE, '../../plugins/notes');
const tick = () => new Promise((r) => setTimeout(r, 0));

// Outputs live under the test directory: the test runner loads modules from the project tree.
const outs: string[] = [];
afterAll(() => { for (const o of outs) fs.rmSync(o, { recursive: true, force: true }); });

async function buildAndImport(dir: string, entry: string): Promise<CardModule> {
  const out = fs.mkdtempSync(path.join(HERE, '.out-'));
  outs.push(out);
  await buildPlugin(dir, { force: true, out });
  return import(/* @vite-ignore */ path.join(out, entry));
}

describe('built Svelte cards', () => {
  let hello: CardModule;
  beforeAll(async () => { hello = await buildAndImport(HELLO, 'cards/hello.js'); });

  it('Hello_Mount_RendersNameAndSavedCount', async () => {
    const target = document.createElement('div');
    const host = createMockHost({ props: { name: 'Ada' }, payload: { count: 4 } });
    const mounted = host.mount(hello.mountPlugin, target);
    await tick();
    expect(target.querySelector('h1')?.textContent).toBe('Hello, Ada!');
    expect(target.querySelector('[data-testid="count"]')?.textContent).toBe('Count: 4');
    mounted.destroy();
    expect(target.innerHTML.trim()).toBe('');
  });

  it('Hello_Click_IncrementsAndSetsPayload', async () => {
    const target = document.createElement('div');
    document.body.append(target);
    const host = createMockHost({ props: { name: 'Ada' } });
    host.mount(hello.mountPlugin, target);
    const button = target.querySelector<HTMLButtonElement>('[data-testid="count"]')!;
    button.click(); button.click();
    await tick();
    expect(button.textContent).toBe('Count: 2');
    expect(host.payloads).toEqual([{ count: 1 }, { count: 2 }]);
    target.remove();
  });

  it('Hello_Update_ChangesPropsInPlaceWithoutRemount', async () => {
    const target = document.createElement('div');
    document.body.append(target);
    const host = createMockHost({ props: { name: 'Ada' } });
    const mounted = host.mount(hello.mountPlugin, target);
    const button = target.querySelector<HTMLButtonElement>('[data-testid="count"]')!;
    const heading = target.querySelector('h1')!;
    button.click();
    await tick();
    host.setProps({ name: 'Grace' });
    await tick();
    expect(mounted.inPlace).toBe(true);
    expect(target.querySelector('h1')).toBe(heading); // same node: not remounted
    expect(heading.textContent).toBe('Hello, Grace!');
    expect(target.querySelector('[data-testid="count"]')).toBe(button);
    expect(button.textContent).toBe('Count: 1'); // state kept
    host.setProps({});
    await tick();
    expect(heading.textContent).toBe('Hello, world!'); // removed prop falls back to its default
    target.remove();
  });

  it('Fixture_SvelteModuleState_WorksThroughCompileModule', async () => {
    const mod = await buildAndImport(writeFixturePlugin(), 'cards/counter.js');
    const target = document.createElement('div');
    const host = createMockHost({ props: { label: 'Clicks' }, payload: { n: 7 } });
    host.mount(mod.mountPlugin, target);
    const button = target.querySelector('button')!;
    button.click();
    await tick();
    expect(button.textContent).toBe('8');
    expect(host.payloads).toEqual([{ n: 8 }]);
    expect(target.querySelector('.label')?.textContent).toBe('Clicks');
  });

  it('Notes_Typing_SavesDebouncedAndCountsCharacters', async () => {
    const notes = await buildAndImport(NOTES, 'cards/note.js');
    const target = document.createElement('div');
    document.body.append(target);
    const host = createMockHost({ payload: { text: 'hi' } });
    const mounted = host.mount(notes.mountPlugin, target);
    const area = target.querySelector('textarea')!;
    expect(area.value).toBe('hi');
    expect(target.querySelector(`label[for="${area.id}"]`)).not.toBeNull();
    area.value = 'hello';
    area.dispatchEvent(new Event('input', { bubbles: true }));
    await tick();
    expect(target.querySelector('[data-testid="chars"]')?.textContent).toBe('5 characters');
    expect(host.payloads).toEqual([]); // debounced
    await new Promise((r) => setTimeout(r, 350));
    expect(host.payloads).toEqual([{ text: 'hello' }]);
    area.value = 'hello!';
    area.dispatchEvent(new Event('input', { bubbles: true }));
    mounted.destroy(); // flushes the pending save
    expect(host.payloads).toEqual([{ text: 'hello' }, { text: 'hello!' }]);
    target.remove();
  });
});
