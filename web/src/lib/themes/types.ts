// Wire types of the themes API (docs/api.md "Themes") and the shapes the UI derives from them.

/** A color as themes write it: `#RGB`, `#RRGGBB`, `#RRGGBBAA` or `[r, g, b, a]` with components 0–1. */
export type ThemeColor = string | readonly number[];

export type GridLevel = 'tileBorder' | 'child' | 'grandchild';
export type GridAxes = 'horizontal' | 'vertical' | 'both';

export interface FractalGridGroup {
  level: GridLevel;
  axes: GridAxes;
  color: ThemeColor;
  /** Line width in CSS pixels (default 1). */
  widthPx?: number;
}

export interface FractalGrid {
  enabled: boolean;
  groups: FractalGridGroup[];
}

export interface ThemeDto {
  /** `light`, `dark`, or `<pluginId>/<themeID>` for plugin themes. */
  id: string;
  name: string;
  source: 'builtin' | 'plugin';
  pluginId?: string | null;
  version?: string | null;
  tokens: Record<string, unknown>;
  fractalGrid?: FractalGrid | null;
  /** The host's fixed token → CSS custom property mapping: `{ "--lab-…": value }`. */
  cssVars: Record<string, string>;
  previewUrl?: string | null;
}

export interface ThemesResponse {
  themes: ThemeDto[];
  defaultThemeId: string | null;
  userThemeId: string | null;
}

/** The built-in theme the system preference maps to. */
export type SystemScheme = 'light' | 'dark';
