// Color parsing for theme data (hex, RGBA arrays 0–1, and the rgb()/rgba() the host may emit in
// cssVars). Pure; never throws on hostile input, answers null instead.
import type { ThemeColor } from './types';

/** Components 0–1. */
export type Rgba = readonly [number, number, number, number];

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const FUNC = /^rgba?\(\s*([\d.]+)\s*[, ]\s*([\d.]+)\s*[, ]\s*([\d.]+)\s*(?:[,/]\s*([\d.]+%?)\s*)?\)$/i;

const unit = (n: number) => Number.isFinite(n) && n >= 0 && n <= 1;

export function parseColor(c: ThemeColor | null | undefined): Rgba | null {
  if (Array.isArray(c)) {
    if (c.length !== 3 && c.length !== 4) return null;
    const [r, g, b, a = 1] = c as number[];
    if (![r, g, b, a].every((n) => typeof n === 'number' && unit(n))) return null;
    return [r!, g!, b!, a];
  }
  if (typeof c !== 'string') return null;
  const s = c.trim();
  const hex = HEX.exec(s);
  if (hex) {
    let h = hex[1]!;
    if (h.length <= 4) h = [...h].map((ch) => ch + ch).join('');
    const n = (i: number) => parseInt(h.slice(i, i + 2), 16) / 255;
    return [n(0), n(2), n(4), h.length === 8 ? n(6) : 1];
  }
  const fn = FUNC.exec(s);
  if (fn) {
    const [r, g, b] = [fn[1], fn[2], fn[3]].map((v) => Number(v) / 255) as [number, number, number];
    const rawA = fn[4];
    const a = rawA === undefined ? 1 : rawA.endsWith('%') ? Number(rawA.slice(0, -1)) / 100 : Number(rawA);
    if (![r, g, b, a].every(unit)) return null;
    return [r, g, b, a];
  }
  return null;
}

/** WCAG relative luminance, 0 (black) – 1 (white). */
export function luminance([r, g, b]: Rgba): number {
  const lin = (v: number) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** `rgba(r, g, b, a)` for canvas fillStyle. */
export function toCss([r, g, b, a]: Rgba): string {
  const c = (v: number) => Math.round(v * 255);
  return `rgba(${c(r)}, ${c(g)}, ${c(b)}, ${Math.round(a * 1000) / 1000})`;
}

export function mix(a: Rgba, b: Rgba, t: number): Rgba {
  const l = (x: number, y: number) => x + (y - x) * t;
  return [l(a[0], b[0]), l(a[1], b[1]), l(a[2], b[2]), l(a[3], b[3])];
}
