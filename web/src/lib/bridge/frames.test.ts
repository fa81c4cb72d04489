import { describe, expect, it } from 'vitest';
import { isSafeFrameUrl } from './frames';

const origin = 'http://abc.cards.localhost:5080';

describe('isSafeFrameUrl', () => {
  it.each([
    [`${origin}/cap/tok_en-1/cards/frame/dev.x.y/1.0.0/card`, true],
    [`${origin}/cap/tok_en-1/cards/service/dev.x.y/1.0.0/main`, true],
    [`${origin}/cap/tok_en-1/plugins/dev.x.y/1.0.0/cards/a.html`, true],
    ['http://other.cards.localhost:5080/cap/tok_en-1/cards/service/dev.x.y/1.0.0/main', false],
    [`${origin}/api/apps`, false],
    // Without the person's capability prefix a card origin serves nothing: the page never loads such a URL.
    [`${origin}/cards/frame/dev.x.y/1.0.0/card`, false],
    [`${origin}/plugins/dev.x.y/1.0.0/cards/a.html`, false],
    [`${origin}/cap/a%2Fb/cards/frame/dev.x.y/1.0.0/card`, false],
  ])('%s → %s', (url, ok) => {
    expect(isSafeFrameUrl(url, origin)).toBe(ok);
  });
});
