import { ApiError } from '../api/client';
import { policyApi, trustApi } from '../api/endpoints';
import type { PolicyDto, TrustKeyDto } from '../api/types';
import { toastError, toasts } from '../toast/toast.svelte';
import { isPluginId, parseIdList, validatePublicKey } from './validation';

/** The trust store: publisher keys that may sign packages. */
export class TrustState {
  keys = $state<TrustKeyDto[]>([]);
  loadError = $state<string | null>(null);
  name = $state('');
  publicKey = $state('');
  formError = $state<string | null>(null);
  busy = $state(false);
  /** Key waiting for the remove confirm. */
  removing = $state<TrustKeyDto | null>(null);

  async load(): Promise<void> {
    try {
      this.keys = await trustApi.list();
      this.loadError = null;
    } catch (e) {
      this.loadError = `Could not load the trust store: ${e instanceof ApiError ? e.describe() : 'unexpected error.'}`;
    }
  }

  async add(): Promise<void> {
    const name = this.name.trim();
    this.formError = !name ? 'Give the key a name (who publishes with it).' : validatePublicKey(this.publicKey);
    if (this.formError) return;
    this.busy = true;
    try {
      await trustApi.add(name, this.publicKey.trim());
      toasts.show(`Trusted “${name}”.`, 'success');
      this.name = '';
      this.publicKey = '';
      await this.load();
    } catch (e) {
      this.formError = e instanceof ApiError ? e.describe() : 'Could not add the key.';
    } finally {
      this.busy = false;
    }
  }

  async confirmRemove(): Promise<void> {
    const key = this.removing;
    this.removing = null;
    if (!key) return;
    try {
      await trustApi.remove(key.keyId);
      toasts.show(`“${key.name}” is no longer trusted.`, 'success');
      await this.load();
    } catch (e) {
      toastError(e, 'Could not remove the key.');
    }
  }
}

/** The install policy: Strict, plus the ids allowed to install unsigned. */
export class PolicyState {
  policy = $state<PolicyDto | null>(null);
  text = $state('');
  loadError = $state<string | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);

  readonly #onChange: () => void;

  constructor(onChange: () => void = () => {}) {
    this.#onChange = onChange;
  }

  get ids(): string[] {
    return parseIdList(this.text);
  }

  get dirty(): boolean {
    const saved = this.policy?.unsignedAllowlist ?? [];
    const now = this.ids;
    return now.length !== saved.length || now.some((id, i) => id !== saved[i]);
  }

  async load(): Promise<void> {
    try {
      this.policy = await policyApi.get();
      this.text = this.policy.unsignedAllowlist.join('\n');
      this.loadError = null;
    } catch (e) {
      this.loadError = `Could not load the policy: ${e instanceof ApiError ? e.describe() : 'unexpected error.'}`;
    }
  }

  async save(): Promise<void> {
    const bad = this.ids.find((id) => !isPluginId(id));
    this.error = bad ? `“${bad}” is not a reverse-DNS plugin id (like com.example.notes).` : null;
    if (this.error) return;
    this.busy = true;
    try {
      this.policy = await policyApi.setUnsignedAllowlist(this.ids);
      this.text = this.policy.unsignedAllowlist.join('\n');
      toasts.show('Unsigned allowlist saved.', 'success');
      this.#onChange();
    } catch (e) {
      this.error = e instanceof ApiError ? e.describe() : 'Could not save the policy.';
    } finally {
      this.busy = false;
    }
  }
}
