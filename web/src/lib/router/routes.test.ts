import { describe, expect, it } from 'vitest';
import { boardPath, matchRoute } from './routes';

describe('matchRoute', () => {
  it('matchRoute_Setup_KeepsToken', () => {
    expect(matchRoute('/setup', '?token=abc123')).toEqual({ name: 'setup', token: 'abc123' });
  });
  it('matchRoute_Root_IsBoardWithoutId', () => {
    expect(matchRoute('/')).toEqual({ name: 'board', boardId: null });
  });
  it('matchRoute_BoardPath_DecodesId', () => {
    expect(matchRoute(boardPath('b 1/x'))).toEqual({ name: 'board', boardId: 'b 1/x' });
  });
  it('matchRoute_TrailingSlash_Ignored', () => {
    expect(matchRoute('/admin/users/')).toEqual({ name: 'admin-users' });
    expect(matchRoute('/login/')).toEqual({ name: 'login' });
    expect(matchRoute('/admin/plugins/')).toEqual({ name: 'admin-plugins' });
  });
  it('matchRoute_AdminThemes_IsThemeSettings', () => {
    expect(matchRoute('/admin/themes')).toEqual({ name: 'admin-themes' });
  });

  it('matchRoute_VaultPages_Matched', () => {
    expect(matchRoute('/admin/secrets')).toEqual({ name: 'admin-secrets' });
    expect(matchRoute('/admin/services/')).toEqual({ name: 'admin-services' });
    expect(matchRoute('/keys')).toEqual({ name: 'my-keys' });
  });
  it('matchRoute_AdminBackups_IsTheBackupsPage', () => {
    expect(matchRoute('/admin/backups')).toEqual({ name: 'admin-backups' });
  });
  it('matchRoute_Assets_IsTheAssetsPage', () => {
    expect(matchRoute('/assets')).toEqual({ name: 'assets' });
  });
  it('matchRoute_Unknown_IsNotFound', () => {
    expect(matchRoute('/nope').name).toBe('not-found');
    expect(matchRoute('/boards/%E0%A4%A').name).toBe('not-found');
  });
});
