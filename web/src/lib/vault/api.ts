// Typed calls for the vault pages, one per row of docs/api.md "Vault, services and the network broker".
import { get, send } from '../api/client';
import type { CreateSecretBody, SecretDto, ServiceBody, ServiceDto, ServiceSummaryDto } from './types';

const enc = encodeURIComponent;

/** Shared secrets (admin) or the caller's own (`/api/secrets`): the same shapes. */
export interface SecretsApi {
  list(): Promise<SecretDto[]>;
  create(body: CreateSecretBody): Promise<SecretDto>;
  rotate(id: string, value: string): Promise<SecretDto>;
  remove(id: string): Promise<void>;
}

function secretsAt(base: string): SecretsApi {
  return {
    list: () => get<SecretDto[]>(base),
    create: (body) => send<SecretDto>('POST', base, body),
    rotate: (id, value) => send<SecretDto>('PUT', `${base}/${enc(id)}`, { value }),
    remove: (id) => send<void>('DELETE', `${base}/${enc(id)}`),
  };
}

export const adminSecretsApi: SecretsApi = secretsAt('/api/admin/secrets');
export const mySecretsApi: SecretsApi = secretsAt('/api/secrets');

export const servicesAdminApi = {
  list: () => get<ServiceDto[]>('/api/admin/services'),
  create: (body: ServiceBody) => send<ServiceDto>('POST', '/api/admin/services', body),
  update: (id: string, body: ServiceBody) => send<ServiceDto>('PUT', `/api/admin/services/${enc(id)}`, body),
  remove: (id: string) => send<void>('DELETE', `/api/admin/services/${enc(id)}`),
};

export const servicesApi = {
  list: () => get<ServiceSummaryDto[]>('/api/services'),
};
