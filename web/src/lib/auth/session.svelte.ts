import { authApi } from '../api/endpoints';
import type { PasswordRuleDto, UserDto } from '../api/types';
import type { Router } from '../router/router.svelte';

export type SessionStatus = 'loading' | 'ready' | 'offline';

/** The host's rule until /api/auth/session answers (it publishes the real one). */
const DEFAULT_PASSWORD_RULE: PasswordRuleDto = { minLength: 10, maxLength: 256 };

/** Who is signed in, and the start-up redirects (setup → login → app). */
export class Session {
  user = $state<UserDto | null>(null);
  status = $state<SessionStatus>('loading');
  needsSetup = $state(false);
  /** The password rule the host enforces, shown next to every new-password field. */
  passwordRule = $state<PasswordRuleDto>(DEFAULT_PASSWORD_RULE);
  /** A sentence for the sign-in page, e.g. why a link brought the person there. */
  notice = $state<string | null>(null);
  readonly isAdmin = $derived(this.user?.role === 'admin');
  /** Where to go after signing in (a deep link that bounced to /login). */
  #returnTo = '/';

  constructor(private readonly router: Router) {}

  /**
   * Decides where the user belongs; keeps the setup link's token when they are already on /setup. One quiet
   * request: "nobody is signed in" is an ordinary 200, not a 401 in the browser console.
   */
  async boot(): Promise<void> {
    this.status = 'loading';
    try {
      const s = await authApi.session();
      this.passwordRule = s.passwordRule;
      this.needsSetup = s.needsSetup;
      this.user = s.user;
      const name = this.router.route.name;
      if (s.needsSetup) {
        if (name !== 'setup') this.router.navigate('/setup', { replace: true });
      } else if (s.user) {
        if (name === 'login' || name === 'setup') this.router.navigate('/', { replace: true });
      } else if (name === 'setup') {
        // Setup is done: a stale /setup link goes to sign-in, saying why.
        this.notice = 'This setup link was already used: the admin account exists. Sign in instead.';
        this.router.navigate('/login', { replace: true });
      } else {
        this.#toLogin();
      }
      this.status = 'ready';
    } catch {
      this.status = 'offline';
    }
  }

  #toLogin(): void {
    const route = this.router.route;
    if (route.page?.public) return;
    if (route.name !== 'not-found') this.#returnTo = location.pathname + location.search;
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
