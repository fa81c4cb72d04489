/**
 * The classifier's alphabet. `x` covers both the variable and `×` (people draw them alike; the
 * layout parser tells them apart by context), `-` covers minus and the fraction bar (told apart
 * by what lies above and below), `junk` is a stroke group that is not one symbol (parts of two
 * symbols) and steers segmentation away from wrong merges.
 */
export const CLASSES = [
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
  'x', 'y', '+', '-', 'div', '=', '(', ')', '.', 'sqrt', 'pi', 'junk',
] as const;

export type SymbolClass = (typeof CLASSES)[number];
export type Glyph = Exclude<SymbolClass, 'junk'>;

export const CLASS_INDEX: Readonly<Record<SymbolClass, number>> = Object.freeze(
  Object.fromEntries(CLASSES.map((c, i) => [c, i])) as Record<SymbolClass, number>,
);

export const isDigit = (c: string): boolean => c.length === 1 && c >= '0' && c <= '9';
