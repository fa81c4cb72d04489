// The Backups admin page's wire types: GET /api/admin/backups (docs/api.md "Backups").

export type BackupKind = 'download' | 'scheduled';

export interface LastBackupDto {
  at: string;
  kind: BackupKind;
  bytes: number;
  /** Who downloaded it, or "system" for a scheduled backup. */
  by: string | null;
  /** The scheduled backup's file name in the backup directory. */
  fileName: string | null;
}

export interface BackupFileDto {
  name: string;
  bytes: number;
  at: string;
}

export interface BackupErrorDto {
  at: string;
  message: string;
}

/** Present only when `Labyrinth:Backup:Schedule` is set. */
export interface BackupScheduleDto {
  schedule: string;
  intervalSeconds: number;
  directory: string;
  keep: number;
  lastSuccessAt: string | null;
  nextAt: string;
  health: 'ok' | 'degraded';
  healthDescription: string;
  lastError: BackupErrorDto | null;
  /** Scheduled backups in the directory, newest first. */
  files: BackupFileDto[];
}

export interface BackupStatusDto {
  last: LastBackupDto | null;
  schedule: BackupScheduleDto | null;
}

/** A plain link: the browser streams the archive to disk, the page never holds it. */
export const BACKUP_DOWNLOAD_URL = '/api/admin/backups/download';
