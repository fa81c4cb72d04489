// Pure theme rules the store (themes.svelte.ts) applies: which theme is active, which CSS custom
// properties to set and remove, what cards receive. DOM access goes through tiny interfaces so
// vitest can check them without a browser.
import { luminance, parseColor } from './color';
import type { SystemScheme, ThemeDto } from './types';

export const CSS_VAR_PREFIX = '--lab-';

/** User choice → admin default → system preference; ids that name no installed theme are skipped. */
export function resolveTheme(
  themes: readonly ThemeDto[],
  userThemeId: string | null,
  defaultThemeId: string | null,
  system: SystemScheme,
): ThemeDto | null {
  const byId = (id: string | null) => (id === null ? undefined : themes.find((t) => t.id === id));
  return byId(userThemeId) ?? byId(defaultThemeId) ?? byId(system) ?? null;
}

const NAME = /^--lab-[a-z0-9][a-z0-9-]{0,63}$/;
// Values come from validated theme data, but the UI still refuses anything that could fetch or
// break out of a declaration: no url()/image-set()/@/braces/semicolons/backslashes/angle brackets.
const VALUE = /^[#\w\s.,%()'"+\-/]{0,256}$/;
const FETCHES = /\b(?:url|image|image-set|cross-fade|element|src|expression)\s*\(/i;

/** The safe subset of a theme's cssVars; anything odd is dropped, never applied. */
export function safeCssVars(vars: Readonly<Record<string, unknown>> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!vars || typeof vars !== 'object') return out;
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v !== 'string' || !NAME.test(k) || !VALUE.test(v) || FETCHES.test(v)) continue;
    out[k] = v.trim();
  }
  return out;
}

/** What a card gets in `themeTokens`: the same map without the `--lab-` prefix. */
export function cardTokensFrom(vars: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) if (k.startsWith(CSS_VAR_PREFIX)) out[k.slice(CSS_VAR_PREFIX.length)] = v;
  return out;
}

/** The slice of CSSStyleDeclaration the store touches. */
export interface StyleTarget {
  setProperty(name: string, value: string): void;
  removeProperty(name: string): string;
}

/**
 * Sets `next` on the root style and removes every property of `previous` that `next` lacks, so a
 * theme switch never leaves a stale variable behind. Returns the names now applied.
 */
export function applyCssVars(
  style: StyleTarget,
  previous: readonly string[],
  next: Readonly<Record<string, string>>,
): string[] {
  for (const name of previous) if (!(name in next)) style.removeProperty(name);
  for (const [name, value] of Object.entries(next)) style.setProperty(name, value);
  return Object.keys(next);
}

/** Light or dark, from the theme's background (built-ins by id); `fallback` when it cannot tell. */
export function schemeOf(theme: ThemeDto | null, fallback: SystemScheme): SystemScheme {
  if (!theme) return fallback;
  if (theme.id === 'light' || theme.id === 'dark') return theme.id;
  const vars = theme.cssVars ?? {};
  for (const key of ['--lab-bg', '--lab-canvas-bg', '--lab-surface']) {
    const c = parseColor(vars[key]);
    if (c) return luminance(c) < 0.4 ? 'dark' : 'light';
  }
  const clear = parseColor(theme.tokens?.['canvas.clearColor'] as string | number[] | undefined);
  if (clear) return luminance(clear) < 0.4 ? 'dark' : 'light';
  return fallback;
}
