export type Route =
  | { name: 'setup'; token: string }
  | { name: 'login' }
  | { name: 'board'; boardId: string | null }
  | { name: 'admin-users' }
  | { name: 'admin-plugins' }
  | { name: 'admin-groups' }
  | { name: 'admin-themes' }
  | { name: 'admin-secrets' }
  | { name: 'admin-services' }
  | { name: 'admin-backups' }
  | { name: 'my-keys' }
  | { name: 'assets' }
  | { name: 'not-found'; path: string };

/** Pure: maps a location to a route. */
export function matchRoute(pathname: string, search = ''): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(search);
  if (path === '/setup') return { name: 'setup', token: query.get('token') ?? '' };
  if (path === '/login') return { name: 'login' };
  if (path === '/') return { name: 'board', boardId: null };
  if (path === '/admin/users') return { name: 'admin-users' };
  if (path === '/admin/plugins') return { name: 'admin-plugins' };
  if (path === '/admin/groups') return { name: 'admin-groups' };
  if (path === '/admin/themes') return { name: 'admin-themes' };
  if (path === '/admin/secrets') return { name: 'admin-secrets' };
  if (path === '/admin/services') return { name: 'admin-services' };
  if (path === '/admin/backups') return { name: 'admin-backups' };
  if (path === '/keys') return { name: 'my-keys' };
  if (path === '/assets') return { name: 'assets' };
  const m = /^\/boards\/([^/]+)$/.exec(path);
  if (m && m[1]) {
    try {
      return { name: 'board', boardId: decodeURIComponent(m[1]) };
    } catch {
      return { name: 'not-found', path };
    }
  }
  return { name: 'not-found', path };
}

export function boardPath(id: string): string {
  return `/boards/${encodeURIComponent(id)}`;
}
