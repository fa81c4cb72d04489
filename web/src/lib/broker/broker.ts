import { CSRF_HEADER, notifyUnauthorized, parseProblem } from '../api/client';
import { brokerError, toBridgeCode } from './errors';
import type { BrokerFetch, NetworkRequest, NetworkResult } from './types';

const enc = encodeURIComponent;

/** The broker endpoint of one card instance and service (docs/api.md "Broker"). */
export function brokerUrl(boardId: string, windowId: string, service: string): string {
  return `/api/cards/${enc(boardId)}/${enc(windowId)}/network/${enc(service)}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Only the fields of the contract go to the server, whatever else the card put in the object. */
function wireBody(req: NetworkRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { method: req.method, path: req.path };
  if (req.query) body.query = req.query;
  if (req.headers) body.headers = req.headers;
  if (req.body !== undefined) body.body = req.body;
  if (req.stream) body.stream = true;
  return body;
}

function aborted(signal: AbortSignal | undefined, e?: unknown): boolean {
  return signal?.aborted === true || (e instanceof DOMException && e.name === 'AbortError');
}

/**
 * Sends a card's network request through the host's broker and reads the NDJSON answer:
 * `{ status, headers }`, then `{ chunk }` lines (each passed to `onChunk` as it arrives when
 * `request.stream`, otherwise collected into `body`), then `{ end, bytes }` or `{ error }`.
 *
 * Every failure rejects with a `BridgeError` (bridge/card-host.ts) whose code is a bridge code (`revoked`,
 * `not_configured`, `rate_limited`, `too_large`, `timeout`, `upstream_failed`, `cancelled`, …);
 * aborting `signal` rejects with `cancelled` and cancels the HTTP request, so the server stops
 * the upstream call too.
 */
export async function brokerFetch(
  boardId: string,
  windowId: string,
  service: string,
  request: NetworkRequest,
  onChunk: (data: string) => void,
  signal?: AbortSignal,
): Promise<NetworkResult> {
  let res: Response;
  try {
    res = await fetch(brokerUrl(boardId, windowId, service), {
      method: 'POST',
      headers: { Accept: 'application/x-ndjson, application/problem+json', 'Content-Type': 'application/json', ...CSRF_HEADER },
      body: JSON.stringify(wireBody(request)),
      credentials: 'same-origin',
      signal,
    });
  } catch (e) {
    if (aborted(signal, e)) throw brokerError('cancelled');
    throw brokerError('upstream_failed', 'The Labyrinth server could not be reached.');
  }

  if (!res.ok) {
    const text = await res.text().catch(() => '');
    const problem = parseProblem(res.status, text, res.statusText);
    if (res.status === 401) notifyUnauthorized();
    const code = res.status === 401 ? 'denied' : toBridgeCode(problem.code);
    throw brokerError(code, problem.detail);
  }

  return readStream(res, request.stream === true, onChunk, signal);
}

async function readStream(
  res: Response,
  stream: boolean,
  onChunk: (data: string) => void,
  signal: AbortSignal | undefined,
): Promise<NetworkResult> {
  let status: number | null = null;
  let headers: Record<string, string> = {};
  let body = '';
  let counted = 0;

  /** Handles one NDJSON line; returns the result when the stream is complete. */
  const line = (text: string): NetworkResult | null => {
    if (!text.trim()) return null;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw brokerError('upstream_failed', 'The server sent an answer the app could not read.');
    }
    if (!isRecord(msg)) throw brokerError('upstream_failed', 'The server sent an answer the app could not read.');
    if (isRecord(msg.error)) {
      const code = toBridgeCode(typeof msg.error.code === 'string' ? msg.error.code : null);
      throw brokerError(code, typeof msg.error.message === 'string' ? msg.error.message : undefined);
    }
    if (status === null) {
      if (typeof msg.status !== 'number') throw brokerError('upstream_failed', 'The server sent an answer the app could not read.');
      status = msg.status;
      headers = stringMap(msg.headers);
      return null;
    }
    if (typeof msg.chunk === 'string') {
      counted += new TextEncoder().encode(msg.chunk).length;
      if (stream) onChunk(msg.chunk);
      else body += msg.chunk;
      return null;
    }
    if (msg.end === true) {
      const st: number = status;
      const bytes = typeof msg.bytes === 'number' ? msg.bytes : counted;
      return stream ? { status: st, headers, bytes } : { status: st, headers, body };
    }
    return null; // unknown line kinds are ignored (forward compatible)
  };

  if (!res.body) {
    const text = await res.text();
    for (const l of text.split('\n')) {
      const done = line(l);
      if (done) return done;
    }
    throw brokerError('upstream_failed', 'The answer ended before it was complete.');
  }

  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      let part: ReadableStreamReadResult<Uint8Array>;
      try {
        part = await reader.read();
      } catch (e) {
        if (aborted(signal, e)) throw brokerError('cancelled');
        throw brokerError('upstream_failed', 'The connection to the server broke off.');
      }
      buffer += part.done ? decoder.decode() : decoder.decode(part.value, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const done = line(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        if (done) return done;
      }
      if (part.done) {
        const done = line(buffer);
        if (done) return done;
        if (aborted(signal)) throw brokerError('cancelled');
        throw brokerError('upstream_failed', 'The answer ended before it was complete.');
      }
    }
  } finally {
    // Stop reading (and the HTTP request) whatever ended the loop: end line, error, or throw.
    reader.cancel().catch(() => {});
  }
}

/** The broker for one card's services: its target becomes the card's broker URL. */
export const cardBrokerFetch: BrokerFetch = (target, req, onChunk, signal) =>
  brokerFetch(target.boardId, target.windowId, target.service, req, onChunk, signal);
