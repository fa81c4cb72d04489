import type { WindowDto } from '../api/types';
import type { Rect, Size } from '../canvas/viewport-math';

/**
 * A window on the board: the wire shape plus client-only state. `open` (docs/api.md "Open /
 * close / cap") is on the wire for plugin windows; a host that predates it omits it, which
 * reads as open (the card behaves as before: its frame is live).
 */
export type WindowState = WindowDto & { open?: boolean };

export type ResizeDir = 'n' | 's' | 'e' | 'w' | 'ne' | 'nw' | 'se' | 'sw';
export const RESIZE_DIRS: readonly ResizeDir[] = ['n', 's', 'e', 'w', 'ne', 'nw', 'se', 'sw'];

/** Smallest window the host allows (docs/api.md: width ≥ 160, height ≥ 100). */
export const BASE_MIN_SIZE: Size = { width: 160, height: 100 };

export const DEFAULT_SIZES: Record<'form' | 'chat' | 'metadata', Size> = {
  form: { width: 360, height: 320 },
  chat: { width: 340, height: 420 },
  metadata: { width: 380, height: 340 },
};

export type { Rect, Size };
