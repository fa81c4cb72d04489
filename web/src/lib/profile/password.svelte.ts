import { ApiError } from '../api/client';
import { authApi } from '../api/endpoints';
import type { PasswordRuleDto } from '../api/types';
import { validatePassword } from '../auth/validation';

/** Changing one's own password (/profile): current + new + confirm, the host's rule checked first. */
export class PasswordChange {
  current = $state('');
  next = $state('');
  confirm = $state('');
  error = $state<string | null>(null);
  /** Which field the error is about, so it can be announced next to it. */
  errorField = $state<'current' | 'next' | null>(null);
  busy = $state(false);
  done = $state(false);

  readonly #change: (current: string, next: string) => Promise<void>;

  constructor(change: (current: string, next: string) => Promise<void> = authApi.changePassword) {
    this.#change = change;
  }

  async submit(rule: PasswordRuleDto): Promise<void> {
    this.done = false;
    this.errorField = null;
    this.error = this.current ? null : 'Enter your current password.';
    if (this.error) {
      this.errorField = 'current';
      return;
    }
    this.error = validatePassword(this.next, this.confirm, rule);
    if (this.error) {
      this.errorField = 'next';
      return;
    }
    this.busy = true;
    try {
      await this.#change(this.current, this.next);
      this.current = this.next = this.confirm = '';
      this.done = true;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'auth.wrong_password') {
        this.error = 'That is not your current password.';
        this.errorField = 'current';
      } else {
        this.error = e instanceof ApiError ? e.describe() : 'The password could not be changed.';
        this.errorField = 'next';
      }
    } finally {
      this.busy = false;
    }
  }
}
