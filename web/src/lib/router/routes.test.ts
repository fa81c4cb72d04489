import { describe, expect, it } from 'vitest';
import { ADMIN_PAGES, ACCOUNT_PAGES, boardPath, matchRoute, PAGES } from './routes';

describe('matchRoute', () => {
  it('matchRoute_Setup_KeepsToken', () => {
    expect(matchRoute('/setup', '?token=abc123')).toMatchObject({ name: 'setup', token: 'abc123' });
  });
  it('matchRoute_SetupTokenInTheFragment_KeepsToken', () => {
    expect(matchRoute('/setup', '', '#token=abc_-123')).toMatchObject({ name: 'setup', token: 'abc_-123' });
  });
  it('matchRoute_SetupTokenInBoth_TheFragmentWins', () => {
    expect(matchRoute('/setup', '?token=old', '#token=new')).toMatchObject({ name: 'setup', token: 'new' });
  });
  it('matchRoute_Root_IsBoardWithoutId', () => {
    expect(matchRoute('/')).toMatchObject({ name: 'board', boardId: null });
  });
  it('matchRoute_BoardPath_DecodesId', () => {
    expect(matchRoute(boardPath('b 1/x'))).toMatchObject({ name: 'board', boardId: 'b 1/x' });
  });
  it('matchRoute_TrailingSlash_Ignored', () => {
    expect(matchRoute('/admin/users/')).toMatchObject({ name: 'admin-users' });
    expect(matchRoute('/login/')).toMatchObject({ name: 'login' });
    expect(matchRoute('/admin/plugins/')).toMatchObject({ name: 'admin-plugins' });
  });
  it('matchRoute_EveryPage_FoundByItsPath', () => {
    for (const p of PAGES) expect(matchRoute(p.path)).toMatchObject({ name: p.name, page: p });
  });
  it('matchRoute_Profile_IsTheProfilePage', () => {
    expect(matchRoute('/profile')).toMatchObject({ name: 'profile', page: { layout: 'account' } });
  });
  it('matchRoute_Unknown_IsNotFound', () => {
    expect(matchRoute('/nope')).toMatchObject({ name: 'not-found', page: null });
    expect(matchRoute('/boards/%E0%A4%A').name).toBe('not-found');
  });
});

describe('route table', () => {
  it('adminPages_InNavigationOrder', () => {
    expect(ADMIN_PAGES.map((p) => p.title)).toEqual(['Plugins', 'Groups', 'Users', 'Secrets', 'Services', 'Themes', 'Audit log', 'Backups']);
  });
  it('accountPages_AssetsProfileKeysRunningApps', () => {
    expect(ACCOUNT_PAGES.map((p) => p.path)).toEqual(['/assets', '/profile', '/keys', '/apps/running']);
  });
  it('pages_PathsAndNamesAreUnique', () => {
    expect(new Set(PAGES.map((p) => p.path)).size).toBe(PAGES.length);
    expect(new Set(PAGES.map((p) => p.name)).size).toBe(PAGES.length);
  });
  it('pages_OnlySetupAndLoginArePublic', () => {
    expect(PAGES.filter((p) => 'public' in p && p.public).map((p) => p.name)).toEqual(['setup', 'login']);
  });
});
