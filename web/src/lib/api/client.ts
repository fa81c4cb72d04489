import { ApiError, parseProblem } from './errors';

export { ApiError, parseProblem, parseProblems, type Problem } from './errors';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /**
   * A body that already is JSON text, sent byte for byte instead of `body`: a JSON.parse and
   * JSON.stringify round trip would merge duplicate keys and drop a BOM the host must see.
   */
  json?: string | Blob;
  /** Board version for optimistic concurrency; sent as `If-Match: "<version>"`. */
  ifMatch?: number;
  /** When true a 401 is returned to the caller as an ApiError without redirecting to /login. */
  allowUnauthorized?: boolean;
  signal?: AbortSignal;
  /** Keep the request alive during page unload (payload flush on close). */
  keepalive?: boolean;
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  /** ETag with quotes removed, when the server sent one. */
  etag: string | null;
}

type FetchFn = typeof fetch;

let unauthorizedHandler: (() => void) | null = null;
let fetchImpl: FetchFn | null = null;

/** Called on any 401 (except when `allowUnauthorized`); the app sends the user to /login. */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

/** For requests made outside `request()` (XHR uploads, downloads): a 401 signs the user out the same way. */
export function notifyUnauthorized(): void {
  unauthorizedHandler?.();
}

/** The CSRF header every state-changing request to the host carries (docs/api.md "Conventions"). */
export const CSRF_HEADER = { 'X-Labyrinth-Request': '1' } as const;

/** Test seam: replace fetch. */
export function setFetch(fn: FetchFn | null): void {
  fetchImpl = fn;
}

export function parseETag(value: string | null): string | null {
  if (!value) return null;
  return value.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/**
 * The one way the UI talks to the host: JSON in and out, the CSRF header on every request,
 * problem details turned into ApiError.
 */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'X-Labyrinth-Request': '1',
  };
  let body: string | Blob | undefined;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = opts.json;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;

  const f = fetchImpl ?? globalThis.fetch.bind(globalThis);
  let res: Response;
  try {
    res = await f(path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
      keepalive: opts.keepalive,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network.unreachable', 'The server could not be reached. Check your connection.');
  }

  const text = res.status === 204 ? '' : await res.text();
  if (!res.ok) {
    const err = parseProblem(res.status, text, res.statusText);
    if (res.status === 401 && !opts.allowUnauthorized) unauthorizedHandler?.();
    throw err;
  }
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'http.bad_json', 'The server sent a response the app could not read.');
    }
  }
  return { status: res.status, data: data as T, etag: parseETag(res.headers.get('ETag')) };
}

export async function get<T>(path: string, opts: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<T> {
  return (await request<T>(path, opts)).data;
}

export async function send<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  opts: Omit<RequestOptions, 'method' | 'body'> = {},
): Promise<T> {
  return (await request<T>(path, { ...opts, method, body })).data;
}
