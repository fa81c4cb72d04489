import { ApiError } from '../api/client';
import { authApi, setupApi } from '../api/endpoints';
import type { UserDto } from '../api/types';
import type { Router } from '../router/router.svelte';

export type SessionStatus = 'loading' | 'ready' | 'offline';

/** Who is signed in, and the start-up redirects (setup → login → app). */
export class Session {
  user = $state<UserDto | null>(null);
  status = $state<SessionStatus>('loading');
  needsSetup = $state(false);
  /** A sentence for the sign-in page, e.g. why a link brought the person there. */
  notice = $state<string | null>(null);
  readonly isAdmin = $derived(this.user?.role === 'admin');
  /** Where to go after signing in (a deep link that bounced to /login). */
  #returnTo = '/';

  constructor(private readonly router: Router) {}

  /** Decides where the user belongs; keeps `?token=` when sending them to /setup. */
  async boot(): Promise<void> {
    this.status = 'loading';
    try {
      const { needsSetup } = await setupApi.status();
      this.needsSetup = needsSetup;
      if (needsSetup) {
        this.user = null;
        if (this.router.route.name !== 'setup') this.router.navigate('/setup', { replace: true });
        this.status = 'ready';
        return;
      }
      try {
        this.user = await authApi.me();
        const name = this.router.route.name;
        if (name === 'login' || name === 'setup') this.router.navigate('/', { replace: true });
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 401) throw e;
        this.user = null;
        // Setup is done: a stale /setup link goes to sign-in, saying why.
        if (this.router.route.name === 'setup') {
          this.notice = 'This setup link was already used: the admin account exists. Sign in instead.';
          this.router.navigate('/login', { replace: true });
        }
        else this.#toLogin();
      }
      this.status = 'ready';
    } catch {
      this.status = 'offline';
    }
  }

  #toLogin(): void {
    const name = this.router.route.name;
    if (name === 'login' || name === 'setup') return;
    if (name === 'board' || name === 'admin-users') this.#returnTo = location.pathname + location.search;
    this.router.navigate('/login', { replace: true });
  }

  signedIn(user: UserDto): void {
    this.user = user;
    this.notice = null;
    this.needsSetup = false;
    const to = this.#returnTo;
    this.#returnTo = '/';
    this.router.navigate(to, { replace: true });
  }

  /** Any 401 from the API lands here. */
  expired(): void {
    this.user = null;
    this.#toLogin();
  }

  async logout(): Promise<void> {
    try {
      await authApi.logout();
    } finally {
      this.user = null;
      this.router.navigate('/login', { replace: true });
    }
  }
}
