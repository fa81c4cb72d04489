import type { AssetDto, AssetType } from '../api/types';

export type { AssetDto, AssetType };

export { ASSET_TYPES } from '../../../../sdk/src/protocol.ts';

/** One upload in flight or failed (shown in the list until dismissed). */
export interface UploadItem {
  id: number;
  name: string;
  loaded: number;
  total: number;
  /** The server's sentence when it refused the file. */
  error: string | null;
}
