import { describe, expect, it } from 'vitest';
import { CardPrompts } from './prompts.svelte';

const ask = (windowId: string) => ({ windowId, title: 'T', message: 'M', allowLabel: 'Allow', denyLabel: 'Deny' });

describe('CardPrompts', () => {
  it('consent_TwoCards_ShowsOneAtATimeInOrder', async () => {
    const p = new CardPrompts();
    const a = p.consent(ask('w1'));
    const b = p.consent(ask('w2'));
    expect(p.current?.windowId).toBe('w1');
    if (p.current?.kind === 'consent') p.current.resolve(true);
    expect(await a).toBe(true);
    expect(p.current?.windowId).toBe('w2');
    if (p.current?.kind === 'consent') p.current.resolve(false);
    expect(await b).toBe(false);
  });

  it('dismissFor_CardClosed_AnswersOnlyItsPromptsNo', async () => {
    const p = new CardPrompts();
    const a = p.consent(ask('w1'));
    const pick = p.pickAsset({ windowId: 'w1', cardName: 'C', assetType: 'image' });
    void p.consent(ask('w2'));
    p.dismissFor('w1');
    expect(await a).toBe(false);
    expect(await pick).toBeNull();
    expect(p.queue.map((q) => q.windowId)).toEqual(['w2']);
  });

  it('consent_SignalAlreadyAborted_NeverShows', async () => {
    const p = new CardPrompts();
    const c = new AbortController();
    c.abort();
    expect(await p.consent(ask('w1'), c.signal)).toBe(false);
    expect(p.queue).toHaveLength(0);
  });
});
