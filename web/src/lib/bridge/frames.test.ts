import { describe, expect, it } from 'vitest';
import { isSafeFrameUrl } from './frames';

const origin = 'http://abc.cards.localhost:5080';

describe('isSafeFrameUrl', () => {
  it.each([
    [`${origin}/cards/frame/dev.x.y/1.0.0/card`, true],
    [`${origin}/cards/service/dev.x.y/1.0.0/main`, true],
    [`${origin}/plugins/dev.x.y/1.0.0/cards/a.html`, true],
    ['http://other.cards.localhost:5080/cards/service/dev.x.y/1.0.0/main', false],
    [`${origin}/api/apps`, false],
  ])('%s → %s', (url, ok) => {
    expect(isSafeFrameUrl(url, origin)).toBe(ok);
  });
});
