// Typed calls, one per row of docs/api.md.
import type {
  AppAdminDto, AppInfo, AppPageInfo, PageFrameInfo, PluginConfigDto, PluginLogLevel, PluginLogLineDto, RunningServiceRow, ServiceGrantDto, StorageUsageDto,
} from '../apps/types';
import { ApiError, CSRF_HEADER, get, notifyUnauthorized, parseProblem, request, send } from './client';
import type { StorageRequest } from '../bridge/types';
import { storageBody } from '../apps/storage';
import type {
  CspViolationsDto,
  CardOriginsDto,
  AssetDto,
  AssetGrantResultDto,
  AssetType,
  CapabilityDto,
  CardPermissionsDto,
  SnapshotUploadDto,
  ViolationReportDto,
  AuditPageDto,
  AuditVerifyDto,
  BoardDto,
  BoardSummaryDto,
  CardLoadTelemetry,
  GroupDto,
  AvailabilityDto,
  PluginRolloutDto,
  StartRolloutRequest,
  PayloadDto,
  PluginAdminDto,
  PluginDto,
  PolicyDto,
  Role,
  SpawnRequest,
  SpawnResponse,
  TrustKeyDto,
  AdminUserDto,
  UserDto,
  CreatedTokenDto,
  SessionDto,
  TokenDto,
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
  session: () => get<SessionDto>('/api/auth/session', { allowUnauthorized: true }),
  login: (userName: string, password: string) =>
    send<UserDto>('POST', '/api/auth/login', { userName, password }, { allowUnauthorized: true }),
  logout: () => send<void>('POST', '/api/auth/logout', undefined, { allowUnauthorized: true }),
  changePassword: (currentPassword: string, newPassword: string) =>
    send<void>('POST', '/api/auth/password', { currentPassword, newPassword }),
};

export const adminApi = {
  users: () => get<AdminUserDto[]>('/api/admin/users'),
  createUser: (userName: string, password: string, role: Role) =>
    send<AdminUserDto>('POST', '/api/admin/users', { userName, password, role }),
  updateUser: (id: string, change: { role?: Role; disabled?: boolean }) => send<AdminUserDto>('PATCH', `/api/admin/users/${enc(id)}`, change),
  resetPassword: (id: string, password: string) => send<void>('POST', `/api/admin/users/${enc(id)}/password`, { password }),
  deleteUser: (id: string) => send<void>('DELETE', `/api/admin/users/${enc(id)}`),
};

export const tokensApi = {
  list: () => get<TokenDto[]>('/api/tokens'),
  create: (name: string, expiresInDays: number | null) =>
    send<CreatedTokenDto>('POST', '/api/tokens', expiresInDays === null ? { name } : { name, expiresInDays }),
  revoke: (id: string) => send<void>('DELETE', `/api/tokens/${enc(id)}`),
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
  getPayload: (id: string, wid: string) => get<PayloadDto>(`/api/cards/${enc(id)}/${enc(wid)}/payload`),
  putPayload: (id: string, wid: string, payload: unknown, keepalive = false) =>
    send<{ version: number }>('PUT', `/api/cards/${enc(id)}/${enc(wid)}/payload`, { payload }, { keepalive }),
};

export const pluginsApi = {
  list: () => get<PluginDto[]>('/api/plugins'),
  cardOrigins: () => get<CardOriginsDto>('/api/plugins/card-origins'),
  cardLoad: (t: CardLoadTelemetry) => send<void>('POST', '/api/telemetry/card-load', t),
  /** A card that loaded raised an error (the first one per open); counts toward rollout figures. */
  cardError: (t: { pluginId: string; version: string; typeID: string }) => send<void>('POST', '/api/telemetry/card-error', t),
  /** CSP violations of the caller's own frames of a plugin version, after `after` (admins; anyone on a development version). */
  cspReports: (id: string, version: string, after: number) =>
    get<CspViolationsDto>(`/api/plugins/${enc(id)}/${enc(version)}/csp-reports?after=${after}`),
};

