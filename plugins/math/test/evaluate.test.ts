import { describe, expect, it } from 'vitest';
import { evaluateLatex, numericRoots } from '../src/cas/evaluate.ts';
import { parseLatex } from '../src/cas/latex.ts';

const value = (latex: string) => {
  const o = evaluateLatex(latex);
  if (o.kind !== 'value') throw new Error(`${latex}: ${JSON.stringify(o)}`);
  return o.latex;
};

describe('evaluate', () => {
  it.each([
    ['2+3', '5'], ['2+3\\times4', '14'], ['2+3*4', '14'], ['(2+3)\\cdot4', '20'], ['10\\div4', '\\frac{5}{2}\\approx 2.5'],
    ['\\frac{1}{2}+\\frac{1}{3}', '\\frac{5}{6}\\approx 0.8333333333'], ['2^{10}', '1024'], ['2^{-2}', '\\frac{1}{4}\\approx 0.25'],
    ['\\sqrt{16}', '4'], ['\\sqrt{\\frac{9}{4}}', '\\frac{3}{2}\\approx 1.5'], ['\\sqrt[3]{27}', '3'], ['\\sqrt{2}', '1.414213562'],
    ['\\pi', '3.141592654'], ['2\\pi', '6.283185307'], ['2.5\\times2', '5'], ['-3+1', '-2'], ['2(3+4)', '14'],
    ['\\left(1+1\\right)^{3}', '8'], ['4^{\\frac{1}{2}}', '2'], ['1\\,024+1', '1025'],
  ])('Evaluate_%s_Is_%s', (latex, expected) => {
    expect(value(latex)).toBe(expected);
  });

  it('Evaluate_DivisionByZero_ClearError', () => {
    expect(evaluateLatex('1\\div0')).toEqual({ kind: 'error', message: 'Division by zero.' });
  });

  it('Solve_LinearEquation_ExactX', () => {
    expect(evaluateLatex('2x+3=7')).toMatchObject({ kind: 'solution', variable: 'x', latex: 'x=2', exact: true });
    expect(evaluateLatex('3x=1')).toMatchObject({ latex: 'x=\\frac{1}{3}\\approx 0.3333333333' });
    expect(evaluateLatex('\\frac{x}{2}-1=x+4')).toMatchObject({ latex: 'x=-10' });
    expect(evaluateLatex('x+1=x+2')).toMatchObject({ latex: '\\text{no solution}' });
    expect(evaluateLatex('2x=x+x')).toMatchObject({ latex: '\\text{every }x' });
  });

  it('Solve_Quadratic_NumericRoots', () => {
    expect(evaluateLatex('x^{2}=4')).toMatchObject({ kind: 'solution', latex: 'x\\approx -2,\\quad x\\approx 2', exact: false });
  });

  it('Function_YEqualsFx_PlottableFunction', () => {
    const o = evaluateLatex('y=x^{2}-1');
    expect(o.kind).toBe('function');
    if (o.kind === 'function') { expect(o.f(3)).toBe(8); expect(o.f(0)).toBe(-1); }
    const bare = evaluateLatex('2x+1');
    expect(bare.kind === 'function' && bare.f(2)).toBe(5);
  });

  it('Evaluate_BadInput_SentenceNotThrow', () => {
    for (const bad of ['', '2+', '\\frac{1}', '(2+3', '2==3', '\\alpha', 'x+y', '\\placeholder{}+1', '1..2', '2^{'.repeat(100)]) {
      const o = evaluateLatex(bad);
      expect(o.kind, bad).toBe('error');
      if (o.kind === 'error') expect(o.message.length).toBeGreaterThan(5);
    }
  });

  it('NumericRoots_Pole_NotARoot', () => {
    expect(numericRoots((x) => 1 / x)).toEqual([]);
  });

  it('ParseLatex_FracShorthand_OneDigitEach', () => {
    expect(parseLatex('\\frac12').lhs).toEqual({ op: '/', a: { op: 'num', text: '1' }, b: { op: 'num', text: '2' } });
  });
});
