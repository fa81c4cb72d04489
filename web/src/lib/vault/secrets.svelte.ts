import { ApiError } from '../api/client';
import { toastError, toasts } from '../toast/toast.svelte';
import type { SecretsApi } from './api';
import type { SecretDto } from './types';

/**
 * A list of secrets (shared ones for admins, or the caller's own) and the forms that write them.
 *
 * The secret value only ever lives in `value` / `rotateValue` while a person types it: it is
 * sent once and cleared right after the request, whatever its outcome, and never logged,
 * stored or put in a URL. The server never sends it back.
 */
export class SecretsState {
  items = $state<SecretDto[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);

  // Create form.
  name = $state('');
  serviceId = $state('');
  value = $state('');
  formError = $state<string | null>(null);
  busy = $state(false);

  /** The secret whose value is being replaced, and the new value. */
  rotating = $state<SecretDto | null>(null);
  rotateValue = $state('');
  rotateError = $state<string | null>(null);

  /** Waiting for the delete confirm. */
  removing = $state<SecretDto | null>(null);

  readonly #api: SecretsApi;
  readonly #onChange: () => void;

  constructor(api: SecretsApi, onChange: () => void = () => {}) {
    this.#api = api;
    this.#onChange = onChange;
  }

  async load(): Promise<void> {
    try {
      this.items = await this.#api.list();
      this.loadError = null;
    } catch (e) {
      this.loadError = `Could not load the secrets: ${e instanceof ApiError ? e.describe() : 'unexpected error.'}`;
    } finally {
      this.loaded = true;
    }
  }

  async create(): Promise<boolean> {
    const name = this.name.trim();
    const serviceId = this.serviceId;
    this.formError = !serviceId
      ? 'Choose the service this key is for.'
      : !name
        ? 'Give the secret a name.'
        : !this.value
          ? 'Paste the key.'
          : null;
    if (this.formError) return false;
    const value = this.value;
    this.value = '';
    this.busy = true;
    try {
      const created = await this.#api.create({ name, serviceId, value });
      toasts.show(`Stored “${created.name}” (${'••••' + created.last4}).`, 'success');
      this.name = '';
      await this.load();
      this.#onChange();
      return true;
    } catch (e) {
      this.formError = e instanceof ApiError ? e.describe() : 'Could not store the secret.';
      return false;
    } finally {
      this.busy = false;
    }
  }

  startRotate(s: SecretDto): void {
    this.rotating = s;
    this.rotateValue = '';
    this.rotateError = null;
  }

  cancelRotate(): void {
    this.rotating = null;
    this.rotateValue = '';
    this.rotateError = null;
  }

  async rotate(): Promise<boolean> {
    const target = this.rotating;
    if (!target) return false;
    if (!this.rotateValue) {
      this.rotateError = 'Paste the new key.';
      return false;
    }
    const value = this.rotateValue;
    this.rotateValue = '';
    this.busy = true;
    try {
      const updated = await this.#api.rotate(target.id, value);
      toasts.show(`Replaced the value of “${updated.name}”.`, 'success');
      this.rotating = null;
      this.rotateError = null;
      await this.load();
      this.#onChange();
      return true;
    } catch (e) {
      this.rotateError = e instanceof ApiError ? e.describe() : 'Could not replace the secret.';
      return false;
    } finally {
      this.busy = false;
    }
  }

  async confirmRemove(): Promise<void> {
    const target = this.removing;
    this.removing = null;
    if (!target) return;
    try {
      await this.#api.remove(target.id);
      toasts.show(`Deleted “${target.name}”.`, 'success');
      await this.load();
      this.#onChange();
    } catch (e) {
      toastError(e, 'Could not delete the secret.');
    }
  }
}
