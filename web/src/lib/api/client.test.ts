import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, onUnauthorized, parseETag, parseProblem, request, setFetch } from './client';

function respond(status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
  return vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => new Response(text, { status, headers }));
}

afterEach(() => {
  setFetch(null);
  onUnauthorized(null);
});

describe('parseProblem', () => {
  it('parseProblem_ProblemDetails_TypedFields', () => {
    const e = parseProblem(
      400,
      JSON.stringify({
        type: 'about:blank',
        title: 'Invalid props',
        status: 400,
        detail: 'The card props do not match its schema.',
        code: 'spawn.invalid_props',
        errors: { '/name': ['Too long.'], other: 'single' },
      }),
    );
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(400);
    expect(e.code).toBe('spawn.invalid_props');
    expect(e.detail).toBe('The card props do not match its schema.');
    expect(e.errors).toEqual({ '/name': ['Too long.'], other: ['single'] });
    expect(e.describe()).toBe('The card props do not match its schema.\n/name: Too long.\nother: single');
  });

  it('parseProblem_ManifestProblems_FoldedIntoErrors', () => {
    const e = parseProblem(400, JSON.stringify({ detail: 'Bad manifest.', code: 'manifest.invalid', problems: [{ pointer: '/cards/0/typeID', message: 'Required.' }] }));
    expect(e.errors).toEqual({ '/cards/0/typeID': ['Required.'] });
  });

  it('parseProblem_NoDetail_FallsBackToTitleThenStatus', () => {
    expect(parseProblem(409, JSON.stringify({ title: 'Conflict here' })).detail).toBe('Conflict here');
    expect(parseProblem(409, '{}').code).toBe('http.409');
    expect(parseProblem(502, '<html>bad gateway</html>').detail).toMatch(/server had a problem/);
    expect(parseProblem(418, '', "I'm a teapot").detail).toContain('418');
  });
});

describe('request', () => {
  it('request_Always_SendsCsrfHeaderAndJson', async () => {
    const f = respond(200, { ok: true });
    setFetch(f);
    await request('/api/boards', { method: 'POST', body: { name: 'x' }, ifMatch: 7 });
    const init = f.mock.calls[0]![1]!;
    const headers = init.headers as Record<string, string>;
    expect(headers['X-Labyrinth-Request']).toBe('1');
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers['If-Match']).toBe('"7"');
    expect(init.body).toBe('{"name":"x"}');
  });

  it('request_Get_HasCsrfHeaderNoContentType', async () => {
    const f = respond(200, []);
    setFetch(f);
    await request('/api/boards');
    const headers = f.mock.calls[0]![1]!.headers as Record<string, string>;
    expect(headers['X-Labyrinth-Request']).toBe('1');
    expect(headers['Content-Type']).toBeUndefined();
  });

  it('request_Etag_ParsedWithoutQuotes', async () => {
    setFetch(respond(200, { id: 'b' }, { ETag: '"12"' }));
    const r = await request('/api/boards/b');
    expect(r.etag).toBe('12');
    expect(parseETag('W/"3"')).toBe('3');
  });

  it('request_204_NoBody', async () => {
    setFetch(respond(204, undefined));
    const r = await request('/api/auth/logout', { method: 'POST' });
    expect(r.data).toBeUndefined();
  });

  it('request_412_ThrowsApiErrorWithCode', async () => {
    setFetch(respond(412, { code: 'board.version_conflict', detail: 'Stale.' }));
    await expect(request('/api/boards/b/layout', { method: 'PUT', body: {} })).rejects.toMatchObject({
      status: 412,
      code: 'board.version_conflict',
      detail: 'Stale.',
    });
  });

  it('request_401_CallsUnauthorizedHandler', async () => {
    const handler = vi.fn();
    onUnauthorized(handler);
    setFetch(respond(401, { code: 'auth.required', detail: 'Sign in.' }));
    await expect(request('/api/boards')).rejects.toBeInstanceOf(ApiError);
    expect(handler).toHaveBeenCalledOnce();
  });

  it('request_401Allowed_NoRedirect', async () => {
    const handler = vi.fn();
    onUnauthorized(handler);
    setFetch(respond(401, ''));
    await expect(request('/api/auth/me', { allowUnauthorized: true })).rejects.toMatchObject({ status: 401 });
    expect(handler).not.toHaveBeenCalled();
  });

  it('request_NetworkFailure_ReadableError', async () => {
    setFetch(vi.fn(async () => {
      throw new TypeError('fetch failed');
    }));
    await expect(request('/api/boards')).rejects.toMatchObject({ status: 0, code: 'network.unreachable' });
  });
});
