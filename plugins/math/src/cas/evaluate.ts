/**
 * Evaluates what the person wrote with mathjs: exact rational arithmetic (mathjs `Fraction`) while
 * the numbers stay rational, floating point once π, e or an irrational root enters; a linear
 * equation in one variable solved exactly; other equations in one variable solved numerically
 * (sign changes, then bisection); `y = f(x)` or an expression in x is a function to plot.
 */
import {
  addDependencies, create, divideDependencies, fractionDependencies, multiplyDependencies, powDependencies,
  subtractDependencies, unaryMinusDependencies, type FactoryFunctionMap, type Fraction,
} from 'mathjs';
import { MathSyntaxError, parseLatex, variables, type Expr } from './latex.ts';

// Only the functions used here, so the bundle carries no parser or matrix code.
const math = create({
  addDependencies, subtractDependencies, multiplyDependencies, divideDependencies, powDependencies,
  unaryMinusDependencies, fractionDependencies,
} as FactoryFunctionMap);
const fractionPow = math.pow as unknown as (a: Fraction, b: Fraction) => Fraction;

/** A value: exact when `exact` is set (then `approx` is its float), else only `approx`. */
export interface Value { exact: Fraction | null; approx: number }

export type Outcome =
  | { kind: 'value'; latex: string; value: Value }
  | { kind: 'solution'; variable: string; latex: string; values: Value[]; exact: boolean }
  | { kind: 'function'; variable: string; latex: string; f: (x: number) => number }
  | { kind: 'error'; message: string };

class EvalError extends Error {}

const MAX_EXACT_DIGITS = 40;

function fromNumber(n: number): Value { return { exact: null, approx: n }; }
function fromFraction(f: Fraction): Value {
  // Huge numerators would make exact arithmetic slow and the result unreadable: go approximate.
  if (String(f.n).length > MAX_EXACT_DIGITS || String(f.d).length > MAX_EXACT_DIGITS) return fromNumber(Number(f.valueOf()));
  return { exact: f, approx: Number(f.valueOf()) };
}

function binary(op: '+' | '-' | '*' | '/', a: Value, b: Value): Value {
  if (a.exact && b.exact) {
    if (op === '/' && Number(b.exact.n) === 0) throw new EvalError('Division by zero.');
    const fn = op === '+' ? math.add : op === '-' ? math.subtract : op === '*' ? math.multiply : math.divide;
    return fromFraction(fn(a.exact, b.exact) as Fraction);
  }
  const x = a.approx, y = b.approx;
  return fromNumber(op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y);
}

function power(a: Value, b: Value): Value {
  if (a.exact && b.exact && Number(b.exact.d) === 1 && Math.abs(b.approx) <= 64) {
    if (Number(a.exact.n) === 0 && b.approx < 0) throw new EvalError('Division by zero.');
    return fromFraction(fractionPow(a.exact, b.exact));
  }
  if (a.exact && b.exact && Number(b.exact.d) !== 1) {
    const r = root(a, fromFraction(math.fraction(Number(b.exact.d), 1) as Fraction));
    return power(r, fromFraction(math.fraction(Number(b.exact.n) * Number(b.exact.s), 1) as Fraction));
  }
  return fromNumber(Math.pow(a.approx, b.approx));
}

/** n-th root, exact when the rational has an exact rational root. */
function root(a: Value, n: Value): Value {
  const k = n.approx;
  if (a.exact && Number.isInteger(k) && k >= 2 && k <= 12) {
    const num = Number(a.exact.n), den = Number(a.exact.d), sign = Number(a.exact.s);
    const rn = Math.round(Math.pow(num, 1 / k)), rd = Math.round(Math.pow(den, 1 / k));
    if (Math.pow(rn, k) === num && Math.pow(rd, k) === den && Number.isSafeInteger(num) && (sign > 0 || k % 2 === 1)) {
      return fromFraction(math.fraction(sign < 0 ? -rn : rn, rd) as Fraction);
    }
  }
  if (a.approx < 0 && Number.isInteger(k) && k % 2 === 1) return fromNumber(-Math.pow(-a.approx, 1 / k));
  return fromNumber(Math.pow(a.approx, 1 / k));
}

