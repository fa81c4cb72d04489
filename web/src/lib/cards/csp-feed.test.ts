import { describe, expect, it, vi } from 'vitest';
import type { CspViolationDto, CspViolationsDto } from '../api/types';
import { CspFeed } from './csp-feed.svelte';

const violation = (seq: number, directive = 'img-src'): CspViolationDto => ({
  seq,
  at: '2026-12-05T08:00:00Z',
  directive,
  blocked: 'https://example.com/x.png',
  sourceFile: null,
  line: null,
  column: null,
  sample: null,
  disposition: 'enforce',
});

describe('CspFeed', () => {
  it('asks each version only for what is newer than the last it saw', async () => {
    const answers: CspViolationsDto[] = [
      { violations: [violation(1), violation(2)], dropped: 0 },
      { violations: [violation(5, 'font-src')], dropped: 3 },
    ];
    const fetch = vi.fn((_p: string, _v: string, _after: number) => Promise.resolve(answers.shift() ?? { violations: [], dropped: 3 }));
    const feed = new CspFeed(fetch);

    await feed.poll('p', '1.0.0-dev.1');
    await feed.poll('p', '1.0.0-dev.1');
    await feed.poll('p', '1.0.0-dev.2');

    expect(fetch.mock.calls.map((c) => [c[1], c[2]])).toEqual([
      ['1.0.0-dev.1', 0],
      ['1.0.0-dev.1', 2],
      ['1.0.0-dev.2', 0],
    ]);
    expect(feed.rows.map((r) => [r.seq, r.version])).toEqual([
      [1, '1.0.0-dev.1'],
      [2, '1.0.0-dev.1'],
      [5, '1.0.0-dev.1'],
    ]);
    expect(feed.dropped).toBe(3);
  });

  it('keeps at most its capacity, newest last', async () => {
    const feed = new CspFeed(() => Promise.resolve({ violations: [1, 2, 3, 4, 5].map((n) => violation(n)), dropped: 0 }), 3);

    await feed.poll('p', '1.0.0');

    expect(feed.rows.map((r) => r.seq)).toEqual([3, 4, 5]);
  });

  it('says why when the host does not answer, and keeps what it had', async () => {
    let fail = false;
    const feed = new CspFeed(() => (fail ? Promise.reject(new Error('Forbidden')) : Promise.resolve({ violations: [violation(1)], dropped: 0 })));
    await feed.poll('p', '1.0.0');
    fail = true;

    await feed.poll('p', '1.0.0');

    expect(feed.error).toBe('Forbidden');
    expect(feed.rows).toHaveLength(1);
  });

  it('stops asking once the overlay closes', async () => {
    vi.useFakeTimers();
    try {
      const fetch = vi.fn(() => Promise.resolve({ violations: [], dropped: 0 }));
      const feed = new CspFeed(fetch);
      const stop = feed.watch('p', '1.0.0', 100);
      await vi.advanceTimersByTimeAsync(250);
      const asked = fetch.mock.calls.length;
      stop();
      await vi.advanceTimersByTimeAsync(1000);

      expect(asked).toBeGreaterThanOrEqual(2);
      expect(fetch.mock.calls.length).toBe(asked);
    } finally {
      vi.useRealTimers();
    }
  });
});
