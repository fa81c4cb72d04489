import { afterEach, describe, expect, it, vi } from 'vitest';
import { onUnauthorized } from '../api/client';
import { brokerFetch, brokerUrl } from './broker';
import { BridgeError } from '../bridge/card-host';
import { toBridgeCode } from './errors';
import type { NetworkRequest } from './types';

const REQ: NetworkRequest = { method: 'POST', path: '/chat/completions', body: '{"x":1}', stream: true };

/** A response whose body arrives in the given pieces, one read each (like a network). */
function ndjson(pieces: string[], status = 200): Response {
  const enc = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (i < pieces.length) ctrl.enqueue(enc.encode(pieces[i++]));
      else ctrl.close();
    },
  });
  return new Response(body, { status, headers: { 'Content-Type': 'application/x-ndjson' } });
}

const lines = (...objs: unknown[]) => objs.map((o) => JSON.stringify(o) + '\n').join('');

function problem(status: number, code: string, detail: string): Response {
  return new Response(JSON.stringify({ status, code, detail, title: 'x' }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}

function stubFetch(res: Response | (() => Promise<Response>)) {
  const fn = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => (typeof res === 'function' ? res() : res));
  vi.stubGlobal('fetch', fn);
  return fn;
}

async function rejection(p: Promise<unknown>): Promise<BridgeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BridgeError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

afterEach(() => {
  vi.unstubAllGlobals();
  onUnauthorized(null);
});

describe('brokerFetch', () => {
  it('brokerFetch_Request_PostsContractFieldsWithCsrfHeader', async () => {
    const fetch = stubFetch(ndjson([lines({ status: 200, headers: {} }, { end: true, bytes: 0 })]));
    const sneaky = { ...REQ, url: 'http://169.254.169.254/' } as NetworkRequest;
    await brokerFetch('b 1', 'w_1', 'openai', sneaky, () => {});
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/cards/b%201/w_1/network/openai');
    expect(init?.method).toBe('POST');
    expect((init?.headers as Record<string, string>)['X-Labyrinth-Request']).toBe('1');
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(JSON.parse(init?.body as string)).toEqual({ method: 'POST', path: '/chat/completions', body: '{"x":1}', stream: true });
  });

  it('brokerUrl_ServiceWithSlash_IsEncoded', () => {
    expect(brokerUrl('b', 'w', '../admin')).toBe('/api/cards/b/w/network/..%2Fadmin');
  });

  it('brokerFetch_Stream_PassesEachChunkInOrderAndReturnsStatusHeadersBytes', async () => {
    const text = lines(
      { status: 200, headers: { 'content-type': 'text/event-stream', 'x-n': 5 } },
      { chunk: 'data: {"a":1}\n\n' },
      { chunk: 'data: [DONE]\n\n' },
      { end: true, bytes: 29 },
    );
    // Split mid-line and mid-JSON to prove lines are reassembled across reads.
    stubFetch(ndjson([text.slice(0, 7), text.slice(7, 60), text.slice(60)]));
    const chunks: string[] = [];
    const result = await brokerFetch('b', 'w', 'openai', REQ, (c) => chunks.push(c));
    expect(chunks).toEqual(['data: {"a":1}\n\n', 'data: [DONE]\n\n']);
    expect(result).toEqual({ status: 200, headers: { 'content-type': 'text/event-stream' }, bytes: 29 });
  });

  it('brokerFetch_NotStreaming_CollectsBodyAndCallsNoChunkCallback', async () => {
    stubFetch(ndjson([lines({ status: 201, headers: {} }, { chunk: '{"ok":' }, { chunk: 'true}' }, { end: true, bytes: 11 })]));
    const onChunk = vi.fn();
    const result = await brokerFetch('b', 'w', 's', { method: 'GET', path: '/models' }, onChunk);
    expect(result).toEqual({ status: 201, headers: {}, body: '{"ok":true}' });
    expect(onChunk).not.toHaveBeenCalled();
  });

  it('brokerFetch_MultibyteSplitAcrossReads_DecodedIntact', async () => {
    const bytes = new TextEncoder().encode(lines({ status: 200, headers: {} }, { chunk: 'héllo ✓' }, { end: true, bytes: 10 }));
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (i < bytes.length) ctrl.enqueue(bytes.slice(i, (i += 3)));
        else ctrl.close();
      },
    });
    stubFetch(new Response(body, { status: 200 }));
    const chunks: string[] = [];
    await brokerFetch('b', 'w', 's', REQ, (c) => chunks.push(c));
    expect(chunks.join('')).toBe('héllo ✓');
  });

  it.each([
    [403, 'broker.not_granted', 'revoked'],
    [403, 'broker.not_requested', 'not_requested'],
    [409, 'broker.not_configured', 'not_configured'],
    [404, 'broker.service_unavailable', 'not_configured'],
    [429, 'broker.rate_limited', 'rate_limited'],
    [504, 'broker.timeout', 'timeout'],
    [413, 'broker.request_too_large', 'too_large'],
    [502, 'broker.upstream_failed', 'upstream_failed'],
    [403, 'broker.address_forbidden', 'upstream_failed'],
    [400, 'broker.path_invalid', 'invalid_request'],
    [400, 'broker.header_forbidden', 'invalid_request'],
    [400, 'broker.header_invalid', 'invalid_request'],
    [400, 'broker.body_not_allowed', 'invalid_request'],
    [400, 'broker.streaming_not_allowed', 'invalid_request'],
    [405, 'broker.method_not_allowed', 'invalid_request'],
    [403, 'broker.path_not_allowed', 'invalid_request'],
    [404, 'window.not_found', 'upstream_failed'],
  ])('brokerFetch_Problem%s_%s_MapsTo_%s', async (status, code, expected) => {
    stubFetch(problem(status, code, 'A sentence from the server.'));
    const err = await rejection(brokerFetch('b', 'w', 's', REQ, () => {}));
    expect(err.code).toBe(expected);
    expect(err.message).toBe('A sentence from the server.');
  });

  it('brokerFetch_Unauthorized_NotifiesSessionAndDenies', async () => {
    const handler = vi.fn();
    onUnauthorized(handler);
    stubFetch(problem(401, 'auth.required', 'Sign in.'));
    const err = await rejection(brokerFetch('b', 'w', 's', REQ, () => {}));
    expect(err.code).toBe('denied');
    expect(handler).toHaveBeenCalledOnce();
  });

  it('brokerFetch_HtmlErrorPage_UpstreamFailedWithReadableMessage', async () => {
    stubFetch(new Response('<html>bad gateway</html>', { status: 502 }));
    const err = await rejection(brokerFetch('b', 'w', 's', REQ, () => {}));
    expect(err.code).toBe('upstream_failed');
    expect(err.message).not.toContain('<html>');
  });

  it('brokerFetch_ErrorLineMidStream_RejectsAfterEarlierChunks', async () => {
    stubFetch(ndjson([lines({ status: 200, headers: {} }, { chunk: 'data: a\n\n' }, { error: { code: 'too_large', message: 'The answer was cut: it is larger than 8 MiB.' } })]));
    const chunks: string[] = [];
    const err = await rejection(brokerFetch('b', 'w', 's', REQ, (c) => chunks.push(c)));
    expect(chunks).toEqual(['data: a\n\n']);
    expect(err.code).toBe('too_large');
    expect(err.message).toBe('The answer was cut: it is larger than 8 MiB.');
  });

  it('brokerFetch_RevokedMidStream_RejectsRevoked', async () => {
    stubFetch(ndjson([lines({ status: 200, headers: {} }, { error: { code: 'broker.revoked', message: '' } })]));
    const err = await rejection(brokerFetch('b', 'w', 's', REQ, () => {}));
    expect(err.code).toBe('revoked');
    expect(err.message.length).toBeGreaterThan(0);
  });

  it('brokerFetch_StreamEndsWithoutEndLine_UpstreamFailed', async () => {
    stubFetch(ndjson([lines({ status: 200, headers: {} }, { chunk: 'partial' })]));
    const err = await rejection(brokerFetch('b', 'w', 's', REQ, () => {}));
    expect(err.code).toBe('upstream_failed');
  });

  it('brokerFetch_GarbageLine_UpstreamFailed', async () => {
    stubFetch(ndjson(['not json\n']));
    const err = await rejection(brokerFetch('b', 'w', 's', REQ, () => {}));
    expect(err.code).toBe('upstream_failed');
  });

  it('brokerFetch_AbortBeforeAnswer_Cancelled', async () => {
    const ctrl = new AbortController();
    stubFetch(() => {
      ctrl.abort();
      return Promise.reject(new DOMException('aborted', 'AbortError'));
    });
    const err = await rejection(brokerFetch('b', 'w', 's', REQ, () => {}, ctrl.signal));
    expect(err.code).toBe('cancelled');
  });

  it('brokerFetch_AbortMidStream_CancelledAfterEarlierChunks', async () => {
    const ctrl = new AbortController();
    const enc = new TextEncoder();
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (!sent) {
          sent = true;
          c.enqueue(enc.encode(lines({ status: 200, headers: {} }, { chunk: 'x' })));
          return;
        }
        // The second read fails the way fetch fails a read after abort.
        ctrl.abort();
        c.error(new DOMException('aborted', 'AbortError'));
      },
    });
    stubFetch(new Response(body, { status: 200 }));
    const chunks: string[] = [];
    const err = await rejection(brokerFetch('b', 'w', 's', REQ, (c) => chunks.push(c), ctrl.signal));
    expect(chunks).toEqual(['x']);
    expect(err.code).toBe('cancelled');
  });

  it('brokerFetch_ServerUnreachable_UpstreamFailed', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const err = await rejection(brokerFetch('b', 'w', 's', REQ, () => {}));
    expect(err.code).toBe('upstream_failed');
  });
});

describe('toBridgeCode', () => {
  it('toBridgeCode_UnknownOrMissing_UpstreamFailed', () => {
    expect(toBridgeCode(undefined)).toBe('upstream_failed');
    expect(toBridgeCode('broker.something_new')).toBe('upstream_failed');
  });
  it('toBridgeCode_Busy_RateLimited', () => {
    expect(toBridgeCode('broker.busy')).toBe('rate_limited');
  });
  it('toBridgeCode_BareCodes_AcceptedLikePrefixed', () => {
    expect(toBridgeCode('rate_limited')).toBe('rate_limited');
    expect(toBridgeCode('broker.response_too_large')).toBe('too_large');
  });
});

describe('cardBrokerFetch', () => {
  it('cardBrokerFetch_Target_PostsToThatCardsBrokerUrl', async () => {
    const { cardBrokerFetch } = await import('./install');
    const fetch = stubFetch(ndjson([lines({ status: 200, headers: {} }, { end: true, bytes: 0 })]));
    await cardBrokerFetch({ boardId: 'b1', windowId: 'w_2', service: 'openai' }, REQ, () => {}, new AbortController().signal);
    expect(fetch.mock.calls[0]![0]).toBe('/api/cards/b1/w_2/network/openai');
  });
});