export function evalExpr(e: Expr, scope: Record<string, Value> = {}): Value {
  switch (e.op) {
    case 'num': return fromFraction(math.fraction(e.text) as Fraction);
    case 'const': return fromNumber(e.name === 'pi' ? Math.PI : Math.E);
    case 'var': {
      const v = scope[e.name];
      if (!v) throw new EvalError(`"${e.name}" has no value.`);
      return v;
    }
    case 'neg': { const v = evalExpr(e.arg, scope); return v.exact ? fromFraction(math.unaryMinus(v.exact) as Fraction) : fromNumber(-v.approx); }
    case 'root': return root(evalExpr(e.arg, scope), e.index ? evalExpr(e.index, scope) : fromFraction(math.fraction(2) as Fraction));
    case '^': return power(evalExpr(e.a, scope), evalExpr(e.b, scope));
    default: return binary(e.op, evalExpr(e.a, scope), evalExpr(e.b, scope));
  }
}

/** LaTeX for a value: an integer, a fraction (with its decimal), or a decimal of 10 significant digits. */
export function valueLatex(v: Value): string {
  if (v.exact) {
    const s = Number(v.exact.s) < 0 ? '-' : '';
    const n = String(v.exact.n), d = String(v.exact.d);
    if (d === '1') return `${s}${n}`;
    return `${s}\\frac{${n}}{${d}}\\approx ${decimal(v.approx)}`;
  }
  return decimal(v.approx);
}

export function decimal(x: number): string {
  if (Number.isNaN(x)) return '\\text{undefined}';
  if (!Number.isFinite(x)) return x > 0 ? '\\infty' : '-\\infty';
  if (x !== 0 && (Math.abs(x) >= 1e12 || Math.abs(x) < 1e-6)) {
    const [m, ex] = x.toExponential(8).split('e');
    return `${String(Number(m))}\\times10^{${Number(ex)}}`;
  }
  return String(Number(x.toPrecision(10)));
}

const FN_VAR = 'x';

