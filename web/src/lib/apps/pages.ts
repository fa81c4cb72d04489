// Plugin pages in the host's navigation (docs/api.md "Plugin pages"): pure functions over what
// `GET /api/apps/pages` lists for the person, so the nav and the route guard are testable alone.
import { pluginPagePath } from '../router/routes';
import type { AppPageInfo } from './types';

export interface NavEntry {
  pluginId: string;
  path: string;
  title: string;
  icon: string;
  href: string;
}

export interface NavSection {
  section: string;
  entries: NavEntry[];
}

/**
 * The navigation entries the person may see: allowed pages with a `nav`, grouped by section
 * (sections ordered by their first entry's order, then name), entries by order, then title,
 * then plugin. A page the person may not open is never listed.
 */
export function navSections(pages: readonly AppPageInfo[]): NavSection[] {
  const listed = pages
    .filter((p): p is AppPageInfo & { title: string; nav: NonNullable<AppPageInfo['nav']> } => p.allowed && p.nav !== null && p.title !== null)
    .slice()
    .sort((a, b) => a.nav.order - b.nav.order || cmp(a.title, b.title) || cmp(a.pluginId, b.pluginId) || cmp(a.path, b.path));
  const sections = new Map<string, NavSection & { first: number }>();
  for (const p of listed) {
    let s = sections.get(p.nav.section);
    if (!s) sections.set(p.nav.section, (s = { section: p.nav.section, entries: [], first: p.nav.order }));
    s.entries.push({ pluginId: p.pluginId, path: p.path, title: p.title, icon: p.icon ?? '', href: pluginPagePath(p.pluginId, p.path) });
  }
  return [...sections.values()]
    .sort((a, b) => a.first - b.first || cmp(a.section, b.section))
    .map(({ section, entries }) => ({ section, entries }));
}

/** What the host shows at `/apps/{pluginId}/{path}` for this person. */
export type PageResolution =
  | { kind: 'loading' }
  | { kind: 'page'; page: AppPageInfo & { title: string } }
  /** Their role does not allow it: the host's page, nothing of the plugin loads. */
  | { kind: 'not-allowed'; pluginName: string }
  /** No such page for them: a wrong address, or its plugin was disabled, stopped or uninstalled. */
  | { kind: 'unavailable' };

export function resolvePage(pages: readonly AppPageInfo[] | null, pluginId: string, path: string): PageResolution {
  if (pages === null) return { kind: 'loading' };
  const found = pages.find((p) => p.pluginId === pluginId && p.path === path);
  if (!found) return { kind: 'unavailable' };
  if (!found.allowed || found.title === null) return { kind: 'not-allowed', pluginName: found.pluginName };
  return { kind: 'page', page: { ...found, title: found.title } };
}

/** The browser tab's title on a plugin page. */
export function pageDocumentTitle(r: PageResolution): string {
  switch (r.kind) {
    case 'page':
      return `${r.page.title} · ${r.page.pluginName} · Labyrinth`;
    case 'not-allowed':
      return 'Not allowed · Labyrinth';
    case 'unavailable':
      return 'Page not available · Labyrinth';
    default:
      return 'Labyrinth';
  }
}

/**
 * Where a page's `navigate(path, params)` goes: only to a page of the same plugin that the
 * host lists for the person (an address it may not open is refused here, before any request).
 */
export function navigationTarget(pages: readonly AppPageInfo[], pluginId: string, path: string, params: Readonly<Record<string, string>>): string | null {
  const target = pages.find((p) => p.pluginId === pluginId && p.path === path);
  return target && target.allowed ? pluginPagePath(pluginId, path, params) : null;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
