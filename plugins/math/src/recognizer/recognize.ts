/**
 * Handwritten math → LaTeX, offline: clean the ink, segment strokes into symbols with the
 * classifier, parse the 2-D layout. The card, `scripts/recognize.mjs` and the bench all run this.
 */
import { clean, referenceSize, type Stroke } from './ink.ts';
import { parseLayout } from './layout.ts';
import { decodeBase64, loadClassifier, type Classifier } from './model.ts';
import { segment, type Segment } from './segment.ts';
import { toLatex, type Node } from './tree.ts';
import { MODEL_BASE64 } from './weights.ts';

export interface Recognition {
  latex: string;
  tree: Node[];
  symbols: Segment[];
}

let shared: Classifier | null = null;
/** The bundled classifier, decoded on first use (~1 ms). */
export function defaultClassifier(): Classifier {
  shared ??= loadClassifier(decodeBase64(MODEL_BASE64));
  return shared;
}

/** `strokes`: `[[x, y, …], …]` per stroke, y down, any scale; extra coordinates (pressure) ignored. */
export function recognize(strokes: readonly (readonly (readonly number[])[])[], model: Classifier = defaultClassifier()): Recognition {
  const ink: Stroke[] = clean(strokes);
  if (!ink.length) return { latex: '', tree: [], symbols: [] };
  const ref = referenceSize(ink);
  const symbols = segment(ink, ref, model);
  const tree = parseLayout(symbols.map((s) => ({ glyph: s.glyph, box: s.box })), ref);
  return { latex: toLatex(tree), tree, symbols };
}
