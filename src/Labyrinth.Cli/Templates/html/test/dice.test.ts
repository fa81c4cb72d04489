// @vitest-environment happy-dom
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMockHost } from '@labyrinth/sdk/mock';
import { checkAccessibility } from '@labyrinth/sdk/testing';
// @ts-expect-error plain JavaScript without types
import { start } from '../public/cards/dice.js';

function page() {
  const html = fs.readFileSync(new URL('../public/cards/dice.html', import.meta.url), 'utf8');
  document.body.innerHTML = html.slice(html.indexOf('<main>'), html.indexOf('</main>') + 7);
  return document.body;
}

describe('dice card (HTML)', () => {
  it('Roll_Click_SavesTheHistory', () => {
    const body = page();
    const host = createMockHost({ props: { sides: 6 } });
    start(host.card, document);
    body.querySelector('button')!.click();
    expect(host.payloads.at(-1)).toHaveLength(1);
    expect(body.querySelectorAll('li')).toHaveLength(1);
  });

  it('Start_PayloadOfAnotherShape_StartsEmpty', () => {
    const body = page();
    start(createMockHost({ payload: { old: true } }).card, document);
    expect(body.querySelector('[data-testid="last"]')!.textContent).toBe('–');
  });

  it('Render_Accessibility_HasNoSeriousViolations', async () => {
    const body = page();
    start(createMockHost().card, document);
    expect(await checkAccessibility(body)).toEqual([]);
  });
});
