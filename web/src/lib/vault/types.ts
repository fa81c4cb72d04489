// Wire types of the vault and services (docs/api.md "Vault, services and the network broker").
// No type here has a field for a secret's value except the bodies that send one.

export type SecretScope = 'shared' | 'user';

export interface SecretDto {
  id: string;
  name: string;
  serviceId: string;
  scope: SecretScope;
  /** User name of the owner; user secrets only. */
  owner?: string | null;
  /** The last 4 characters of the value (shown as ••••abcd). */
  last4: string;
  createdAt: string;
  updatedAt: string;
  lastUsedAt?: string | null;
}

export interface CreateSecretBody {
  name: string;
  serviceId: string;
  value: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface SecretInjection {
  in: 'header' | 'query';
  /** Header or query parameter name. */
  name: string;
  /** Must contain `{secret}`, e.g. `Bearer {secret}`. */
  template: string;
}

export interface ServiceDto {
  id: string;
  displayName: string;
  baseUrl: string;
  methods: string[];
  pathPrefixes: string[];
  secret: SecretInjection;
  timeoutSeconds: number;
  maxRequestBytes: number;
  maxResponseBytes: number;
  ratePerMinute: number;
  /** Requests a card may send at once before the per-minute rate applies (1 … ratePerMinute; default one second's worth). */
  burst: number;
  allowStreaming: boolean;
  allowPrivateNetwork: boolean;
  enabled: boolean;
  /** A secret is stored for the service (read-only; set by storing a secret). */
  configured: boolean;
}

/** What the create/edit form sends: everything but `configured`. */
export type ServiceBody = Omit<ServiceDto, 'configured'>;

/** `GET /api/services`: what members see. */
export interface ServiceSummaryDto {
  id: string;
  displayName: string;
  enabled: boolean;
  configured: boolean;
}
