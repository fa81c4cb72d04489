import type { Component } from 'svelte';
import type { Session } from '../auth/session.svelte';
import { pageParamsOf } from '../../../../sdk/src/protocol.ts';

/**
 * Where a page sits: `bare` pages stand alone (setup, sign-in), `board` is the canvas,
 * `account` pages share the account layout, `admin` pages the admin layout with its side
 * navigation (in table order), `app` is a plugin's page, full-size in the same layout.
 */
export type PageLayout = 'bare' | 'board' | 'account' | 'admin' | 'app';

/** Props every page component gets; the board also gets `boardId`, setup its `token`. */
export interface PageProps {
  session: Session;
  token?: string;
  boardId?: string | null;
}

export type PageLoader = () => Promise<{ default: Component<PageProps> }>;

export interface PageDef {
  /** Stable name (tests, redirects). */
  readonly name: string;
  readonly path: string;
  /** Title in the layout's header and navigation. */
  readonly title: string;
  readonly layout: PageLayout;
  /** Open without signing in. */
  readonly public?: boolean;
  /** Navigation icon (admin side navigation, account menu). */
  readonly icon?: string;
  /** The page component, loaded when first shown (admin pages stay out of the board's bundle). */
  readonly load: PageLoader;
}

/**
 * The web app's one route table: one entry per page. Adding an admin page is one line here; the
 * admin layout's navigation and the account menu read this table.
 */
export const PAGES = [
  { name: 'setup', path: '/setup', title: 'Set up', layout: 'bare', public: true, load: () => import('../auth/SetupPage.svelte') },
  { name: 'login', path: '/login', title: 'Sign in', layout: 'bare', public: true, load: () => import('../auth/LoginPage.svelte') },
  { name: 'board', path: '/', title: 'Boards', layout: 'board', load: () => import('../boards/BoardApp.svelte') },
  { name: 'assets', path: '/assets', title: 'Assets', layout: 'account', icon: '🗂', load: () => import('../assets/AssetsPage.svelte') },
  { name: 'profile', path: '/profile', title: 'Profile', layout: 'account', icon: '👤', load: () => import('../profile/ProfilePage.svelte') },
  { name: 'my-keys', path: '/keys', title: 'My keys', layout: 'account', icon: '🗝', load: () => import('../vault/MyKeysPage.svelte') },
  { name: 'running-apps', path: '/apps/running', title: 'Running apps', layout: 'account', icon: '⚙', load: () => import('../apps/RunningAppsPage.svelte') },
  { name: 'admin-plugins', path: '/admin/plugins', title: 'Plugins', layout: 'admin', icon: '🧩', load: () => import('../plugin-admin/PluginAdminPage.svelte') },
  { name: 'admin-groups', path: '/admin/groups', title: 'Groups', layout: 'admin', icon: '🫂', load: () => import('../groups/GroupsPage.svelte') },
  { name: 'admin-users', path: '/admin/users', title: 'Users', layout: 'admin', icon: '👥', load: () => import('../auth/AdminUsersPage.svelte') },
  { name: 'admin-secrets', path: '/admin/secrets', title: 'Secrets', layout: 'admin', icon: '🔑', load: () => import('../vault/SecretsPage.svelte') },
  { name: 'admin-services', path: '/admin/services', title: 'Services', layout: 'admin', icon: '🌐', load: () => import('../vault/ServicesPage.svelte') },
  { name: 'admin-themes', path: '/admin/themes', title: 'Themes', layout: 'admin', icon: '🎨', load: () => import('../themes/ThemeSettingsPage.svelte') },
  { name: 'admin-audit', path: '/admin/audit', title: 'Audit log', layout: 'admin', icon: '📜', load: () => import('../plugin-admin/AuditPage.svelte') },
  { name: 'admin-backups', path: '/admin/backups', title: 'Backups', layout: 'admin', icon: '💾', load: () => import('../backups/BackupsPage.svelte') },
] as const satisfies readonly PageDef[];

export type PageName = (typeof PAGES)[number]['name'];

/**
 * Every plugin page (`/apps/{pluginId}/{path}`, seed 004's convention) is this one route; the
 * plugin's page itself is resolved against what the host lists for the person (apps/pages.svelte.ts).
 */
export const PLUGIN_PAGE: PageDef = {
  name: 'plugin-page', path: '/apps/{pluginId}/{path}', title: 'App', layout: 'app', load: () => import('../apps/PluginPageView.svelte'),
};

export type Route =
  | { name: 'setup'; page: PageDef; token: string }
  | { name: 'board'; page: PageDef; boardId: string | null }
  | { name: Exclude<PageName, 'setup' | 'board'>; page: PageDef }
  | { name: 'plugin-page'; page: PageDef; pluginId: string; path: string; params: Record<string, string> }
  | { name: 'not-found'; page: null; path: string };

const PLUGIN_ID = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;
const PAGE_PATH = /^([a-z0-9][a-z0-9-]{0,63}(\/[a-z0-9][a-z0-9-]{0,63}){0,7})?$/;

/** `/apps/{pluginId}/{path}`: the plugin and page path, or null when the address is not one (the manifest's rules). */
export function parsePluginPage(path: string): { pluginId: string; path: string } | null {
  const m = /^\/apps\/([^/]+)(?:\/(.*))?$/.exec(path);
  if (!m || !m[1] || m[1].length > 200 || !PLUGIN_ID.test(m[1])) return null;
  const rest = m[2] ?? '';
  return rest.length <= 200 && PAGE_PATH.test(rest) ? { pluginId: m[1], path: rest } : null;
}

/** The address of a plugin's page, with query parameters in a stable order. */
export function pluginPagePath(pluginId: string, path: string, params: Readonly<Record<string, string>> = {}): string {
  const query = new URLSearchParams(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))).toString();
  return `/apps/${pluginId}${path ? `/${path}` : ''}${query ? `?${query}` : ''}`;
}

/** The admin pages in navigation order. */
export const ADMIN_PAGES: readonly PageDef[] = PAGES.filter((p) => p.layout === 'admin');

/** The account pages (assets, profile, keys) in menu order. */
export const ACCOUNT_PAGES: readonly PageDef[] = PAGES.filter((p) => p.layout === 'account');

const BY_PATH = new Map<string, PageDef>(PAGES.map((p) => [p.path, p]));

function page(name: PageName): PageDef {
  return PAGES.find((p) => p.name === name)!;
}

/**
 * Pure: maps a location to a route. The setup link carries its token in the fragment
 * (`/setup#token=…`), which a browser never sends, so it stays out of proxies' and the host's
 * request logs; `?token=` (a link typed or printed by an older host) still works.
 */
export function matchRoute(pathname: string, search = '', hash = ''): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(search);
  const found = BY_PATH.get(path);
  if (found) {
    const name = found.name as PageName;
    if (name === 'setup') {
      return { name, page: found, token: new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? query.get('token') ?? '' };
    }
    if (name === 'board') return { name, page: found, boardId: null };
    return { name, page: found };
  }
  const app = parsePluginPage(path);
  if (app) {
    return { name: 'plugin-page', page: PLUGIN_PAGE, pluginId: app.pluginId, path: app.path, params: pageParamsOf(Object.fromEntries(query)) };
  }
  const m = /^\/boards\/([^/]+)$/.exec(path);
  if (m && m[1]) {
    try {
      return { name: 'board', page: page('board'), boardId: decodeURIComponent(m[1]) };
    } catch {
      return { name: 'not-found', page: null, path };
    }
  }
  return { name: 'not-found', page: null, path };
}

export function boardPath(id: string): string {
  return `/boards/${encodeURIComponent(id)}`;
}
