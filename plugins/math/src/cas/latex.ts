/**
 * Parses the LaTeX the card's editor and recogniser produce into an expression tree: numbers,
 * single-letter variables, `\pi`, `e`, `+ - \times \cdot \div /`, implicit multiplication,
 * `^`, `\frac`, `\sqrt`, `\sqrt[n]`, parentheses (`\left( … \right)` too) and one `=`.
 * Anything else is a {@link MathSyntaxError} with a sentence a person understands.
 */
export type Expr =
  | { op: 'num'; text: string }
  | { op: 'var'; name: string }
  | { op: 'const'; name: 'pi' | 'e' }
  | { op: 'neg'; arg: Expr }
  | { op: '+' | '-' | '*' | '/' | '^'; a: Expr; b: Expr }
  | { op: 'root'; arg: Expr; index: Expr | null };

export interface Equation { lhs: Expr; rhs: Expr | null }

export class MathSyntaxError extends Error {
  constructor(message: string) { super(message); this.name = 'MathSyntaxError'; }
}

type Tok = { t: 'num' | 'letter' | 'cmd' | 'sym'; v: string };

const IGNORED = new Set(['\\,', '\\;', '\\:', '\\!', '\\ ', '\\quad', '\\qquad', '\\left', '\\right', '\\displaystyle', '\\mathrm', '\\mathit']);
const TIMES = new Set(['\\times', '\\cdot', '*']);
const MAX_INPUT = 2000;
const MAX_DEPTH = 60;

function tokenize(src: string): Tok[] {
  if (src.length > MAX_INPUT) throw new MathSyntaxError(`The expression is too long (over ${MAX_INPUT} characters).`);
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c) || c === '~') { i++; continue; }
    if (/[0-9.]/.test(c)) {
      let j = i;
      // `1\,024` (thin-space digit grouping) is one number.
      while (j < src.length && (/[0-9.]/.test(src[j]!) || (src.startsWith('\\,', j) && /[0-9]/.test(src[j + 2] ?? '')))) j += src[j] === '\\' ? 2 : 1;
      const text = src.slice(i, j).replace(/\\,/g, '');
      if ((text.match(/\./g) ?? []).length > 1 || text === '.') throw new MathSyntaxError(`"${text}" is not a number.`);
      out.push({ t: 'num', v: text });
      i = j;
      continue;
    }
    if (/[a-zA-Z]/.test(c)) { out.push({ t: 'letter', v: c }); i++; continue; }
    if (c === '\\') {
      const m = /^\\([a-zA-Z]+|.)/.exec(src.slice(i));
      if (!m) throw new MathSyntaxError('A backslash must start a command such as \\frac.');
      const cmd = `\\${m[1]}`;
      i += m[0].length;
      if (IGNORED.has(cmd)) continue;
      if (cmd === '\\{' || cmd === '\\}') throw new MathSyntaxError('Braces are not supported; use parentheses.');
      out.push({ t: 'cmd', v: cmd });
      continue;
    }
    if ('+-*/^=(){}[]'.includes(c)) { out.push({ t: 'sym', v: c }); i++; continue; }
    if (c === '×' || c === '·') { out.push({ t: 'cmd', v: '\\times' }); i++; continue; }
    if (c === '÷') { out.push({ t: 'cmd', v: '\\div' }); i++; continue; }
    if (c === '−') { out.push({ t: 'sym', v: '-' }); i++; continue; }
    if (c === 'π') { out.push({ t: 'cmd', v: '\\pi' }); i++; continue; }
    throw new MathSyntaxError(`"${c}" is not something this card can calculate with.`);
  }
  return out;
}