/** Groups of people (docs/api.md "Groups"). */
export const groupsApi = {
  list: () => get<GroupDto[]>('/api/admin/groups'),
  create: (name: string) => send<GroupDto>('POST', '/api/admin/groups', { name }),
  remove: (id: string) => send<void>('DELETE', `/api/admin/groups/${enc(id)}`),
  addMember: (id: string, userId: string) => send<GroupDto>('POST', `/api/admin/groups/${enc(id)}/members`, { userId }),
  removeMember: (id: string, userId: string) => send<GroupDto>('DELETE', `/api/admin/groups/${enc(id)}/members/${enc(userId)}`),
};

/** Availability and staged rollouts of one plugin (docs/api.md "Availability and staged rollouts"). */
export const rolloutApi = {
  get: (id: string) => get<PluginRolloutDto>(`/api/admin/plugins/${enc(id)}/rollout`),
  setAvailability: (id: string, groups: string[] | null) =>
    send<AvailabilityDto>('PUT', `/api/admin/plugins/${enc(id)}/availability`, { groups }),
  start: (id: string, req: StartRolloutRequest) => send<PluginRolloutDto>('POST', `/api/admin/plugins/${enc(id)}/rollout`, req),
  promote: (id: string) => send<PluginRolloutDto>('POST', `/api/admin/plugins/${enc(id)}/rollout/promote`),
  rollBack: (id: string) => send<PluginRolloutDto>('POST', `/api/admin/plugins/${enc(id)}/rollout/rollback`),
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
  /** `deleteData` (whole plugin only): its settings and stored data go too; otherwise they stay for a reinstall. */
  uninstall: (id: string, version: string | null, deleteData = false) =>
    send<void>('DELETE', `/api/admin/plugins/${enc(id)}${version ? `?version=${enc(version)}` : `?data=${deleteData ? 'delete' : 'keep'}`}`),
};

export const appsApi = {
  list: () => get<AppInfo[]>('/api/apps'),
  pages: () => get<AppPageInfo[]>('/api/apps/pages'),
  openPage: (pluginId: string, path: string) => get<PageFrameInfo>(`/api/apps/pages/open?pluginId=${enc(pluginId)}&path=${enc(path)}`),
  running: (all = false) => get<RunningServiceRow[]>(`/api/apps/running${all ? '?all=true' : ''}`),
  control: (body: { pluginId: string; serviceId?: string; action: 'stop' | 'restart'; userId?: string; tab?: string; instance?: string }) =>
    send<{ tabs: number }>('POST', '/api/apps/running/control', body),
  admin: (id: string) => get<AppAdminDto>(`/api/admin/plugins/${enc(id)}/app`),
  grant: (id: string, capability: string) => send<ServiceGrantDto>('PUT', `/api/admin/plugins/${enc(id)}/service-grants/${enc(capability)}`),
  revoke: (id: string, capability: string) => send<void>('DELETE', `/api/admin/plugins/${enc(id)}/service-grants/${enc(capability)}`),
  logs: (id: string, level: PluginLogLevel | null) => get<PluginLogLineDto[]>(`/api/admin/plugins/${enc(id)}/logs${level ? `?level=${level}` : ''}`),
  /** A service's storage operation (the admin granted its capabilities). */
  storage: (id: string, req: StorageRequest, signal?: AbortSignal) => send<unknown>('POST', `/api/apps/${enc(id)}/storage`, storageBody(req), { signal }),
  adminConfig: (id: string) => get<PluginConfigDto>(`/api/admin/plugins/${enc(id)}/config`),
  saveConfig: (id: string, values: Record<string, unknown>, ifRevision?: number) =>
    send<PluginConfigDto>('PUT', `/api/admin/plugins/${enc(id)}/config`, { values, ifRevision }),
  storageUsage: (id: string) => get<StorageUsageDto>(`/api/admin/plugins/${enc(id)}/storage`),
  /** The plugin's configuration as cards and services see it (no secret fields). */
  config: (id: string) => get<Record<string, unknown>>(`/api/apps/${enc(id)}/config`),
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
  /** Every action any feature writes (the host's catalogue), for the action filter. */
  actions: () => get<string[]>('/api/admin/audit/actions'),
  exportUrl: '/api/admin/audit/export',
};

