import { describe, expect, it } from 'vitest';
import { buildAuditQuery, pageCount, toIsoInstant } from './audit-query';

describe('buildAuditQuery', () => {
  it('buildAuditQuery_NoFilters_OnlyPaging', () => {
    expect(buildAuditQuery({}, 1, 25)).toBe('?page=1&pageSize=25');
  });
  it('buildAuditQuery_Filters_TrimmedAndEncoded', () => {
    expect(buildAuditQuery({ plugin: ' com.example.hello ', actor: 'ann smith', action: 'plugin.kill' }, 3, 50)).toBe(
      '?plugin=com.example.hello&actor=ann+smith&action=plugin.kill&page=3&pageSize=50',
    );
  });
  it('buildAuditQuery_BlankFilters_LeftOut', () => {
    expect(buildAuditQuery({ plugin: '   ', actor: '', action: '', from: '', to: ' ' }, 2, 10)).toBe('?page=2&pageSize=10');
  });
  it('buildAuditQuery_Times_SentAsUtcIso', () => {
    const q = new URLSearchParams(buildAuditQuery({ from: '2026-11-25T10:00:00Z', to: 'not a date' }, 1, 25));
    expect(q.get('from')).toBe('2026-11-25T10:00:00.000Z');
    expect(q.has('to')).toBe(false);
  });
  it('buildAuditQuery_BadPaging_Clamped', () => {
    expect(buildAuditQuery({}, 0, 0)).toBe('?page=1&pageSize=1');
    expect(buildAuditQuery({}, Number.NaN, 10000)).toBe('?page=1&pageSize=500');
  });
});

describe('toIsoInstant', () => {
  it('toIsoInstant_LocalDateTime_ConvertedToUtc', () => {
    expect(toIsoInstant('2026-11-25T10:00')).toBe(new Date('2026-11-25T10:00').toISOString());
    expect(toIsoInstant('')).toBeNull();
  });
});

describe('pageCount', () => {
  it('pageCount_RoundsUpAndAtLeastOne', () => {
    expect(pageCount(0, 25)).toBe(1);
    expect(pageCount(25, 25)).toBe(1);
    expect(pageCount(26, 25)).toBe(2);
  });
});
