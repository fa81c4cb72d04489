import { ApiError } from '../api/client';
import { assetsApi } from '../api/endpoints';
import { toastError } from '../toast/toast.svelte';
import type { AssetType, AssetDto, UploadItem } from './types';
import { uploadAsset } from './upload';

/**
 * The sample 3D model the host serves from its own files (web/public/samples, made by
 * plugins/model-viewer/scripts/make-sample.mjs). "Add sample model" uploads it like any file.
 */
export const SAMPLE_MODEL = { url: '/samples/labyrinth-knot.glb', name: 'Labyrinth knot.glb' } as const;

/** The signed-in person's File Registry: list, filter, upload (with progress), delete. */
export class AssetLibrary {
  items = $state<AssetDto[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
  filter = $state<AssetType | 'all'>('all');
  uploads = $state<UploadItem[]>([]);

  readonly visible: AssetDto[] = $derived(this.filter === 'all' ? this.items : this.items.filter((a) => a.type === this.filter));
  readonly uploading: boolean = $derived(this.uploads.some((u) => u.error === null));

  #nextUpload = 1;
  /** Only this type is listed (the picker); null = every type. */
  readonly #only: AssetType | null;

  constructor(only: AssetType | null = null) {
    this.#only = only;
  }

  async load(): Promise<void> {
    try {
      this.items = await assetsApi.list(this.#only ?? undefined);
      this.error = null;
    } catch (e) {
      this.error = e instanceof ApiError ? e.detail : 'Could not load your assets.';
    } finally {
      this.loaded = true;
    }
  }

  /** Uploads each file; returns the ones the server accepted (newest first in the list). */
  async upload(files: Iterable<File>): Promise<AssetDto[]> {
    const done: AssetDto[] = [];
    for (const file of files) {
      const id = this.#nextUpload++;
      this.uploads.push({ id, name: file.name, loaded: 0, total: file.size, error: null });
      const item = () => this.uploads.find((u) => u.id === id);
      try {
        const a = await uploadAsset(file, file.name || 'file', {
          onProgress: (p) => {
            const u = item();
            if (u) {
              u.loaded = p.loaded;
              u.total = p.total;
            }
          },
        });
        this.uploads = this.uploads.filter((u) => u.id !== id);
        if (!this.#only || a.type === this.#only) this.items = [a, ...this.items.filter((x) => x.id !== a.id)];
        done.push(a);
      } catch (e) {
        const u = item();
        if (u) u.error = e instanceof ApiError ? e.describe() : 'The upload failed.';
      }
    }
    return done;
  }

  /**
   * Fetches the host's sample model and uploads it through the normal path (sniffed, stored,
   * audited like any upload), so a new person has a model to give the 3D card.
   */
  async addSample(): Promise<AssetDto | null> {
    let blob: Blob;
    try {
      const r = await fetch(SAMPLE_MODEL.url, { credentials: 'same-origin' });
      if (!r.ok) throw new Error(String(r.status));
      blob = await r.blob();
    } catch {
      this.uploads.push({ id: this.#nextUpload++, name: SAMPLE_MODEL.name, loaded: 0, total: 0, error: 'The sample model is not available on this server.' });
      return null;
    }
    const [asset] = await this.upload([new File([blob], SAMPLE_MODEL.name, { type: 'model/gltf-binary' })]);
    return asset ?? null;
  }

  dismissUpload(id: number): void {
    this.uploads = this.uploads.filter((u) => u.id !== id);
  }

  async remove(id: string): Promise<boolean> {
    try {
      await assetsApi.remove(id);
      this.items = this.items.filter((a) => a.id !== id);
      return true;
    } catch (e) {
      toastError(e, 'Could not delete the asset.');
      return false;
    }
  }
}
