import { describe, expect, it } from 'vitest';
import { parseColor } from './color';
import { applyCssVars, cardTokensFrom, resolveTheme, safeCssVars, schemeOf, type StyleTarget } from './theme-logic';
import type { ThemeDto } from './types';

const theme = (id: string, cssVars: Record<string, string> = {}): ThemeDto => ({
  id,
  name: id,
  source: id.includes('/') ? 'plugin' : 'builtin',
  tokens: {},
  cssVars,
});
const all = [theme('light'), theme('dark'), theme('dev.labyrinth.midnight/midnight')];

class FakeStyle implements StyleTarget {
  props = new Map<string, string>();
  setProperty(n: string, v: string) {
    this.props.set(n, v);
  }
  removeProperty(n: string) {
    const v = this.props.get(n) ?? '';
    this.props.delete(n);
    return v;
  }
}

describe('resolveTheme', () => {
  it('resolveTheme_UserChoice_WinsOverDefault', () => {
    expect(resolveTheme(all, 'dev.labyrinth.midnight/midnight', 'light', 'light')?.id).toBe('dev.labyrinth.midnight/midnight');
  });

  it('resolveTheme_NoUserChoice_UsesAdminDefault', () => {
    expect(resolveTheme(all, null, 'dark', 'light')?.id).toBe('dark');
  });

  it('resolveTheme_NoChoiceNoDefault_FollowsSystem', () => {
    expect(resolveTheme(all, null, null, 'dark')?.id).toBe('dark');
  });

  it('resolveTheme_UserChoiceUninstalled_FallsBackToDefault', () => {
    expect(resolveTheme(all, 'gone/theme', 'light', 'dark')?.id).toBe('light');
  });

  it('resolveTheme_NothingMatches_IsNull', () => {
    expect(resolveTheme([], 'x', 'y', 'dark')).toBeNull();
  });
});

describe('applyCssVars', () => {
  it('applyCssVars_NewTheme_SetsEveryVar', () => {
    const s = new FakeStyle();
    applyCssVars(s, [], { '--lab-bg': '#000', '--lab-text': '#fff' });
    expect(Object.fromEntries(s.props)).toEqual({ '--lab-bg': '#000', '--lab-text': '#fff' });
  });

  it('applyCssVars_Switch_RemovesVarsTheNextThemeLacks', () => {
    const s = new FakeStyle();
    const applied = applyCssVars(s, [], { '--lab-bg': '#000', '--lab-glow': '#0ff' });
    applyCssVars(s, applied, { '--lab-bg': '#fff' });
    expect(Object.fromEntries(s.props)).toEqual({ '--lab-bg': '#fff' });
  });

  it('applyCssVars_ToEmpty_ClearsAll', () => {
    const s = new FakeStyle();
    const applied = applyCssVars(s, [], { '--lab-bg': '#000' });
    expect(applyCssVars(s, applied, {})).toEqual([]);
    expect(s.props.size).toBe(0);
  });
});

describe('safeCssVars', () => {
  it('safeCssVars_PlainColorsAndFonts_Kept', () => {
    const vars = { '--lab-bg': '#121316', '--lab-font': "system-ui, 'Segoe UI', sans-serif", '--lab-accent': 'rgba(51, 204, 255, 1)' };
    expect(safeCssVars(vars)).toEqual(vars);
  });

  it.each([
    ['--lab-bg', 'url(https://evil.example/x.png)'],
    ['--lab-bg', 'image-set("x.png" 1x)'],
    ['--lab-bg', 'red; background: red'],
    ['--lab-bg', 'red } body { display:none'],
    ['--lab-bg', '\\75 rl(x)'],
    ['--lab-bg', 'x'.repeat(300)],
    ['color', 'red'],
    ['--other-bg', 'red'],
    ['--lab-BG', 'red'],
  ])('safeCssVars_Hostile_Dropped (%s: %s)', (k, v) => {
    expect(safeCssVars({ [k]: v })).toEqual({});
  });

  it('safeCssVars_NonString_Dropped', () => {
    expect(safeCssVars({ '--lab-bg': 5 as unknown as string })).toEqual({});
  });
});

describe('cardTokensFrom', () => {
  it('cardTokensFrom_CssVars_DropsThePrefix', () => {
    expect(cardTokensFrom({ '--lab-surface': '#fff', '--lab-text': '#000' })).toEqual({ surface: '#fff', text: '#000' });
  });
});

describe('schemeOf', () => {
  it('schemeOf_DarkBackground_IsDark', () => {
    expect(schemeOf(theme('p/midnight', { '--lab-bg': '#121316' }), 'light')).toBe('dark');
  });

  it('schemeOf_LightBackground_IsLight', () => {
    expect(schemeOf(theme('p/paper', { '--lab-bg': '#fafafa' }), 'dark')).toBe('light');
  });

  it('schemeOf_NoTheme_UsesFallback', () => {
    expect(schemeOf(null, 'dark')).toBe('dark');
  });
});

describe('parseColor', () => {
  it.each([
    ['#fff', [1, 1, 1, 1]],
    ['#00000080', [0, 0, 0, 128 / 255]],
    [[0.2, 0.8, 1, 1], [0.2, 0.8, 1, 1]],
    ['rgba(255, 0, 0, 0.5)', [1, 0, 0, 0.5]],
  ] as const)('parseColor_Valid_Parsed (%s)', (input, expected) => {
    const c = parseColor(input as string)!;
    expected.forEach((v, i) => expect(c[i]).toBeCloseTo(v));
  });

  it.each(['red', '#12', [2, 0, 0, 1], [0, 0], 'rgb(300, 0, 0)'])('parseColor_Invalid_Null (%s)', (input) => {
    expect(parseColor(input as string)).toBeNull();
  });
});
