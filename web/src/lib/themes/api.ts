// Typed calls for docs/api.md "Themes".
import { get, request, send } from '../api/client';
import type { ThemesResponse } from './types';

export const themesApi = {
  list: () => get<ThemesResponse>('/api/themes'),
  choose: (themeId: string | null) => send<void>('PUT', '/api/me/theme', { themeId }),
  setDefault: (themeId: string | null) => send<void>('PUT', '/api/admin/themes/default', { themeId }),
  /**
   * 200 `{ valid: true }`, or an ApiError whose `problems` carry `{ pointer, message }`. The text
   * (or file) is sent as written, so the host judges the same bytes a package would carry:
   * duplicate keys, a BOM or bytes that are not UTF-8 are refused here as at upload.
   */
  validate: async (json: string | Blob) =>
    (await request<{ valid: boolean }>('/api/themes/validate', { method: 'POST', json })).data,
};
