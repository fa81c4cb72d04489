import { ApiError, get } from '../api/client';
import { isNewBackup } from './format';
import type { BackupStatusDto } from './types';

const WATCH_EVERY_MS = 1000;
const WATCH_FOR_MS = 30 * 60_000;

/**
 * The Backups page: the host's backup status, and — after a person starts a download — watching
 * until the host records that backup, so "Last backup" updates without a reload. The download
 * itself is a plain link the browser streams to disk.
 */
export class BackupsState {
  status = $state<BackupStatusDto | null>(null);
  loadError = $state<string | null>(null);
  /** From a click on Download until the host has recorded the new backup (or gave up). */
  downloading = $state(false);

  #timer: ReturnType<typeof setTimeout> | null = null;

  async load(): Promise<void> {
    try {
      this.status = await get<BackupStatusDto>('/api/admin/backups');
      this.loadError = null;
    } catch (e) {
      this.loadError = `Could not load the backup status: ${e instanceof ApiError ? e.describe() : 'unexpected error.'}`;
    }
  }

  /** Called when the Download link is clicked; the browser takes care of the file. */
  downloadStarted(): void {
    const before = this.status?.last?.at ?? null;
    const until = Date.now() + WATCH_FOR_MS;
    this.downloading = true;
    this.#stop();
    const tick = async () => {
      await this.load();
      if (isNewBackup(before, this.status?.last ?? null) || Date.now() > until) {
        this.downloading = false;
        this.#timer = null;
        return;
      }
      this.#timer = setTimeout(() => void tick(), WATCH_EVERY_MS);
    };
    this.#timer = setTimeout(() => void tick(), WATCH_EVERY_MS);
  }

  dispose(): void {
    this.#stop();
  }

  #stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
