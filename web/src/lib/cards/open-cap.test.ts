import { describe, expect, it } from 'vitest';
import { canOpen, isOpenCard, MAX_OPEN_CARDS, tooManyOpenMessage } from './open-cap';

const card = (id: string, open: boolean | undefined = true, kind = 'plugin') => ({ id, kind, title: `Card ${id}`, open });

describe('open cap', () => {
  it('isOpenCard_FormWindow_IsNeverAnOpenCard', () => {
    expect(isOpenCard(card('f', true, 'form'))).toBe(false);
  });

  it('isOpenCard_OpenMissing_CountsAsOpen', () => {
    expect(isOpenCard(card('a', undefined))).toBe(true);
  });

  it('canOpen_NineOpen_AllowsTheTenth', () => {
    const ws = [...Array.from({ length: 9 }, (_, i) => card(String(i))), card('x', false)];
    expect(canOpen(ws, 'x').ok).toBe(true);
  });

  it('canOpen_TenOpen_RefusesAndNamesThem', () => {
    const ws = [...Array.from({ length: MAX_OPEN_CARDS }, (_, i) => card(String(i))), card('x', false)];
    const d = canOpen(ws, 'x');
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.message).toContain('At most 10 cards can be open at once. Close one of: Card 0, Card 1');
      expect(d.message).toContain('Card 9');
    }
  });

  it('canOpen_CardAlreadyOpenAmongTen_IsAllowed', () => {
    const ws = Array.from({ length: MAX_OPEN_CARDS }, (_, i) => card(String(i)));
    expect(canOpen(ws, '3').ok).toBe(true);
  });

  it('tooManyOpenMessage_ManyNames_SaysHowManyMore', () => {
    const names = Array.from({ length: 15 }, (_, i) => `N${i}`);
    expect(tooManyOpenMessage(names)).toMatch(/and 3 more\.$/);
  });
});
