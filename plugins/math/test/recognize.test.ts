import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { recognize } from '../src/recognizer/recognize.ts';
import { ONE_HALF, TWO_PLUS_THREE, write, X_SQUARED } from './fixtures.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

describe('recognize', () => {
  it.each([
    ['2+3', TWO_PLUS_THREE], ['\\frac{1}{2}', ONE_HALF], ['x^{2}', X_SQUARED],
    ['2x+3=7', write('2', 'x', '+', '3', '=', '7')], ['4-10', write('4', '-', '1', '0')],
  ])('Recognize_Handwriting_%s', (latex, ink) => {
    expect(recognize(ink).latex).toBe(latex);
  });

  it('Recognize_AnyScaleAndOffset_SameResult', () => {
    const ink = write('2', 'x', '+', '3', '=', '7');
    for (const [k, dx, dy] of [[0.05, -3, 9], [12, 5000, -800]] as const) {
      expect(recognize(ink.map((s) => s.map(([x, y]) => [x * k + dx, y * k + dy]))).latex).toBe('2x+3=7');
    }
  });

  it('Recognize_GarbageInput_EmptyNotThrow', () => {
    expect(recognize([]).latex).toBe('');
    expect(recognize([[], [[NaN, 1], [Infinity, 2]], [['a', 'b'] as unknown as number[]]]).latex).toBe('');
    expect(recognize([[[5, 5]]]).latex).not.toBeUndefined(); // a single point is a dot-sized stroke
  });

  it('RecognizeCli_JsonLines_OneAnswerPerLine', () => {
    const input = [
      JSON.stringify({ strokes: TWO_PLUS_THREE }),
      'not json',
      JSON.stringify({ strokes: 'nope' }),
      JSON.stringify({ strokes: ONE_HALF }),
    ].join('\n');
    const run = spawnSync(process.execPath, [path.join(HERE, '../scripts/recognize.mjs')], { input, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual({ latex: '2+3' });
    expect(lines[1]).toMatchObject({ latex: '', error: expect.any(String) });
    expect(lines[2]).toMatchObject({ latex: '', error: expect.stringContaining('strokes') });
    expect(lines[3]).toEqual({ latex: '\\frac{1}{2}' });
  });
});
