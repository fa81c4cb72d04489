// Open / close / cap rules for plugin cards (docs/api.md "Open / close / cap"), pure so they are
// testable without a DOM.

/** Most plugin cards with a live frame on one board (seed 002; the server enforces it too). */
export const MAX_OPEN_CARDS = 10;

export interface CardLike {
  id: string;
  kind: string;
  title: string;
  open?: boolean;
}

/** A plugin window whose live frame is mounted. Other kinds are never "open cards". */
export function isOpenCard(w: CardLike): boolean {
  return w.kind === 'plugin' && w.open !== false;
}

export function openCards<T extends CardLike>(windows: readonly T[]): T[] {
  return windows.filter(isOpenCard);
}

export type OpenDecision = { ok: true } | { ok: false; message: string };

/** May card `id` open now? The refusal names the open cards so the person knows what to close. */
export function canOpen(windows: readonly CardLike[], id: string, max = MAX_OPEN_CARDS): OpenDecision {
  const open = openCards(windows).filter((w) => w.id !== id);
  if (open.length < max) return { ok: true };
  return { ok: false, message: tooManyOpenMessage(open.map((w) => w.title), max) };
}

export function tooManyOpenMessage(names: readonly string[], max = MAX_OPEN_CARDS): string {
  const shown = names.slice(0, 12).map((n) => n.trim() || 'Untitled');
  const more = names.length > shown.length ? `, and ${names.length - shown.length} more` : '';
  return `At most ${max} cards can be open at once. Close one of: ${shown.join(', ')}${more}.`;
}
