// Typed calls, one per row of docs/api.md.
import { get, request, send } from './client';
import type {
  BoardDto,
  BoardSummaryDto,
  CardLoadTelemetry,
  PayloadDto,
  PluginDto,
  Role,
  SpawnRequest,
  SpawnResponse,
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
