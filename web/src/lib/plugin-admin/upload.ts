import { ApiError, CSRF_HEADER, notifyUnauthorized, parseProblem } from '../api/client';
import type { InstallResultDto } from '../api/types';
import type { UploadProgress } from './types';

export interface UploadOptions {
  /** Allow installing a version lower than the active one (`?rollback=true`). */
  rollback?: boolean;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
}

/**
 * Sends a `.labyrinthplugin` to `POST /api/admin/plugins` with XMLHttpRequest — fetch has no
 * upload progress. Rejects with an ApiError carrying every problem the host reported.
 */
export function uploadPackage(file: Blob, opts: UploadOptions = {}): Promise<InstallResultDto> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/admin/plugins${opts.rollback ? '?rollback=true' : ''}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(CSRF_HEADER)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => opts.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : 0 });
    xhr.onload = () => {
      const text = xhr.responseText;
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(text) as InstallResultDto);
        } catch {
          reject(new ApiError(xhr.status, 'http.bad_json', 'The server sent a response the app could not read.'));
        }
        return;
      }
      if (xhr.status === 401) notifyUnauthorized();
      reject(parseProblem(xhr.status, text, xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network.unreachable', 'The upload did not reach the server. Check your connection.'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled.', 'AbortError'));
    opts.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** Downloads a GET response (with the CSRF header the admin API needs) as a file. */
export async function downloadFile(url: string, fileName: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { ...CSRF_HEADER }, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network.unreachable', 'The server could not be reached. Check your connection.');
  }
  if (!res.ok) {
    if (res.status === 401) notifyUnauthorized();
    throw parseProblem(res.status, await res.text(), res.statusText);
  }
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
