import type { LastBackupDto } from './types';

/** `86400` → `every day`, `21600` → `every 6 hours`. */
export function describeInterval(seconds: number): string {
  const units: [number, string][] = [
    [7 * 86400, 'week'],
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return n === 1 ? `every ${name}` : `every ${n} ${name}s`;
    }
  }
  return `every ${Math.round(seconds / 60)} minutes`;
}

/** How long ago, in the largest whole unit: `just now`, `5 minutes ago`, `3 days ago`. */
export function ago(iso: string, now: Date = new Date()): string {
  const ms = now.getTime() - new Date(iso).getTime();
  if (!Number.isFinite(ms)) return '';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  const [n, unit] = minutes < 60 ? [minutes, 'minute'] : minutes < 2880 ? [Math.floor(minutes / 60), 'hour'] : [Math.floor(minutes / 1440), 'day'];
  return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

/** `downloaded by admin` / `scheduled, labyrinth-backup-….zip`. */
export function describeRoute(last: LastBackupDto): string {
  return last.kind === 'download' ? `downloaded by ${last.by ?? 'an admin'}` : `scheduled${last.fileName ? `, ${last.fileName}` : ''}`;
}

/** True once the host has recorded a backup other than the one known before a download began. */
export function isNewBackup(before: string | null, last: LastBackupDto | null): boolean {
  return last !== null && last.at !== before;
}
