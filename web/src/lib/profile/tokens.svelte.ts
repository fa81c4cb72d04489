import { ApiError } from '../api/client';
import { tokensApi } from '../api/endpoints';
import type { CreatedTokenDto, TokenDto } from '../api/types';
import { toastError, toasts } from '../toast/toast.svelte';

/** What the token list calls (tokensApi; injectable for tests). */
export interface TokensHttp {
  list(): Promise<TokenDto[]>;
  create(name: string, expiresInDays: number | null): Promise<CreatedTokenDto>;
  revoke(id: string): Promise<void>;
}

/** Lifetimes offered when creating a token; the host accepts 1–366 days or none. */
export const EXPIRY_CHOICES: readonly { days: number | null; label: string }[] = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: null, label: 'Never' },
];

/** "expired" / "expires in 3 days" / "never expires", relative to `now`. */
export function describeExpiry(expiresAt: string | null, now: Date = new Date()): { text: string; expired: boolean } {
  if (expiresAt === null) return { text: 'Never expires', expired: false };
  const at = new Date(expiresAt);
  if (Number.isNaN(at.getTime())) return { text: '', expired: false };
  const ms = at.getTime() - now.getTime();
  if (ms <= 0) return { text: 'Expired', expired: true };
  const days = ms / 86_400_000;
  if (days >= 1.5) return { text: `Expires in ${Math.round(days)} days`, expired: false };
  const hours = Math.max(1, Math.round(ms / 3_600_000));
  return { text: hours >= 24 ? 'Expires in 1 day' : `Expires in ${hours} ${hours === 1 ? 'hour' : 'hours'}`, expired: false };
}

/**
 * Personal access tokens on /profile: create (shown once), list, revoke. The token's secret
 * lives only in `created` until the person dismisses it; the host keeps a hash.
 */
export class TokensState {
  items = $state<TokenDto[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  name = $state('');
  expiresInDays = $state<number | null>(30);
  formError = $state<string | null>(null);
  busy = $state(false);
  /** The token just created, with its secret: shown once. */
  created = $state<CreatedTokenDto | null>(null);
  /** The token the person asked to revoke (confirm open). */
  revoking = $state<TokenDto | null>(null);

  readonly #http: TokensHttp;

  constructor(http: TokensHttp = tokensApi) {
    this.#http = http;
  }

  async load(): Promise<void> {
    try {
      this.items = await this.#http.list();
      this.loadError = null;
    } catch (e) {
      this.loadError = e instanceof ApiError ? e.describe() : 'Could not load your tokens.';
    } finally {
      this.loaded = true;
    }
  }

  async create(): Promise<void> {
    const name = this.name.trim();
    if (!name) {
      this.formError = 'Give the token a name, e.g. where it is used (“laptop CLI”).';
      return;
    }
    this.busy = true;
    this.formError = null;
    try {
      this.created = await this.#http.create(name, this.expiresInDays);
      this.name = '';
      await this.load();
    } catch (e) {
      this.formError = e instanceof ApiError ? e.describe() : 'The token could not be created.';
    } finally {
      this.busy = false;
    }
  }

  /** Forgets the secret: after this nobody can see it again. */
  dismissCreated(): void {
    this.created = null;
  }

  async confirmRevoke(): Promise<void> {
    const t = this.revoking;
    this.revoking = null;
    if (!t) return;
    try {
      await this.#http.revoke(t.id);
      this.items = this.items.filter((x) => x.id !== t.id);
      if (this.created?.id === t.id) this.created = null;
      toasts.show(`Revoked “${t.name}”. Anything using it is refused from now on.`, 'success');
    } catch (e) {
      toastError(e, 'The token could not be revoked.');
    }
  }
}