// Card Security Contract runtime: docs/api.md "Grants and the permissions panel",
// "File Registry", "Open / close / cap".

function cardPath(boardId: string, windowId: string): string {
  return `/api/cards/${enc(boardId)}/${enc(windowId)}`;
}

export function snapshotUrl(boardId: string, windowId: string, rev = 0): string {
  return `/api/cards/${enc(boardId)}/${enc(windowId)}/snapshot${rev ? `?v=${rev}` : ''}`;
}

export function assetContentUrl(assetId: string): string {
  return `/api/assets/${enc(assetId)}/content`;
}

/** Asset bytes as the card receives them; problem details become ApiError like everywhere else. */
export interface AssetBytes {
  mediaType: string;
  name: string;
  data: ArrayBuffer;
}

async function postForBytes(path: string, body: unknown, signal?: AbortSignal): Promise<AssetBytes> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { ...CSRF_HEADER, 'Content-Type': 'application/json', Accept: 'application/octet-stream, application/problem+json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network.unreachable', 'The server could not be reached. Check your connection.');
  }
  if (!res.ok) {
    if (res.status === 401) notifyUnauthorized();
    throw parseProblem(res.status, await res.text(), res.statusText);
  }
  let name = '';
  try {
    name = decodeURIComponent(res.headers.get('X-Asset-Name') ?? '');
  } catch {
    name = '';
  }
  return { mediaType: res.headers.get('X-Asset-Media-Type') ?? 'application/octet-stream', name, data: await res.arrayBuffer() };
}

export const cardsApi = {
  limits: () => get<{ messagesPerSecond: number; burst: number; bus?: unknown }>('/api/cards/limits'),
  permissions: (b: string, w: string, signal?: AbortSignal) => get<CardPermissionsDto>(`${cardPath(b, w)}/permissions`, { signal }),
  grant: (b: string, w: string, capability: string) => send<CapabilityDto>('POST', `${cardPath(b, w)}/grants`, { capability }),
  revoke: (b: string, w: string, capability: string) => send<void>('DELETE', `${cardPath(b, w)}/grants/${enc(capability)}`),
  revokeAll: (b: string, w: string) => send<void>('DELETE', `${cardPath(b, w)}/grants`),
  grantAsset: (b: string, w: string, assetId: string) => send<AssetGrantResultDto>('POST', `${cardPath(b, w)}/assets`, { assetId }),
  revokeAsset: (b: string, w: string, grantId: string) => send<void>('DELETE', `${cardPath(b, w)}/assets/${enc(grantId)}`),
  readAsset: (b: string, w: string, token: string, signal?: AbortSignal) => postForBytes(`${cardPath(b, w)}/assets/read`, { token }, signal),
  /** Moves the card to the plugin's newer active version; answers the board with the new pin. */
  upgrade: (b: string, w: string, version: string, allow: boolean) => send<BoardDto>('POST', `${cardPath(b, w)}/upgrade`, { version, allow }),
  violations: (b: string, w: string, report: ViolationReportDto) => send<void>('POST', `${cardPath(b, w)}/violations`, report),
  storage: (b: string, w: string, req: StorageRequest, signal?: AbortSignal) => send<unknown>('POST', `${cardPath(b, w)}/storage`, storageBody(req), { signal }),
  putSnapshot: (b: string, w: string, snap: SnapshotUploadDto) =>
    send<void>('PUT', `/api/cards/${enc(b)}/${enc(w)}/snapshot`, snap),
};

/** Upload is XHR (progress): see assets/upload.ts. */
export const assetsApi = {
  list: (type?: AssetType) => get<AssetDto[]>(`/api/assets${type ? `?type=${enc(type)}` : ''}`),
  remove: (id: string) => send<void>('DELETE', `/api/assets/${enc(id)}`),
};
