import { describe, expect, it } from 'vitest';
import { CLASSES, type SymbolClass } from '../src/recognizer/classes.ts';
import { clean, referenceSize } from '../src/recognizer/ink.ts';
import type { Classifier } from '../src/recognizer/model.ts';
import { FEATURES, SIZE } from '../src/recognizer/raster.ts';
import { candidateGroups, segment } from '../src/recognizer/segment.ts';
import { recognize } from '../src/recognizer/recognize.ts';
import { GLYPHS, line, write } from './fixtures.ts';

/** A classifier scripted by stroke count and size (the encoder's features), to test the search alone. */
function scripted(rule: (strokes: number, tiny: boolean) => [SymbolClass, number]): Classifier {
  return {
    classify(input) {
      const f = SIZE * SIZE;
      const strokes = input[f + 2] ? 1 : input[f + 3] ? 2 : input[f + 4] ? 3 : 4;
      const tiny = input[f + 1]! < Math.log(0.25) / 3;
      const [cls, p] = rule(strokes, tiny);
      const out = new Float32Array(CLASSES.length).fill((1 - p) / (CLASSES.length - 1));
      out[CLASSES.indexOf(cls)] = p;
      return out;
    },
  };
}
const glyphs = (ink: [number, number][][], model: Classifier) => {
  const strokes = clean(ink);
  return segment(strokes, referenceSize(strokes), model).map((s) => `${s.glyph}[${s.strokes.join(',')}]`);
};

describe('segmentation', () => {
  it('Segment_CrossingStrokes_OneSymbolEvenWhenEachPartLooksLikeASymbol', () => {
    // Alone, each bar of a + is a convincing 1 or -; together a slightly less sure +.
    const model = scripted((n) => (n === 1 ? ['1', 0.97] : n === 2 ? ['+', 0.85] : ['junk', 0.9]));
    expect(glyphs(GLYPHS['+'] as never, model)).toEqual(['+[0,1]']);
  });

  it('Segment_DotBesideDigit_StaysADecimalPoint', () => {
    const ink = [...(GLYPHS['0'] as unknown as [number, number][][]), line([33, 39], [34, 40])];
    // The classifier is fooled: "0 with a dot" looks like a 0 to it.
    const model = scripted((n, tiny) => (n === 1 ? (tiny ? ['.', 0.9] : ['0', 0.95]) : ['0', 0.9]));
    expect(glyphs(ink, model)).toEqual(['0[0]', '.[1]']);
  });

  it('Segment_SeparateStrokesApart_NeverGroupedAsCandidates', () => {
    const strokes = clean(write('1', '1', '1'));
    expect(candidateGroups(strokes, referenceSize(strokes))).toEqual([[0, 1], [1, 2], [2, 3]]);
  });

  it('Segment_TouchingStrokes_AreCandidatesUpToFour', () => {
    const strokes = clean([line([0, 0], [0, 40]), line([0, 20], [20, 20]), line([20, 0], [20, 40]), line([0, 40], [20, 40]), line([0, 0], [20, 0])]);
    const groups = candidateGroups(strokes, referenceSize(strokes));
    expect(groups).toContainEqual([0, 4]);
    expect(groups).not.toContainEqual([0, 5]);
  });

  it('Segment_RealModel_MultiStrokeSymbolsStayWhole', () => {
    for (const [ink, expected] of [[write('+'), '+'], [write('='), '='], [write('4'), '4'], [write('x'), 'x']] as const) {
      const strokes = clean(ink as [number, number][][]);
      const seg = recognize(strokes).symbols;
      expect(seg.map((s) => s.glyph), expected).toEqual([expected]);
      expect(seg[0]!.strokes).toHaveLength(strokes.length);
    }
  });
});

it('Encoder_FeatureLayout_MatchesScriptedClassifier', () => {
  expect(FEATURES).toBe(6); // the scripted classifier above reads features 1–5
});
