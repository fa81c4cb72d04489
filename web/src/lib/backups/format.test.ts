import { describe, expect, it } from 'vitest';
import { ago, describeInterval, describeRoute, isNewBackup } from './format';

describe('backup formatting', () => {
  it('describeInterval_WholeUnits_NamesThem', () => {
    expect(describeInterval(86400)).toBe('every day');
    expect(describeInterval(6 * 3600)).toBe('every 6 hours');
    expect(describeInterval(7 * 86400)).toBe('every week');
    expect(describeInterval(90 * 60)).toBe('every 90 minutes');
  });
  it('ago_PastTimes_InTheLargestUnit', () => {
    const now = new Date('2026-12-05T12:00:00Z');
    expect(ago('2026-12-05T11:59:30Z', now)).toBe('just now');
    expect(ago('2026-12-05T11:55:00Z', now)).toBe('5 minutes ago');
    expect(ago('2026-12-05T11:00:00Z', now)).toBe('1 hour ago');
    expect(ago('2026-12-02T12:00:00Z', now)).toBe('3 days ago');
  });
  it('describeRoute_SaysWhoOrWhichFile', () => {
    const base = { at: '2026-12-05T12:00:00Z', bytes: 1, fileName: null, by: 'admin' };
    expect(describeRoute({ ...base, kind: 'download' })).toBe('downloaded by admin');
    expect(describeRoute({ ...base, kind: 'scheduled', by: 'system', fileName: 'b.zip' })).toBe('scheduled, b.zip');
  });
  it('isNewBackup_OnlyWhenTheLastOneChanged', () => {
    const last = { at: 't2', kind: 'download' as const, bytes: 1, by: 'a', fileName: null };
    expect(isNewBackup(null, null)).toBe(false);
    expect(isNewBackup('t2', last)).toBe(false);
    expect(isNewBackup('t1', last)).toBe(true);
    expect(isNewBackup(null, last)).toBe(true);
  });
});
