/** One roll as the card saves it in its payload. */
export interface Roll {
  value: number;
  sides: number;
  at: string;
}

const isRoll = (v: unknown): v is Roll =>
  typeof v === 'object' && v !== null
  && typeof (v as Roll).value === 'number' && typeof (v as Roll).sides === 'number' && typeof (v as Roll).at === 'string';

/**
 * The rolls in a saved payload. Anything else (no payload yet, or one an earlier version of the
 * card saved in another shape) gives an empty history instead of a broken card.
 */
export function historyOf(payload: unknown): Roll[] {
  return Array.isArray(payload) ? payload.filter(isRoll).slice(-20) : [];
}