export function parseLatex(src: string): Equation {
  const toks = tokenize(src);
  let k = 0;
  let depth = 0;
  const peek = () => toks[k];
  const is = (v: string) => toks[k]?.v === v;
  const expect = (v: string, what: string) => {
    if (!is(v)) throw new MathSyntaxError(`Expected ${what}${toks[k] ? ` before "${toks[k]!.v}"` : ' at the end'}.`);
    k++;
  };
  const nest = <T>(f: () => T): T => {
    if (++depth > MAX_DEPTH) throw new MathSyntaxError('The expression is nested too deeply.');
    try { return f(); } finally { depth--; }
  };

  function group(): Expr {
    if (is('{')) { k++; const e = expr(); expect('}', '"}"'); return e; }
    const t = peek();
    if (!t) throw new MathSyntaxError('Something is missing at the end.');
    // `x^2`, `\frac12`: a single token argument.
    if (t.t === 'num') { k++; return splitDigit(t); }
    return atom();
  }

  /** `\frac12` reads one digit per argument: put the rest of the number back. */
  function splitDigit(t: Tok): Expr {
    if (t.v.length > 1) { toks.splice(k, 0, { t: 'num', v: t.v.slice(1) }); return { op: 'num', text: t.v[0]! }; }
    return { op: 'num', text: t.v };
  }

  function atom(): Expr {
    return nest(() => {
      const t = peek();
      if (!t) throw new MathSyntaxError('Something is missing at the end.');
      if (t.t === 'num') { k++; return { op: 'num', text: t.v }; }
      if (t.t === 'letter') { k++; return t.v === 'e' ? { op: 'const', name: 'e' } : { op: 'var', name: t.v }; }
      if (t.v === '(' || t.v === '[') {
        const close = t.v === '(' ? ')' : ']';
        k++;
        const e = expr();
        expect(close, `"${close}"`);
        return e;
      }
      if (t.v === '{') { k++; const e = expr(); expect('}', '"}"'); return e; }
      if (t.v === '\\pi') { k++; return { op: 'const', name: 'pi' }; }
      if (t.v === '\\frac' || t.v === '\\dfrac' || t.v === '\\tfrac') { k++; const a = group(); const b = group(); return { op: '/', a, b }; }
      if (t.v === '\\sqrt') {
        k++;
        let index: Expr | null = null;
        if (is('[')) { k++; index = expr(); expect(']', '"]"'); }
        return { op: 'root', arg: group(), index };
      }
      if (t.v === '\\placeholder') throw new MathSyntaxError('Fill in the empty box first.');
      throw new MathSyntaxError(`"${t.v}" is not something this card can calculate with.`);
    });
  }

  function power(): Expr {
    let base = atom();
    while (is('^')) {
      k++;
      const exp = nest(() => (is('-') ? (k++, { op: 'neg', arg: group() } as Expr) : group()));
      base = { op: '^', a: base, b: exp };
    }
    return base;
  }

  function unary(): Expr {
    if (is('-')) { k++; return nest(() => ({ op: 'neg', arg: unary() })); }
    if (is('+')) { k++; return nest(unary); }
    return power();
  }

  const startsAtom = (t: Tok | undefined) => !!t && (t.t === 'num' || t.t === 'letter' || t.v === '(' || t.v === '{'
    || ['\\pi', '\\frac', '\\dfrac', '\\tfrac', '\\sqrt'].includes(t.v));

  function term(): Expr {
    let a = unary();
    for (;;) {
      const t = peek();
      if (t && TIMES.has(t.v)) { k++; a = { op: '*', a, b: unary() }; continue; }
      if (t && (t.v === '\\div' || t.v === '/')) { k++; a = { op: '/', a, b: unary() }; continue; }
      if (startsAtom(t)) { a = { op: '*', a, b: power() }; continue; }
      return a;
    }
  }

  function expr(): Expr {
    return nest(() => {
      let a = term();
      while (is('+') || is('-')) {
        const op = toks[k++]!.v as '+' | '-';
        a = { op, a, b: term() };
      }
      return a;
    });
  }

  if (!toks.length) throw new MathSyntaxError('Write or draw an expression first.');
  const lhs = expr();
  let rhs: Expr | null = null;
  if (is('=')) { k++; rhs = expr(); }
  if (k < toks.length) throw new MathSyntaxError(`Unexpected "${toks[k]!.v}".`);
  return { lhs, rhs };
}

/** Free variables of an expression, sorted. */
export function variables(e: Expr | null, out = new Set<string>()): Set<string> {
  if (!e) return out;
  switch (e.op) {
    case 'var': out.add(e.name); break;
    case 'neg': variables(e.arg, out); break;
    case 'root': variables(e.arg, out); variables(e.index, out); break;
    case 'num': case 'const': break;
    default: variables(e.a, out); variables(e.b, out);
  }
  return out;
}
