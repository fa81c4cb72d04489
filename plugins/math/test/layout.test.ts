import { describe, expect, it } from 'vitest';
import type { Glyph } from '../src/recognizer/classes.ts';
import { parseLayout, type LayoutSymbol } from '../src/recognizer/layout.ts';
import { toLatex } from '../src/recognizer/tree.ts';

/** A symbol at (x, y) of width w and height h (y down; a line of height 1 has its baseline at y=1). */
const s = (glyph: Glyph, x: number, y0: number, w: number, y1: number): LayoutSymbol => ({ glyph, box: { x0: x, y0, x1: x + w, y1 } });
const digit = (d: Glyph, x: number, top = 0, h = 1) => s(d, x, top, 0.55, top + h);
const latex = (symbols: LayoutSymbol[]) => toLatex(parseLayout(symbols, 1));

describe('layout parser', () => {
  it('Layout_Row_ReadsLeftToRightWhateverTheOrder', () => {
    expect(latex([digit('3', 1.6), s('+', 0.8, 0.3, 0.6, 0.9), digit('2', 0)])).toBe('2+3');
  });

  it('Layout_Fraction_BarWithNumeratorAboveDenominatorBelow', () => {
    const frac = [digit('1', 0.3, -1.3), s('-', 0, -0.2, 1.2, -0.18), digit('2', 0.3, 0.2)];
    expect(latex(frac)).toBe('\\frac{1}{2}');
    expect(latex([...frac, s('+', 1.5, 0.3 - 0.5, 0.6, 0.9 - 0.5), digit('3', 2.3, -0.5)])).toBe('\\frac{1}{2}+3');
  });

  it('Layout_FractionOfSums_BarClaimsEverythingInItsSpan', () => {
    const num = [digit('1', 0.2, -1.3), s('+', 0.9, -1.0, 0.5, -0.5), s('x', 1.6, -0.9, 0.5, -0.3)];
    const den = [digit('2', 0.8, 0.2)];
    expect(latex([...num, s('-', 0, -0.2, 2.3, -0.18), ...den])).toBe('\\frac{1+x}{2}');
  });

  it('Layout_NestedFraction_WidestBarIsOutermost', () => {
    const inner = [digit('1', 0.3, -2.6, 0.8), s('-', 0.1, -1.6, 0.9, -1.58), digit('2', 0.3, -1.4, 0.8)];
    const outer = [s('-', 0, -0.3, 1.4, -0.28), digit('3', 0.4, 0.1)];
    expect(latex([...inner, ...outer])).toBe('\\frac{\\frac{1}{2}}{3}');
  });

  it('Layout_Exponent_SmallerAndRaisedRightOfBase', () => {
    expect(latex([digit('2', 0), digit('3', 0.65, -0.55, 0.6)])).toBe('2^{3}');
    expect(latex([s('x', 0, 0.4, 0.55, 1), digit('2', 0.65, -0.2, 0.6)])).toBe('x^{2}');
    expect(latex([s('x', 0, 0.4, 0.55, 1), digit('2', 0.65, -0.2, 0.6), s('+', 1.4, 0.3, 0.6, 0.9), digit('1', 2.2)])).toBe('x^{2}+1');
  });

  it('Layout_ExponentOfSeveralSymbols_GroupedUntilBackOnBaseline', () => {
    expect(latex([digit('2', 0), digit('1', 0.65, -0.5, 0.55), digit('0', 1.1, -0.5, 0.55), s('-', 1.8, 0.55, 0.5, 0.57), digit('4', 2.5)])).toBe('2^{10}-4');
  });

  it('Layout_NotRaised_StaysOnTheLine', () => {
    expect(latex([digit('2', 0), digit('3', 0.65, 0.05, 0.95)])).toBe('23');
    expect(latex([digit('2', 0), s('-', 0.7, 0.55, 0.5, 0.57), digit('1', 1.4)])).toBe('2-1');
  });

  it('Layout_SquareRoot_CoversItsRadicand', () => {
    const root = s('sqrt', 0, -0.2, 1.6, 1.1);
    expect(latex([root, digit('1', 0.6), digit('6', 1.0)])).toBe('\\sqrt{16}');
    expect(latex([root, digit('4', 0.7), s('+', 1.9, 0.3, 0.6, 0.9), digit('5', 2.7)])).toBe('\\sqrt{4}+5');
  });

  it('Layout_RootInFractionWithExponent_Nests', () => {
    const num = [s('sqrt', 0.1, -1.9, 1.7, -0.5), s('x', 0.6, -1.2, 0.45, -0.7), digit('2', 1.1, -1.6, 0.35)];
    const bar = s('-', 0, -0.3, 1.6, -0.28);
    expect(latex([...num, bar, digit('3', 0.5, 0.1)])).toBe('\\frac{\\sqrt{x^{2}}}{3}');
  });

  it('Layout_CrossBetweenNumbers_IsTimesOtherwiseVariable', () => {
    expect(latex([digit('3', 0), s('x', 0.8, 0.35, 0.45, 0.85), digit('4', 1.5)])).toBe('3\\times4');
    expect(latex([digit('3', 0), s('x', 0.65, 0.4, 0.55, 1), s('+', 1.4, 0.3, 0.6, 0.9), digit('1', 2.2)])).toBe('3x+1');
  });

  it('Layout_TwoStackedDashes_AreEquals', () => {
    expect(latex([s('x', 0, 0.4, 0.55, 1), s('-', 0.8, 0.45, 0.6, 0.46), s('-', 0.82, 0.75, 0.6, 0.76), digit('2', 1.7)])).toBe('x=2');
  });

  it('Layout_ParenthesesAndPi_KeepTheirPlace', () => {
    expect(latex([s('(', 0, -0.1, 0.3, 1.1), digit('1', 0.4), s(')', 1.0, -0.1, 0.3, 1.1), digit('2', 1.4, -0.6, 0.6), s('pi', 2.3, 0.35, 0.7, 1)])).toBe('(1)^{2}\\pi');
  });
});
