import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeStroke, quantize, quantizePressure } from './codec';

const vector = JSON.parse(readFileSync(new URL('../../../../tests/vectors/ink-stroke.json', import.meta.url), 'utf8')) as {
  decoded: number[];
  base64: string;
};

describe('stroke codec', () => {
  it('decodes the shared vector the server encodes', () => {
    const points = decodeStroke(vector.base64);
    expect(points).toHaveLength(vector.decoded.length);
    vector.decoded.forEach((v, i) => expect(points[i]).toBeCloseTo(v, 5));
  });

  it('refuses bytes the codec did not write', () => {
    expect(() => decodeStroke(btoa('\x02\x01\x00\x00\x00'))).toThrow();
    expect(() => decodeStroke(btoa('\x01\x02\x00\x00\x00'))).toThrow();
    expect(() => decodeStroke('')).toThrow();
  });

  it('quantises like the server: 1/16 unit, half away from zero; pressure to a byte', () => {
    expect(quantize(1.03125)).toBe(1.0625);
    expect(quantize(-1.03125)).toBe(-1.0625);
    expect(quantize(100.3)).toBe(100.3125);
    expect(quantizePressure(0.5)).toBe(128 / 255);
    expect(quantizePressure(2)).toBe(1);
  });
});
