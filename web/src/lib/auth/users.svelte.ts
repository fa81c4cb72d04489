import { ApiError } from '../api/client';
import { adminApi } from '../api/endpoints';
import type { AdminUserDto, Role } from '../api/types';
import { toastError, toasts } from '../toast/toast.svelte';

/** What the admin user list calls each HTTP operation (adminApi; injectable for tests). */
export interface UsersHttp {
  users(): Promise<AdminUserDto[]>;
  createUser(userName: string, password: string, role: Role): Promise<AdminUserDto>;
  updateUser(id: string, change: { role?: Role; disabled?: boolean }): Promise<AdminUserDto>;
  resetPassword(id: string, password: string): Promise<void>;
  deleteUser(id: string): Promise<void>;
}

/** The sentence the delete confirm shows: what goes with the account, and what stays. */
export function deleteMessage(u: AdminUserDto, isSelf: boolean): string {
  const boards = `${u.boards} ${u.boards === 1 ? 'board' : 'boards'}`;
  const files = `${u.assets} uploaded ${u.assets === 1 ? 'file' : 'files'}`;
  return (
    `“${u.userName}” is deleted with everything only they own: ${boards} (with their cards’ saved data and permissions), ` +
    `${files}, their own service keys and their access tokens. Nothing is handed to anyone else. ` +
    `Audit log entries stay.${isSelf ? ' You will be signed out.' : ''} This cannot be undone.`
  );
}

/**
 * The admin's user list (/admin/users): create, change role, disable/enable, reset password,
 * delete. The host refuses anything that would leave no enabled admin (409 `user.last_admin`);
 * its sentence is shown as it is.
 */
export class UsersState {
  items = $state<AdminUserDto[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  /** Rows with a request in flight. */
  busy = $state<Record<string, boolean>>({});
  /** The account whose password is being reset (dialog open). */
  resetting = $state<AdminUserDto | null>(null);
  resetValue = $state('');
  resetError = $state<string | null>(null);
  /** The account the admin asked to delete (confirm open). */
  removing = $state<AdminUserDto | null>(null);

  readonly #http: UsersHttp;

  constructor(http: UsersHttp = adminApi) {
    this.#http = http;
  }

  async load(): Promise<void> {
    try {
      this.items = await this.#http.users();
      this.loadError = null;
    } catch (e) {
      this.loadError = e instanceof ApiError ? e.describe() : 'Could not load users.';
    } finally {
      this.loaded = true;
    }
  }

  /** Returns an error sentence, or null when the account was created. */
  async create(userName: string, password: string, role: Role): Promise<string | null> {
    try {
      const u = await this.#http.createUser(userName, password, role);
      toasts.show(`Created ${u.userName}.`, 'success');
      await this.load();
      return null;
    } catch (e) {
      return e instanceof ApiError ? e.describe() : 'Could not create the user.';
    }
  }

  async #update(u: AdminUserDto, change: { role?: Role; disabled?: boolean }, done: string): Promise<boolean> {
    this.busy[u.id] = true;
    try {
      const updated = await this.#http.updateUser(u.id, change);
      this.items = this.items.map((x) => (x.id === updated.id ? updated : x));
      toasts.show(done, 'success');
      return true;
    } catch (e) {
      toastError(e, 'The account could not be changed.');
      return false;
    } finally {
      this.busy[u.id] = false;
    }
  }

  setRole(u: AdminUserDto, role: Role): Promise<boolean> {
    return this.#update(u, { role }, `${u.userName} is now ${role === 'admin' ? 'an administrator' : 'a member'}.`);
  }

  setDisabled(u: AdminUserDto, disabled: boolean): Promise<boolean> {
    return this.#update(u, { disabled }, disabled ? `${u.userName} is disabled and signed out everywhere.` : `${u.userName} can sign in again.`);
  }

  startReset(u: AdminUserDto): void {
    this.resetting = u;
    this.resetValue = '';
    this.resetError = null;
  }

  cancelReset(): void {
    this.resetting = null;
    this.resetValue = '';
  }

  async confirmReset(validate: (v: string) => string | null): Promise<void> {
    const u = this.resetting;
    if (!u) return;
    this.resetError = validate(this.resetValue);
    if (this.resetError) return;
    this.busy[u.id] = true;
    try {
      await this.#http.resetPassword(u.id, this.resetValue);
      this.cancelReset();
      toasts.show(`New password set for ${u.userName}; their sessions have ended.`, 'success');
    } catch (e) {
      this.resetError = e instanceof ApiError ? e.describe() : 'The password could not be reset.';
    } finally {
      this.busy[u.id] = false;
    }
  }

  /** Deletes the account the confirm asked about; returns the deleted account (null when refused). */
  async confirmRemove(): Promise<AdminUserDto | null> {
    const u = this.removing;
    this.removing = null;
    if (!u) return null;
    this.busy[u.id] = true;
    try {
      await this.#http.deleteUser(u.id);
      this.items = this.items.filter((x) => x.id !== u.id);
      toasts.show(`Deleted ${u.userName}.`, 'success');
      return u;
    } catch (e) {
      toastError(e, 'The account could not be deleted.');
      return null;
    } finally {
      this.busy[u.id] = false;
    }
  }
}
