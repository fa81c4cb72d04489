import { describe, expect, it } from 'vitest';
import { CLASSES } from '../src/recognizer/classes.ts';
import { clean, referenceSize, type Stroke } from '../src/recognizer/ink.ts';
import { decodeBase64, loadClassifier } from '../src/recognizer/model.ts';
import { encodeGroup, FEATURES, SIZE } from '../src/recognizer/raster.ts';
import { defaultClassifier } from '../src/recognizer/recognize.ts';
import { MODEL_BASE64 } from '../src/recognizer/weights.ts';
import { GLYPHS } from './fixtures.ts';

const classify = (strokes: Stroke[], ref = 40) => {
  const input = new Float32Array(SIZE * SIZE + FEATURES);
  encodeGroup(strokes, ref, input);
  const p = defaultClassifier().classify(input);
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
  return { cls: CLASSES[best], p };
};
/** Rotates and slants a glyph as a hurried hand would. */
const warp = (ink: readonly (readonly (readonly number[])[])[], rot: number, slant: number, k: number): Stroke[] =>
  clean(ink.map((s) => s.map(([x, y]) => {
    const u = x! - 15 - slant * (y! - 20), v = y! - 20;
    return [k * (u * Math.cos(rot) - v * Math.sin(rot)), k * (u * Math.sin(rot) + v * Math.cos(rot))];
  })));

describe('classifier', () => {
  it('Classifier_FixedSampleSet_EverySymbolRight', () => {
    const wrong: string[] = [];
    for (const [name, ink] of Object.entries(GLYPHS)) {
      for (const [rot, slant] of [[0, 0], [0.08, 0.15], [-0.08, -0.1], [0.03, 0.3]] as const) {
        const { cls } = classify(warp(ink, rot, slant, 1.5), 60);
        if (cls !== name) wrong.push(`${name} (rot ${rot}, slant ${slant}) → ${cls}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('Classifier_Output_IsAProbabilityPerClass', () => {
    const { p } = classify(clean(GLYPHS['7'] as never));
    expect(p).toHaveLength(CLASSES.length);
    expect([...p].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect([...p].every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('Classifier_SameInkAnyScale_SameClass', () => {
    const ink = clean(GLYPHS['3'] as never);
    for (const k of [0.01, 1, 250]) {
      const scaled = ink.map((s) => s.map(([x, y]) => [x * k + 1000, y * k - 77] as const));
      expect(classify(scaled, referenceSize(scaled)).cls).toBe('3');
    }
  });

  it('LoadClassifier_DamagedBlob_Refused', () => {
    const blob = decodeBase64(MODEL_BASE64);
    expect(() => loadClassifier(new Uint8Array([1, 2, 3, 4, 5, 6]))).toThrow(/magic/);
    expect(() => loadClassifier(blob.subarray(0, blob.length >> 1))).toThrow();
    const other = blob.slice();
    other[4] = 2; // two layers: not the architecture the code runs
    expect(() => loadClassifier(other)).toThrow(/architecture/);
  });

  it('Weights_Bundled_StayUnderTheBudget', () => {
    expect(decodeBase64(MODEL_BASE64).length).toBeLessThan(1024 * 1024);
  });
});
