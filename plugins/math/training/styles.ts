/** The training styles (A): handwriting templates and Hershey fonts of set A, distortion A. */
import { hersheySource } from './hershey.ts';
import { distortA, SPACING_A, templateSource, type GlyphSource, type Style } from './synth.ts';

/** Hershey families used for training; bench/math holds out the others. */
// Single-stroke families only: the complex and duplex ones draw thick parts as parallel lines,
// which no pen does.
export const TRAIN_FONTS = ['futural', 'scripts'];
export const TRAIN_GREEK = ['greek'];

export function trainingStyles(): { style: Style; weight: number }[] {
  const hershey: GlyphSource = hersheySource(TRAIN_FONTS, TRAIN_GREEK, templateSource);
  // Per symbol, not per expression: a person's 4 may look like one font and their 7 like another.
  const mixed: GlyphSource = (p, r) => (r() < 0.6 ? templateSource(p, r) : hershey(p, r));
  return [
    { style: { glyph: templateSource, distort: distortA, spacing: SPACING_A, slant: [-0.15, 0.3] }, weight: 0.45 },
    { style: { glyph: mixed, distort: distortA, spacing: SPACING_A, slant: [-0.15, 0.3] }, weight: 0.35 },
    { style: { glyph: hershey, distort: distortA, spacing: SPACING_A, slant: [-0.1, 0.25] }, weight: 0.2 },
  ];
}