export function evaluateLatex(latex: string): Outcome {
  try {
    const { lhs, rhs } = parseLatex(latex);
    const vars = new Set([...variables(lhs), ...variables(rhs)]);
    // y = f(x): a function to plot.
    if (rhs && lhs.op === 'var' && lhs.name === 'y' && !variables(rhs).has('y') && [...variables(rhs)].every((v) => v === FN_VAR)) {
      return functionOf(rhs, latex);
    }
    if (!rhs) {
      if (vars.size === 0) { const v = evalExpr(lhs); return { kind: 'value', latex: valueLatex(v), value: v }; }
      if (vars.size === 1 && vars.has(FN_VAR)) return functionOf(lhs, latex);
      return { kind: 'error', message: `Give ${[...vars].join(', ')} a value, or write an equation to solve.` };
    }
    if (vars.size === 0) {
      const a = evalExpr(lhs), b = evalExpr(rhs);
      const same = a.exact && b.exact ? math.subtract(a.exact, b.exact).valueOf() === 0 : Math.abs(a.approx - b.approx) <= 1e-12 * Math.max(1, Math.abs(a.approx));
      return { kind: 'value', latex: same ? '\\text{true}' : '\\text{false}', value: fromNumber(same ? 1 : 0) };
    }
    if (vars.size > 1) return { kind: 'error', message: `Only equations in one variable can be solved here (this one has ${[...vars].join(', ')}).` };
    return solve(lhs, rhs, [...vars][0]!);
  } catch (e) {
    if (e instanceof MathSyntaxError || e instanceof EvalError) return { kind: 'error', message: e.message };
    return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
}

function functionOf(body: Expr, latex: string): Outcome {
  const f = (x: number) => {
    try { return evalExpr(body, { [FN_VAR]: fromNumber(x) }).approx; } catch { return NaN; }
  };
  return { kind: 'function', variable: FN_VAR, latex: /^\s*y\s*=/.test(latex) ? latex : `y=${latex}`, f };
}

function solve(lhs: Expr, rhs: Expr, name: string): Outcome {
  const g = (v: Value) => binary('-', evalExpr(lhs, { [name]: v }), evalExpr(rhs, { [name]: v }));
  const at = (n: number) => { try { return g(fromFraction(math.fraction(n) as Fraction)); } catch { return null; } };
  const g0 = at(0), g1 = at(1), g2 = at(2), g3 = at(-3);
  // Linear if g is affine at four points (exactly, for rationals).
  if (g0 && g1 && g2 && g3) {
    const a = binary('-', g1, g0);
    const affine = [[g2, 2], [g3, -3]].every(([gv, t]) => {
      const expect = binary('+', g0, binary('*', a, fromFraction(math.fraction(t as number) as Fraction)));
      const got = gv as Value;
      return expect.exact && got.exact ? math.subtract(expect.exact, got.exact).valueOf() === 0
        : Math.abs(expect.approx - got.approx) <= 1e-9 * Math.max(1, Math.abs(got.approx));
    });
    if (affine) {
      if (a.approx === 0) {
        return g0.approx === 0
          ? { kind: 'solution', variable: name, latex: `\\text{every }${name}`, values: [], exact: true }
          : { kind: 'solution', variable: name, latex: '\\text{no solution}', values: [], exact: true };
      }
      const v = binary('/', neg(g0), a);
      return { kind: 'solution', variable: name, latex: `${name}=${valueLatex(v)}`, values: [v], exact: !!v.exact };
    }
  }
  const roots = numericRoots((x) => { try { return g(fromNumber(x)).approx; } catch { return NaN; } });
  if (!roots.length) return { kind: 'solution', variable: name, latex: '\\text{no real solution found in }[-100,100]', values: [], exact: false };
  const values = roots.map((r) => fromNumber(r));
  return { kind: 'solution', variable: name, latex: roots.map((r) => `${name}\\approx ${decimal(r)}`).join(',\\quad '), values, exact: false };
}

const neg = (v: Value): Value => (v.exact ? fromFraction(math.unaryMinus(v.exact) as Fraction) : fromNumber(-v.approx));

/** Real roots in [-100, 100]: sign changes on a grid, refined by bisection, at most 6. */
export function numericRoots(f: (x: number) => number, lo = -100, hi = 100, steps = 4000): number[] {
  const out: number[] = [];
  let px = lo, py = f(lo);
  const push = (r: number) => { if (!out.some((o) => Math.abs(o - r) < 1e-7 * Math.max(1, Math.abs(r)))) out.push(Math.abs(r) < 1e-12 ? 0 : r); };
  for (let i = 1; i <= steps && out.length < 6; i++) {
    const x = lo + ((hi - lo) * i) / steps, y = f(x);
    if (py === 0) push(px);
    else if (Number.isFinite(py) && Number.isFinite(y) && Math.sign(py) !== Math.sign(y) && y !== 0) {
      let a = px, b = x, fa = py;
      for (let k = 0; k < 80; k++) {
        const m = (a + b) / 2, fm = f(m);
        if (Math.sign(fm) === Math.sign(fa)) { a = m; fa = fm; } else b = m;
      }
      const r = (a + b) / 2;
      // A pole (1/x) changes sign too: keep only real zeros.
      if (Math.abs(f(r)) < 1e-6 * Math.max(1, Math.abs(fa))) push(Number(r.toPrecision(12)));
    }
    px = x; py = y;
  }
  if (py === 0) push(px);
  return out;
}
