/**
 * Reads Hershey fonts (`.jhf`, Debian's `hershey-fonts-data`): single-stroke vector glyphs, the
 * source of the synthetic training ink. Each glyph is `NNNNNVVV` + pairs of characters, the first
 * pair the left/right bearing, then coordinates as `char - 'R'`, `" R"` lifting the pen.
 */
export type Polyline = [number, number][];

export function parseJhf(text: string): Polyline[][] {
  const glyphs: Polyline[][] = [];
  const s = text.replace(/\r/g, '');
  let i = 0;
  while (i < s.length) {
    if (s[i] === '\n') { i++; continue; }
    const count = Number(s.slice(i + 5, i + 8));
    i += 8;
    const pairs: string[] = [];
    while (pairs.length < count && i < s.length) {
      if (s[i] === '\n') { i++; continue; }
      pairs.push(s.slice(i, i + 2));
      i += 2;
    }
    const strokes: Polyline[] = [];
    let current: Polyline = [];
    for (const p of pairs.slice(1)) {
      if (p === ' R') { if (current.length) strokes.push(current); current = []; continue; }
      current.push([p.charCodeAt(0) - 82, p.charCodeAt(1) - 82]);
    }
    if (current.length) strokes.push(current);
    glyphs.push(strokes);
  }
  return glyphs;
}

/** The glyph for ASCII `ch` in a font laid out from U+0020 (every `.jhf` here). */
export function glyphOf(font: Polyline[][], ch: string): Polyline[] | undefined {
  return font[ch.charCodeAt(0) - 32];
}

import fs from 'node:fs';
import path from 'node:path';
import type { GlyphSource, Placed, Rng } from './synth.ts';
import { pick } from './synth.ts';
import type { P } from './templates.ts';

export const HERSHEY_DIR = process.env.HERSHEY_DIR ?? '/usr/share/hershey-fonts';

const ASCII: Record<string, string> = { x: 'x', y: 'y', '+': '+', '-': '-', '=': '=', '(': '(', ')': ')', '.': '.' };

export function loadFont(name: string): Polyline[][] {
  const file = path.join(HERSHEY_DIR, `${name}.jhf`);
  if (!fs.existsSync(file)) throw new Error(`${file} not found: apt-get install hershey-fonts-data (or set HERSHEY_DIR)`);
  return parseJhf(fs.readFileSync(file, 'utf8'));
}

/**
 * Glyphs from Hershey fonts: digits, x, y, + − = ( ) . from `text`, π as `p` of `greek`; null
 * for the rest (×, ÷, √, fraction bars), which the caller draws another way.
 */
export function hersheySource(text: string[], greek: string[], fallback: GlyphSource): GlyphSource {
  const fonts = text.map(loadFont), greeks = greek.map(loadFont);
  return (p: Placed, r: Rng): P[][] => {
    let g: Polyline[] | undefined;
    if (p.glyph === 'pi') g = glyphOf(pick(r, greeks), 'p');
    else if (p.value !== '\\frac' && p.value !== '\\times' && (/^[0-9]$/.test(p.glyph) || ASCII[p.glyph])) g = glyphOf(pick(r, fonts), ASCII[p.glyph] ?? p.glyph);
    if (!g || !g.length) return fallback(p, r);
    return g.map((s) => s.map(([x, y]) => [x, y] as P));
  };
}
