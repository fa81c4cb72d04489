import type { AuditFilter } from './types';

/**
 * Pure: the query string for `GET /api/admin/audit` (leading `?`). Blank filters are left out;
 * `datetime-local` values (no zone) are read as local time and sent as UTC ISO-8601.
 */
export function buildAuditQuery(filter: Partial<AuditFilter>, page: number, pageSize: number): string {
  const q = new URLSearchParams();
  for (const key of ['plugin', 'actor', 'action'] as const) {
    const v = filter[key]?.trim();
    if (v) q.set(key, v);
  }
  for (const key of ['from', 'to'] as const) {
    const iso = toIsoInstant(filter[key]);
    if (iso) q.set(key, iso);
  }
  q.set('page', String(Math.max(1, Math.floor(page) || 1)));
  q.set('pageSize', String(Math.min(500, Math.max(1, Math.floor(pageSize) || 1))));
  return `?${q.toString()}`;
}

/** `2026-11-25T10:00` (local) or any Date-parsable string → ISO UTC; blank or invalid → null. */
export function toIsoInstant(value: string | undefined): string | null {
  const v = value?.trim();
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Pure: number of pages for a total (at least 1, so "page 1 of 1" on an empty log). */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(Math.max(0, total) / Math.max(1, pageSize)));
}
