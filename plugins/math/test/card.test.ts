// @vitest-environment happy-dom
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { buildPlugin } from '../../../sdk/bin/labyrinth-build.mjs';
import { createMockHost, type MockHostOptions } from '../../../sdk/src/mock-host.ts';
import type { CardModule, SelectionSnapshot } from '../../../sdk/src/types.ts';
import { TWO_PLUS_THREE } from './fixtures.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
let out = '';
let math: CardModule;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(HERE, '.out-'));
  await buildPlugin(path.join(HERE, '..'), { force: true, out });
  math = (await import(/* @vite-ignore */ path.join(out, 'cards/math.js'))) as CardModule;
}, 180_000); // bundling and brotli-compressing the card on a loaded 2-core machine
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/** The 8-byte PNG signature plus a byte: the frame checks the signature, the card only shows it. */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);

function selection(ink: [number, number][][]): SelectionSnapshot {
  return {
    id: 'sel_1', width: 120, height: 40, createdAt: new Date().toISOString(),
    strokes: ink.map((s) => ({ points: s.map(([x, y]) => [x, y, 0.5] as const), color: '#111111', width: 2 })),
    image: { mediaType: 'image/png', data: PNG.slice().buffer },
  };
}

async function until<T>(fn: () => T | null | undefined | false, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function mount(options: MockHostOptions = {}) {
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  const host = createMockHost({ card: { typeID: 'math', pluginId: 'dev.labyrinth.math' }, ...options });
  const mounted = host.mount(math.mountPlugin, target);
  await new Promise((r) => setTimeout(r, 0)); // effects (onMount) run after mount returns
  const q = <T extends HTMLElement = HTMLElement>(id: string) => target.querySelector<T>(`[data-testid="${id}"]`);
  const result = () => q('math-result')?.querySelector('.katex-html')?.textContent ?? q('math-result')?.textContent ?? '';
  return { host, mounted, target, q, result };
}

function type(input: HTMLInputElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('math card', () => {
  it('MathCard_PushedSelection_CountsStrokesRecognisesAndShowsFive', async () => {
    const { host, q, result, mounted } = await mount();
    expect(host.pushSelection(selection(TWO_PLUS_THREE))).toBe(true);
    await until(() => q('math-stroke-count')?.textContent?.includes(`${TWO_PLUS_THREE.length} strokes received`), 'stroke count');
    expect(q<HTMLImageElement>('math-preview')?.getAttribute('src')).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    await until(() => q<HTMLInputElement>('math-latex')?.value === '2+3', 'recognised latex');
    await until(() => result().includes('=5'), 'result 5');
    expect(host.payloads.at(-1)).toMatchObject({ latex: '2+3', recognized: '2+3', strokes: TWO_PLUS_THREE.length, result: '5' });
    mounted.destroy();
  });

  it('MathCard_EditedExpression_ReevaluatesAndSaves', async () => {
    const { host, q, result, mounted } = await mount({ payload: { v: 1, latex: '2+3', recognized: '2+3', strokes: 4 } });
    await until(() => result().includes('=5'), 'result 5');
    type(q<HTMLInputElement>('math-latex')!, '2+3*4');
    await until(() => result().includes('=14'), 'result 14');
    // Typing is debounced; the saved payload follows.
    await until(() => (host.payloads.at(-1) as { latex?: string } | undefined)?.latex === '2+3*4', 'saved edit');
    expect(host.payloads.at(-1)).toMatchObject({ latex: '2+3*4', result: '14', recognized: '2+3' });
    expect(q('math-recognized')?.textContent).toContain('edited since');
    mounted.destroy();
  });

  it('MathCard_SavedPayload_RestoredOnReopen', async () => {
    const first = await mount();
    type(first.q<HTMLInputElement>('math-latex')!, '2x+3=7');
    first.mounted.destroy(); // closing flushes the pending save
    const saved = first.host.payloads.at(-1)!;
    expect(saved).toMatchObject({ latex: '2x+3=7', result: 'x=2' });
    const again = await mount({ payload: saved });
    expect(again.q<HTMLInputElement>('math-latex')?.value).toBe('2x+3=7');
    await until(() => again.result().includes('x=2'), 'solution x=2');
    again.mounted.destroy();
  });

  it('MathCard_FunctionOfX_PlotsAndKeepsRange', async () => {
    const { host, q, mounted } = await mount({ payload: { v: 1, latex: 'y=x^{2}', plot: { xMin: -2, xMax: 2, yAuto: true, yMin: -10, yMax: 10 } } });
    const curve = await until(() => q('math-curve'), 'plot');
    expect(curve.getAttribute('d')).toMatch(/^M0\.0 /);
    expect(q<HTMLInputElement>('plot-xmin')?.value).toBe('-2');
    const xmax = q<HTMLInputElement>('plot-xmax')!;
    xmax.value = '5';
    xmax.dispatchEvent(new Event('change', { bubbles: true }));
    await until(() => (host.payloads.at(-1) as { plot?: { xMax?: number } } | undefined)?.plot?.xMax === 5, 'saved range');
    expect(q('math-plot')?.getAttribute('aria-label')).toContain('from -2 to 5');
    mounted.destroy();
  });

  it('MathCard_HostilePayload_MountsEmpty', async () => {
    const { q, mounted } = await mount({ payload: { latex: 42, preview: 'javascript:alert(1)', plot: { xMin: 'a', xMax: -5 }, strokes: -3 } as never });
    expect(q<HTMLInputElement>('math-latex')?.value).toBe('');
    expect(q('math-preview')).toBeNull();
    expect(q('math-stroke-count')?.textContent).toContain('Lasso');
    mounted.destroy();
  });

  it('MathCard_BadExpression_ExplainsWithoutThrowing', async () => {
    const { q, mounted } = await mount({ payload: { v: 1, latex: '2+' } });
    await until(() => q('math-result')?.querySelector('[role="alert"]')?.textContent?.includes('missing'), 'error sentence');
    mounted.destroy();
  });

  it('MathCard_SameSelectionPushedAfterReload_KeepsThePersonsEdit', async () => {
    const first = await mount();
    first.host.pushSelection(selection(TWO_PLUS_THREE));
    await until(() => first.q<HTMLInputElement>('math-latex')?.value === '2+3', 'recognised latex');
    type(first.q<HTMLInputElement>('math-latex')!, '2+3*4');
    first.mounted.destroy();
    // A reload: the saved payload, then the host pushes the stored share again (same id).
    const again = await mount({ payload: first.host.payloads.at(-1)! });
    again.host.pushSelection(selection(TWO_PLUS_THREE));
    await until(() => again.q('math')?.dataset.selection === 'sel_1', 'the share received');
    await new Promise((r) => setTimeout(r, 0)); // where a recognition would have run
    expect(again.target.textContent).not.toContain('Recognising');
    expect(again.q<HTMLInputElement>('math-latex')?.value).toBe('2+3*4');
    await until(() => again.result().includes('=14'), 'result 14');
    expect(again.host.payloads).toEqual([]);
    again.mounted.destroy();
  });

  it('MathCard_SelectionRevoked_DropsInkKeepsExpressionAndResult', async () => {
    const { host, q, result, target, mounted } = await mount();
    host.pushSelection(selection(TWO_PLUS_THREE));
    await until(() => q<HTMLInputElement>('math-latex')?.value === '2+3', 'recognised latex');
    type(q<HTMLInputElement>('math-latex')!, '2+3*4');
    expect(host.revokeSelection()).toBe(true);
    await until(() => q('math-revoked'), 'the revoked notice');
    expect(q('math-preview')).toBeNull();
    expect(q('math')?.dataset.selection).toBe('');
    expect(target.textContent).not.toContain('strokes received');
    expect(q<HTMLInputElement>('math-latex')?.value).toBe('2+3*4');
    await until(() => result().includes('=14'), 'result 14');
    // Saved at once, without the ink's image, count or reading.
    expect(host.payloads.at(-1)).toMatchObject({ latex: '2+3*4', result: '14', preview: null, strokes: 0, recognized: null, selection: { id: 'sel_1', revoked: true } });
    mounted.destroy();
  });

  it('MathCard_RevokedBeforeTheShareIsPushedAgain_DropsTheSavedInk', async () => {
    const first = await mount();
    first.host.pushSelection(selection(TWO_PLUS_THREE));
    await until(() => first.q<HTMLInputElement>('math-latex')?.value === '2+3', 'recognised latex');
    first.mounted.destroy();
    const again = await mount({ payload: first.host.payloads.at(-1)! });
    expect(again.q('math-preview')).not.toBeNull();
    again.host.revokeSelection('sel_1');
    await until(() => again.q('math-revoked'), 'the revoked notice');
    expect(again.q('math-preview')).toBeNull();
    expect(again.host.payloads.at(-1)).toMatchObject({ latex: '2+3', preview: null, selection: { id: 'sel_1', revoked: true } });
    again.mounted.destroy();
  });

  it('MathCard_RevokedPayload_NeverShowsInkAgain', async () => {
    const { q, mounted } = await mount({ payload: { v: 1, latex: '2+3', recognized: '2+3', strokes: 3, preview: 'data:image/png;base64,iVBORw0KGgo=', selection: { id: 'sel_1', revoked: true } } });
    expect(q('math-preview')).toBeNull();
    expect(q('math-revoked')).not.toBeNull();
    expect(q<HTMLInputElement>('math-latex')?.value).toBe('2+3');
    mounted.destroy();
  });
});
