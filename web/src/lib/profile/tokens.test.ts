import { describe, expect, it } from 'vitest';
import { describeExpiry } from './tokens.svelte';

describe('describeExpiry', () => {
  const now = new Date('2026-12-05T12:00:00Z');
  const plus = (ms: number) => new Date(now.getTime() + ms).toISOString();

  it('describeExpiry_NoExpiry_NeverExpires', () => expect(describeExpiry(null, now)).toEqual({ text: 'Never expires', expired: false }));
  it('describeExpiry_JustCreatedForSevenDays_SaysSevenDays', () =>
    expect(describeExpiry(plus(7 * 86_400_000 - 5_000), now).text).toBe('Expires in 7 days'));
  it('describeExpiry_HoursLeft_SaysHours', () => expect(describeExpiry(plus(3 * 3_600_000), now).text).toBe('Expires in 3 hours'));
  it('describeExpiry_Past_Expired', () => expect(describeExpiry(plus(-1), now)).toEqual({ text: 'Expired', expired: true }));
});
