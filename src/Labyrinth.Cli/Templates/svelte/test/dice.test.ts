// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createMockHost } from '@labyrinth/sdk/mock';
import { cardContract, checkAccessibility } from '@labyrinth/sdk/testing';
// `npm test` builds first: the test runs the very bundle the host will serve.
import { mountPlugin } from '../dist/cards/dice.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('dice card', () => {
  it('Roll_Click_SavesTheHistoryAsPlainJson', async () => {
    const target = document.createElement('div');
    const host = createMockHost({ props: { sides: 6 } });
    host.mount(mountPlugin, target);
    target.querySelector('button')!.click();
    target.querySelector('button')!.click();
    await tick();
    expect(host.payloads).toHaveLength(2);
    expect(host.payloads.at(-1)).toHaveLength(2);
    expect(target.querySelectorAll('li')).toHaveLength(2);
  });

  it('Mount_SavedHistory_ShowsIt', async () => {
    const target = document.createElement('div');
    const host = createMockHost({ payload: [{ value: 4, sides: 6, at: '2026-01-01T00:00:00Z' }] });
    host.mount(mountPlugin, target);
    await tick();
    expect(target.querySelector('[data-testid="last"]')!.textContent).toBe('4');
  });

  it('Render_Accessibility_HasNoSeriousViolations', async () => {
    const target = document.createElement('main');
    document.body.append(target);
    createMockHost().mount(mountPlugin, target);
    await tick();
    expect(await checkAccessibility(target)).toEqual([]);
    target.remove();
  });
});

describe('dice card contract', () => {
  const checks = cardContract({
    mountPlugin,
    props: { sides: 6 },
    otherProps: { sides: 20 },
    payload: [{ value: 2, sides: 6, at: '2026-01-01T00:00:00Z' }],
    interact: (target) => { target.querySelector('button')!.click(); },
  });
  for (const check of checks) it(check.name, check.run);
});
