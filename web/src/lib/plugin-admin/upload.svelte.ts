import { ApiError, type Problem } from '../api/client';
import type { InstallResultDto } from '../api/types';
import { formatBytes } from './format';
import { MAX_PACKAGE_BYTES, type UploadProgress } from './types';
import { uploadPackage } from './upload';

/** Upload of one package: progress, and on failure the whole problem list. */
export class UploadState {
  busy = $state(false);
  fileName = $state<string | null>(null);
  progress = $state<UploadProgress | null>(null);
  /** Headline of the last failure. */
  error = $state<string | null>(null);
  errorCode = $state<string | null>(null);
  problems = $state<Problem[]>([]);
  rollback = $state(false);
  dragging = $state(false);

  readonly #onInstalled: (r: InstallResultDto) => void | Promise<void>;
  #controller: AbortController | null = null;

  constructor(onInstalled: (r: InstallResultDto) => void | Promise<void>) {
    this.#onInstalled = onInstalled;
  }

  /** Every byte is sent; the host is verifying and installing (can take a while for big packages). */
  get processing(): boolean {
    const p = this.progress;
    return this.busy && p !== null && p.total > 0 && p.loaded >= p.total;
  }

  /** 0..1, or null while the size is unknown. */
  get fraction(): number | null {
    const p = this.progress;
    return p && p.total > 0 ? Math.min(1, p.loaded / p.total) : null;
  }

  async upload(file: File): Promise<void> {
    if (this.busy) return;
    this.fileName = file.name;
    this.error = null;
    this.errorCode = null;
    this.problems = [];
    if (!file.name.toLowerCase().endsWith('.labyrinthplugin')) {
      this.error = `“${file.name}” is not a .labyrinthplugin package.`;
      this.errorCode = 'package.extension';
      return;
    }
    if (file.size > MAX_PACKAGE_BYTES) {
      this.error = `“${file.name}” is ${formatBytes(file.size)}; packages may be at most ${formatBytes(MAX_PACKAGE_BYTES)}.`;
      this.errorCode = 'package.too_large';
      return;
    }
    this.busy = true;
    this.progress = { loaded: 0, total: file.size };
    this.#controller = new AbortController();
    try {
      const result = await uploadPackage(file, {
        rollback: this.rollback,
        signal: this.#controller.signal,
        onProgress: (p) => (this.progress = p),
      });
      this.rollback = false;
      await this.#onInstalled(result);
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') {
        this.error = 'Upload cancelled.';
      } else if (e instanceof ApiError) {
        this.error = e.detail;
        this.errorCode = e.code;
        this.problems = e.problems;
      } else {
        this.error = 'The upload failed.';
      }
    } finally {
      this.busy = false;
      this.progress = null;
      this.#controller = null;
    }
  }

  cancel(): void {
    this.#controller?.abort();
  }

  onDrop = (e: DragEvent): void => {
    e.preventDefault();
    this.dragging = false;
    const file = e.dataTransfer?.files?.[0];
    if (file) void this.upload(file);
  };

  onDragOver = (e: DragEvent): void => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  };

  onDragLeave = (e: DragEvent): void => {
    const to = e.relatedTarget as Node | null;
    if (!to || !(e.currentTarget as Node).contains(to)) this.dragging = false;
  };
}
