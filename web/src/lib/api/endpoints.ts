// Typed calls, one per row of docs/api.md.
import { get, request, send } from './client';
import type {
  AuditPageDto,
  AuditVerifyDto,
  BoardDto,
  BoardSummaryDto,
  CardLoadTelemetry,
  PayloadDto,
  PluginAdminDto,
  PluginDto,
  PolicyDto,
  Role,
  SpawnRequest,
  SpawnResponse,
  TrustKeyDto,
  UserDto,
  ViewportDto,
  WindowDto,
} from './types';

const enc = encodeURIComponent;

export const setupApi = {
  status: () => get<{ needsSetup: boolean }>('/api/setup/status', { allowUnauthorized: true }),
  create: (token: string, userName: string, password: string) =>
    send<UserDto>('POST', '/api/setup', { token, userName, password }, { allowUnauthorized: true }),
};

export const authApi = {
  me: () => get<UserDto>('/api/auth/me', { allowUnauthorized: true }),
  login: (userName: string, password: string) =>
    send<UserDto>('POST', '/api/auth/login', { userName, password }, { allowUnauthorized: true }),
  logout: () => send<void>('POST', '/api/auth/logout', undefined, { allowUnauthorized: true }),
};

export const adminApi = {
  users: () => get<UserDto[]>('/api/admin/users'),
  createUser: (userName: string, password: string, role: Role) =>
    send<UserDto>('POST', '/api/admin/users', { userName, password, role }),
};

export const boardsApi = {
  list: () => get<BoardSummaryDto[]>('/api/boards'),
  create: (name: string) => send<BoardDto>('POST', '/api/boards', { name }),
  get: (id: string) => request<BoardDto>(`/api/boards/${enc(id)}`),
  rename: (id: string, name: string, version: number) =>
    send<BoardDto>('PATCH', `/api/boards/${enc(id)}`, { name }, { ifMatch: version }),
  remove: (id: string) => send<void>('DELETE', `/api/boards/${enc(id)}`),
  saveLayout: (id: string, version: number, viewport: ViewportDto, windows: WindowDto[]) =>
    send<BoardDto>('PUT', `/api/boards/${enc(id)}/layout`, { viewport, windows }, { ifMatch: version }),
  spawn: (id: string, version: number, req: SpawnRequest) =>
    send<SpawnResponse>('POST', `/api/boards/${enc(id)}/windows`, req, { ifMatch: version }),
  getPayload: (id: string, wid: string) => get<PayloadDto>(`/api/boards/${enc(id)}/windows/${enc(wid)}/payload`),
  putPayload: (id: string, wid: string, payload: unknown, keepalive = false) =>
    send<{ version: number }>('PUT', `/api/boards/${enc(id)}/windows/${enc(wid)}/payload`, { payload }, { keepalive }),
};

export const pluginsApi = {
  list: () => get<PluginDto[]>('/api/plugins'),
  cardLoad: (t: CardLoadTelemetry) => send<void>('POST', '/api/telemetry/card-load', t),
};

/** Plugin governance (docs/api.md "Plugin governance"). Upload is XHR (progress): see plugin-admin/upload.ts. */
export const pluginAdminApi = {
  list: () => get<PluginAdminDto[]>('/api/admin/plugins'),
  enable: (id: string) => send<PluginAdminDto>('POST', `/api/admin/plugins/${enc(id)}/enable`),
  disable: (id: string, cascade = false) =>
    send<PluginAdminDto>('POST', `/api/admin/plugins/${enc(id)}/disable`, cascade ? { cascade: true } : {}),
  kill: (id: string, version: string | null, reason: string) =>
    send<PluginAdminDto>('POST', `/api/admin/plugins/${enc(id)}/kill`, { ...(version ? { version } : {}), ...(reason ? { reason } : {}) }),
  unkill: (id: string, version: string | null) =>
    send<PluginAdminDto>('POST', `/api/admin/plugins/${enc(id)}/unkill`, version ? { version } : {}),
  activate: (id: string, version: string, rollback: boolean) =>
    send<PluginAdminDto>('POST', `/api/admin/plugins/${enc(id)}/activate`, rollback ? { version, rollback: true } : { version }),
  uninstall: (id: string, version: string | null) =>
    send<void>('DELETE', `/api/admin/plugins/${enc(id)}${version ? `?version=${enc(version)}` : ''}`),
};

export const trustApi = {
  list: () => get<TrustKeyDto[]>('/api/admin/trust'),
  add: (name: string, publicKey: string) => send<TrustKeyDto>('POST', '/api/admin/trust', { name, publicKey }),
  remove: (keyId: string) => send<void>('DELETE', `/api/admin/trust/${enc(keyId)}`),
};

export const policyApi = {
  get: () => get<PolicyDto>('/api/admin/policy'),
  setUnsignedAllowlist: (ids: string[]) => send<PolicyDto>('PUT', '/api/admin/policy', { unsignedAllowlist: ids }),
};

export const auditApi = {
  /** `query` from buildAuditQuery (leading `?`). */
  page: (query: string) => get<AuditPageDto>(`/api/admin/audit${query}`),
  verify: () => get<AuditVerifyDto>('/api/admin/audit/verify'),
  exportUrl: '/api/admin/audit/export',
};
