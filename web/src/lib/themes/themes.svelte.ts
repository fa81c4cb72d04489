import { ApiError } from '../api/client';
import { defaultGrid } from '../canvas/grid-math';
import { toastError } from '../toast/toast.svelte';
import { publishCardTheme } from './card-theme';
import { themesApi } from './api';
import { applyCssVars, cardTokensFrom, resolveTheme, safeCssVars, schemeOf } from './theme-logic';
import type { FractalGrid, SystemScheme, ThemeDto } from './types';

const DARK_QUERY = '(prefers-color-scheme: dark)';
/** The last applied theme, so a reload paints it at once instead of flashing the system look. */
const CACHE_KEY = 'labyrinth.theme';

interface CachedTheme {
  id: string;
  scheme: SystemScheme;
  vars: Record<string, string>;
}

function readCache(): CachedTheme | null {
  try {
    const raw = JSON.parse(localStorage.getItem(CACHE_KEY) ?? 'null') as Partial<CachedTheme> | null;
    if (!raw || typeof raw.id !== 'string' || (raw.scheme !== 'light' && raw.scheme !== 'dark')) return null;
    return { id: raw.id, scheme: raw.scheme, vars: safeCssVars(raw.vars) };
  } catch {
    return null;
  }
}

function writeCache(value: CachedTheme | null): void {
  try {
    if (value) localStorage.setItem(CACHE_KEY, JSON.stringify(value));
    else localStorage.removeItem(CACHE_KEY);
  } catch {
    // Storage may be disabled; the theme still applies once /api/themes answers.
  }
}

/**
 * The active theme of this browser tab: loads /api/themes once signed in, resolves
 * user choice → admin default → system preference (live), applies the theme's CSS variables to
 * <html>, and publishes card tokens through card-theme.ts so open cards follow without reload.
 * Before it loads, app.css follows prefers-color-scheme on its own (no white flash).
 */
export class ThemeStore {
  themes = $state.raw<ThemeDto[]>([]);
  defaultThemeId = $state<string | null>(null);
  /** The user's own choice; null = follow the default, then the system. */
  userThemeId = $state<string | null>(null);
  system = $state<SystemScheme>('light');
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');

  readonly active: ThemeDto | null = $derived(resolveTheme(this.themes, this.userThemeId, this.defaultThemeId, this.system));
  readonly scheme: SystemScheme = $derived(schemeOf(this.active, this.system));
  /** What the board draws; null = no grid (`enabled: false`). */
  readonly grid: FractalGrid | null = $derived(
    this.active?.fractalGrid ? this.active.fractalGrid : defaultGrid(this.active ? this.scheme : this.system),
  );

  #root: HTMLElement | null;
  #applied: string[] = [];
  #published = '';
  #loadSeq = 0;

  constructor(root: HTMLElement | null = typeof document === 'undefined' ? null : document.documentElement) {
    this.#root = root;
    if (typeof matchMedia === 'function') {
      const mq = matchMedia(DARK_QUERY);
      this.system = mq.matches ? 'dark' : 'light';
      mq.addEventListener('change', (e) => {
        this.system = e.matches ? 'dark' : 'light';
        this.#sync();
      });
    }
    const cached = typeof localStorage === 'undefined' ? null : readCache();
    if (cached && this.#root) {
      this.#applied = applyCssVars(this.#root.style, [], cached.vars);
      this.#root.style.setProperty('color-scheme', cached.scheme);
      this.#root.dataset.theme = cached.id;
      this.#published = JSON.stringify(cardTokensFrom(cached.vars));
      publishCardTheme(cardTokensFrom(cached.vars));
    }
  }

  /** Fetches the themes and applies the active one (after sign-in, and after installs). */
  async load(): Promise<void> {
    const seq = ++this.#loadSeq;
    this.status = 'loading';
    try {
      const res = await themesApi.list();
      if (seq !== this.#loadSeq) return;
      this.themes = Array.isArray(res.themes) ? res.themes : [];
      this.defaultThemeId = res.defaultThemeId ?? null;
      this.userThemeId = res.userThemeId ?? null;
      this.status = 'ready';
    } catch {
      if (seq !== this.#loadSeq) return;
      // The app stays usable on the app.css defaults.
      this.status = 'error';
    }
    this.#sync();
  }

  /** The user picks a theme (null = System). Optimistic; reverted with a toast if the host refuses. */
  async choose(themeId: string | null): Promise<void> {
    const before = this.userThemeId;
    if (before === themeId) return;
    this.userThemeId = themeId;
    this.#sync();
    try {
      await themesApi.choose(themeId);
    } catch (e) {
      if (this.userThemeId === themeId) {
        this.userThemeId = before;
        this.#sync();
      }
      toastError(e, 'Could not save your theme.');
    }
  }

  /** Admin: the theme people get until they choose one (null = follow the system). */
  async setDefault(themeId: string | null): Promise<void> {
    const before = this.defaultThemeId;
    this.defaultThemeId = themeId;
    this.#sync();
    try {
      await themesApi.setDefault(themeId);
    } catch (e) {
      this.defaultThemeId = before;
      this.#sync();
      throw e instanceof ApiError ? e : new ApiError(0, 'theme.default_failed', 'Could not set the default theme.');
    }
  }

  /** Signed out: back to the app.css defaults (which follow the system). */
  reset(): void {
    this.#loadSeq++;
    this.themes = [];
    this.defaultThemeId = null;
    this.userThemeId = null;
    this.status = 'idle';
    this.#sync();
  }

  #sync(): void {
    // Until the host has answered, keep what the cache painted (no flash on reload).
    if (this.status === 'loading') return;
    const theme = this.active;
    const vars = safeCssVars(theme?.cssVars);
    if (this.#root) {
      this.#applied = applyCssVars(this.#root.style, this.#applied, vars);
      if (theme) this.#root.style.setProperty('color-scheme', this.scheme);
      else this.#root.style.removeProperty('color-scheme');
      this.#root.dataset.theme = theme?.id ?? '';
    }
    if (this.status === 'ready' || this.status === 'idle') writeCache(theme ? { id: theme.id, scheme: this.scheme, vars } : null);
    const tokens = cardTokensFrom(vars);
    const key = JSON.stringify(tokens);
    if (key !== this.#published) {
      this.#published = key;
      publishCardTheme(tokens);
    }
  }
}

export const themeStore = new ThemeStore();
