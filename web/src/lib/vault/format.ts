export { formatBytes, formatTime } from '../plugin-admin/format';

/** `abcd` → `••••abcd`: the only part of a secret the UI ever shows. */
export function maskedLast4(last4: string | null | undefined): string {
  return `••••${(last4 ?? '').slice(-4)}`;
}

/** An optional time, or "never". */
export function formatOptionalTime(iso: string | null | undefined, format: (iso: string) => string): string {
  return iso ? format(iso) : 'never';
}
