/**
 * The expression tree the layout parser builds and the synthetic generator lays out, and its one
 * LaTeX form: evaluation compares these strings exactly, so every producer must serialise here.
 */
export type Node =
  | { kind: 'sym'; value: string }
  | { kind: 'frac'; num: Node[]; den: Node[] }
  | { kind: 'sqrt'; body: Node[] }
  | { kind: 'sup'; base: Node; exp: Node[] };

/** Symbol values: digits, `x`, `y`, `+`, `-`, `\times`, `\div`, `=`, `(`, `)`, `.`, `\pi`. */
export const sym = (value: string): Node => ({ kind: 'sym', value });

export function toLatex(row: readonly Node[]): string {
  let out = '';
  for (const n of row) {
    const part = nodeLatex(n);
    // A control word followed by a letter needs a space (`\pi x`, not `\pix`).
    if (/\\[a-z]+$/.test(out) && /^[a-zA-Z]/.test(part)) out += ' ';
    out += part;
  }
  return out;
}

function nodeLatex(n: Node): string {
  switch (n.kind) {
    case 'sym': return n.value;
    case 'frac': return `\\frac{${toLatex(n.num)}}{${toLatex(n.den)}}`;
    case 'sqrt': return `\\sqrt{${toLatex(n.body)}}`;
    case 'sup': return `${nodeLatex(n.base)}^{${toLatex(n.exp)}}`;
  }
}

/** Number of drawn symbols (a fraction bar and a radical count as one each). */
export function symbolCount(row: readonly Node[]): number {
  let n = 0;
  for (const node of row) {
    switch (node.kind) {
      case 'sym': n++; break;
      case 'frac': n += 1 + symbolCount(node.num) + symbolCount(node.den); break;
      case 'sqrt': n += 1 + symbolCount(node.body); break;
      case 'sup': n += symbolCount([node.base]) + symbolCount(node.exp); break;
    }
  }
  return n;
}

/** The symbols of a row in reading order, as classifier glyph names (for symbol accuracy). */
export function glyphSequence(row: readonly Node[]): string[] {
  const out: string[] = [];
  for (const node of row) {
    switch (node.kind) {
      case 'sym': out.push(node.value); break;
      case 'frac': out.push(...glyphSequence(node.num), '\\frac', ...glyphSequence(node.den)); break;
      case 'sqrt': out.push('\\sqrt', ...glyphSequence(node.body)); break;
      case 'sup': out.push(...glyphSequence([node.base]), ...glyphSequence(node.exp)); break;
    }
  }
  return out;
}
