import { matchRoute, type Route } from './routes';

/** A tiny history-API router: one reactive `route`, `navigate()`, and link interception. */
export class Router {
  pathname = $state(location.pathname);
  search = $state(location.search);
  hash = $state(location.hash);
  readonly route: Route = $derived(matchRoute(this.pathname, this.search, this.hash));

  constructor() {
    window.addEventListener('popstate', () => this.#sync());
    window.addEventListener('hashchange', () => this.#sync());
  }

  #sync(): void {
    this.pathname = location.pathname;
    this.search = location.search;
    this.hash = location.hash;
  }

  navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
    const url = new URL(to, location.origin);
    if (url.pathname + url.search === location.pathname + location.search) return;
    if (replace) history.replaceState(null, '', url.pathname + url.search);
    else history.pushState(null, '', url.pathname + url.search);
    this.#sync();
  }

  /** onclick for in-app `<a href>`: plain left clicks navigate without a reload. */
  link = (e: MouseEvent): void => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.currentTarget as HTMLAnchorElement;
    if (!a.href || a.target) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin) return;
    e.preventDefault();
    this.navigate(url.pathname + url.search);
  };
}

export const router = new Router();
