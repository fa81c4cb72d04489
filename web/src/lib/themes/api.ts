// Typed calls for docs/api.md "Themes".
import { get, send } from '../api/client';
import type { ThemesResponse } from './types';

export const themesApi = {
  list: () => get<ThemesResponse>('/api/themes'),
  choose: (themeId: string | null) => send<void>('PUT', '/api/me/theme', { themeId }),
  setDefault: (themeId: string | null) => send<void>('PUT', '/api/admin/themes/default', { themeId }),
  /** 200 `{ valid: true }`, or an ApiError whose `problems` carry `{ pointer, message }`. */
  validate: (theme: unknown) => send<{ valid: boolean }>('POST', '/api/themes/validate', theme),
};
