import type { AssetDto, AssetType } from '../api/types';

export type { AssetDto, AssetType };

export const ASSET_TYPES: readonly AssetType[] = ['image', 'pdf', '3d-model', 'text'];

/** One upload in flight or failed (shown in the list until dismissed). */
export interface UploadItem {
  id: number;
  name: string;
  loaded: number;
  total: number;
  /** The server's sentence when it refused the file. */
  error: string | null;
}
