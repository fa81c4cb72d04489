import { describe, expect, it } from 'vitest';
import { matchRoute, parsePluginPage, pluginPagePath } from '../router/routes';
import { navigationTarget, navSections, pageDocumentTitle, resolvePage } from './pages';
import type { AppPageInfo } from './types';

const page = (over: Partial<AppPageInfo>): AppPageInfo => ({
  pluginId: 'dev.labyrinth.dashboard', version: '1.0.0', pluginName: 'Dashboard', path: '', allowed: true,
  title: 'Dashboard', icon: '📊', nav: { section: 'Apps', order: 0 }, ...over,
});

describe('plugin page routes', () => {
  it('matchRoute_AppsPluginPath_IsThePluginPageWithItsParams', () => {
    expect(matchRoute('/apps/dev.labyrinth.dashboard/reports/monthly', '?year=2026&zone=UTC')).toMatchObject({
      name: 'plugin-page', pluginId: 'dev.labyrinth.dashboard', path: 'reports/monthly', params: { year: '2026', zone: 'UTC' },
    });
  });
  it('matchRoute_AppsPluginWithoutPath_IsItsHomePage', () => {
    expect(matchRoute('/apps/dev.labyrinth.dashboard/')).toMatchObject({ name: 'plugin-page', path: '' });
  });
  it('matchRoute_RunningApps_StaysTheHostPage', () => {
    expect(matchRoute('/apps/running')).toMatchObject({ name: 'running-apps' });
  });
  it.each(['/apps/Dev.X/a', '/apps/dev.x/../admin', '/apps/dev.x/a//b', '/apps/dev.x/A', '/apps/dev.x/%2e%2e', '/apps/nodots/a'])(
    'parsePluginPage_%s_IsNotAPluginPage', (path) => {
      expect(parsePluginPage(path)).toBeNull();
      expect(matchRoute(path).name).not.toBe('plugin-page');
    });
  it('pluginPagePath_SortsParamsAndOmitsTheEmptyPath', () => {
    expect(pluginPagePath('dev.x.y', '', { b: '2', a: '1 2' })).toBe('/apps/dev.x.y?a=1+2&b=2');
    expect(pluginPagePath('dev.x.y', 'a/b')).toBe('/apps/dev.x.y/a/b');
  });
});

describe('navSections', () => {
  it('navSections_GroupsBySectionAndOrders', () => {
    const sections = navSections([
      page({ pluginId: 'dev.b.x', path: 'two', title: 'Two', nav: { section: 'Apps', order: 2 } }),
      page({ pluginId: 'dev.a.x', path: 'one', title: 'One', nav: { section: 'Apps', order: 1 } }),
      page({ pluginId: 'dev.c.x', path: 'r', title: 'Reports', nav: { section: 'Insights', order: -5 } }),
    ]);
    expect(sections.map((s) => s.section)).toEqual(['Insights', 'Apps']);
    expect(sections[1]!.entries.map((e) => e.title)).toEqual(['One', 'Two']);
    expect(sections[1]!.entries[0]!.href).toBe('/apps/dev.a.x/one');
  });
  it('navSections_LeavesOutPagesNotAllowedOrWithoutNav', () => {
    const sections = navSections([
      page({ path: 'settings', allowed: false, title: null, icon: null, nav: null }),
      page({ path: 'hidden', nav: null }),
      page({ path: '' }),
    ]);
    expect(sections.flatMap((s) => s.entries.map((e) => e.path))).toEqual(['']);
  });
});

describe('resolvePage', () => {
  const pages = [page({}), page({ path: 'settings', allowed: false, title: null, icon: null, nav: null })];
  it('resolvePage_BeforeTheListLoads_IsLoading', () => {
    expect(resolvePage(null, 'dev.labyrinth.dashboard', '').kind).toBe('loading');
  });
  it('resolvePage_AllowedPage_IsThePage', () => {
    expect(resolvePage(pages, 'dev.labyrinth.dashboard', '')).toMatchObject({ kind: 'page', page: { title: 'Dashboard' } });
  });
  it('resolvePage_AdminOnlyPageForAMember_IsNotAllowed', () => {
    expect(resolvePage(pages, 'dev.labyrinth.dashboard', 'settings')).toEqual({ kind: 'not-allowed', pluginName: 'Dashboard' });
  });
  it('resolvePage_PluginGone_IsUnavailable', () => {
    expect(resolvePage([], 'dev.labyrinth.dashboard', '').kind).toBe('unavailable');
  });
  it('pageDocumentTitle_NamesThePageAndItsPlugin', () => {
    expect(pageDocumentTitle(resolvePage(pages, 'dev.labyrinth.dashboard', ''))).toBe('Dashboard · Dashboard · Labyrinth');
    expect(pageDocumentTitle(resolvePage(pages, 'dev.labyrinth.dashboard', 'settings'))).toBe('Not allowed · Labyrinth');
  });
});

describe('navigationTarget', () => {
  const pages = [page({}), page({ path: 'settings', allowed: false, title: null, icon: null, nav: null }), page({ pluginId: 'dev.other.x', path: 'x' })];
  it('navigationTarget_OwnAllowedPage_IsItsAddress', () => {
    expect(navigationTarget(pages, 'dev.labyrinth.dashboard', '', { w: 'clock' })).toBe('/apps/dev.labyrinth.dashboard?w=clock');
  });
  it('navigationTarget_AnotherPluginsPageOrANotAllowedOne_IsRefused', () => {
    expect(navigationTarget(pages, 'dev.labyrinth.dashboard', 'x', {})).toBeNull();
    expect(navigationTarget(pages, 'dev.labyrinth.dashboard', 'settings', {})).toBeNull();
    expect(navigationTarget(pages, 'dev.labyrinth.dashboard', '../x', {})).toBeNull();
  });
});
