import { ApiError, CSRF_HEADER, notifyUnauthorized, parseProblem } from '../api/client';
import type { AssetDto } from '../api/types';

export interface AssetUploadProgress {
  loaded: number;
  total: number;
}

/**
 * `POST /api/assets?name=…` with the raw bytes (octet-stream, CSRF header), via XMLHttpRequest
 * for upload progress. The server decides the type from the bytes; a refusal is an ApiError
 * with the server's sentence.
 */
export function uploadAsset(file: Blob, name: string, opts: { onProgress?: (p: AssetUploadProgress) => void; signal?: AbortSignal } = {}): Promise<AssetDto> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/assets?name=${encodeURIComponent(name.slice(0, 200))}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(CSRF_HEADER)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => opts.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as AssetDto);
        } catch {
          reject(new ApiError(xhr.status, 'http.bad_json', 'The server sent a response the app could not read.'));
        }
        return;
      }
      if (xhr.status === 401) notifyUnauthorized();
      reject(parseProblem(xhr.status, xhr.responseText, xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network.unreachable', 'The upload did not reach the server. Check your connection.'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled.', 'AbortError'));
    opts.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

const UNITS = ['B', 'KB', 'MB', 'GB'];

/** 1536 → "1.5 KB". */
export function formatBytes(n: number): string {
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[i]}`;
}

export const ASSET_TYPE_LABELS: Record<string, string> = {
  image: 'Image',
  pdf: 'PDF',
  '3d-model': '3D model',
  text: 'Text',
};

/** What the file input accepts per asset type (a hint: the server checks the bytes). */
export const ACCEPT_FOR: Record<string, string> = {
  image: 'image/png,image/jpeg,image/gif,image/webp',
  pdf: 'application/pdf,.pdf',
  '3d-model': '.glb,.gltf,model/gltf-binary,model/gltf+json',
  text: 'text/plain,.txt,.md,.csv,.json',
};
