import { ApiError } from '../api/client';
import { toastError, toasts } from '../toast/toast.svelte';
import { servicesAdminApi } from './api';
import {
  emptyService,
  formToBody,
  serviceToForm,
  splitServerErrors,
  validateService,
  type ServiceField,
  type ServiceFormValues,
} from './service-form';
import type { ServiceDto } from './types';

/** The admin's network services: list, enable/disable, and one create/edit form at a time. */
export class ServicesState {
  items = $state<ServiceDto[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);

  /** The open form, or null. `editingId` null = a new service. */
  form = $state<ServiceFormValues | null>(null);
  editingId = $state<string | null>(null);
  fieldErrors = $state<Partial<Record<ServiceField, string>>>({});
  formError = $state<string | null>(null);
  busy = $state(false);
  /** Service waiting for the delete confirm. */
  removing = $state<ServiceDto | null>(null);
  /** Ids with an enable/disable request in flight. */
  toggling = $state<Record<string, boolean>>({});

  readonly #onChange: () => void;

  constructor(onChange: () => void = () => {}) {
    this.#onChange = onChange;
  }

  get isNew(): boolean {
    return this.form !== null && this.editingId === null;
  }

  async load(): Promise<void> {
    try {
      this.items = await servicesAdminApi.list();
      this.loadError = null;
    } catch (e) {
      this.loadError = `Could not load the services: ${e instanceof ApiError ? e.describe() : 'unexpected error.'}`;
    } finally {
      this.loaded = true;
    }
  }

  startNew(): void {
    this.form = emptyService();
    this.editingId = null;
    this.fieldErrors = {};
    this.formError = null;
  }

  startEdit(s: ServiceDto): void {
    this.form = serviceToForm(s);
    this.editingId = s.id;
    this.fieldErrors = {};
    this.formError = null;
  }

  cancel(): void {
    this.form = null;
    this.editingId = null;
    this.fieldErrors = {};
    this.formError = null;
  }

  addPrefix(): void {
    this.form?.pathPrefixes.push('');
  }

  removePrefix(i: number): void {
    if (!this.form) return;
    this.form.pathPrefixes.splice(i, 1);
    if (!this.form.pathPrefixes.length) this.form.pathPrefixes.push('');
  }

  async save(): Promise<boolean> {
    const form = this.form;
    if (!form) return false;
    const isNew = this.editingId === null;
    this.fieldErrors = validateService(form, isNew);
    this.formError = Object.keys(this.fieldErrors).length ? 'Fix the fields marked below.' : null;
    if (this.formError) return false;
    const body = formToBody(form);
    this.busy = true;
    try {
      const saved = isNew ? await servicesAdminApi.create(body) : await servicesAdminApi.update(this.editingId!, body);
      toasts.show(`Saved “${saved.displayName}”.`, 'success');
      this.cancel();
      await this.load();
      this.#onChange();
      return true;
    } catch (e) {
      if (e instanceof ApiError) {
        const { fields, other } = splitServerErrors(e.errors);
        this.fieldErrors = fields;
        this.formError = [e.detail, ...other].join('\n');
      } else {
        this.formError = 'Could not save the service.';
      }
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Enables or disables a service as it is stored (the other fields unchanged). */
  async setEnabled(s: ServiceDto, enabled: boolean): Promise<void> {
    this.toggling[s.id] = true;
    try {
      const { configured: _configured, ...body } = s;
      const saved = await servicesAdminApi.update(s.id, { ...body, enabled });
      const i = this.items.findIndex((x) => x.id === s.id);
      if (i >= 0) this.items[i] = saved;
      toasts.show(`${saved.displayName} is ${saved.enabled ? 'enabled' : 'disabled'}.`, 'success');
      this.#onChange();
    } catch (e) {
      toastError(e, 'Could not change the service.');
      await this.load();
    } finally {
      delete this.toggling[s.id];
    }
  }

  async confirmRemove(): Promise<void> {
    const target = this.removing;
    this.removing = null;
    if (!target) return;
    try {
      await servicesAdminApi.remove(target.id);
      toasts.show(`Deleted “${target.displayName}”.`, 'success');
      if (this.editingId === target.id) this.cancel();
      await this.load();
      this.#onChange();
    } catch (e) {
      toastError(e, 'Could not delete the service.');
    }
  }
}
