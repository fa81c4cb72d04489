// Validation of every card → host message (docs/api.md). Cards are untrusted: anything that is
// not exactly one of the allowed shapes, or too large, is dropped and counted by the caller.
import type { CardErrorCode, CardMessage, RejectReason } from './types';

export const MAX_MESSAGE_BYTES = 256 * 1024;
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
const MAX_NAME = 200;
const MAX_ERROR_MESSAGE = 4000;
const ERROR_CODES: readonly CardErrorCode[] = ['mount_failed', 'load_failed', 'runtime'];

export const CARD_MESSAGE_TYPES = ['ready', 'setPayload', 'sizePreferenceChanged', 'interactionEvent', 'error', 'pong'] as const;

export type ValidationResult = { ok: true; message: CardMessage; bytes: number } | { ok: false; reason: RejectReason };

/** UTF-8 length of a string without allocating a buffer. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function limitFor(type: string): number {
  return type === 'setPayload' ? MAX_PAYLOAD_BYTES : MAX_MESSAGE_BYTES;
}

/**
 * Validates one message. Size is the UTF-8 length of its JSON serialization; a value that cannot
 * be serialized (cycles, BigInt) or that changes under serialization is a bad shape.
 */
export function validateCardMessage(data: unknown): ValidationResult {
  if (!isPlainObject(data)) return { ok: false, reason: 'not_object' };
  const type = data.type;
  if (typeof type !== 'string' || !(CARD_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return { ok: false, reason: 'unknown_type' };
  }

  // Cheap pre-check before serializing: a string field alone can exceed the limit.
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch {
    return { ok: false, reason: 'bad_shape' };
  }
  if (json === undefined) return { ok: false, reason: 'bad_shape' };
  const limit = limitFor(type);
  if (json.length > limit) return { ok: false, reason: 'oversize' };
  const bytes = utf8Length(json);
  if (bytes > limit) return { ok: false, reason: 'oversize' };

  const bad = { ok: false, reason: 'bad_shape' } as const;
  switch (type) {
    case 'ready':
      if (!finite(data.loadMs) || data.loadMs < 0) return bad;
      return { ok: true, bytes, message: { type, loadMs: data.loadMs } };
    case 'setPayload': {
      if (!('payload' in data) || data.payload === undefined) return bad;
      // Normalize through JSON so the stored value is exactly what was measured.
      const payload: unknown = (JSON.parse(json) as { payload: unknown }).payload;
      return { ok: true, bytes, message: { type, payload } };
    }
    case 'sizePreferenceChanged':
      if (!finite(data.width) || !finite(data.height) || data.width <= 0 || data.height <= 0) return bad;
      return { ok: true, bytes, message: { type, width: data.width, height: data.height } };
    case 'interactionEvent':
      if (typeof data.name !== 'string' || data.name.length === 0 || data.name.length > MAX_NAME) return bad;
      return { ok: true, bytes, message: { type, name: data.name, detail: data.detail } };
    case 'error':
      if (typeof data.code !== 'string' || !(ERROR_CODES as readonly string[]).includes(data.code)) return bad;
      if (typeof data.message !== 'string') return bad;
      return {
        ok: true,
        bytes,
        message: { type, code: data.code as CardErrorCode, message: data.message.slice(0, MAX_ERROR_MESSAGE) },
      };
    case 'pong':
      if (!finite(data.seq)) return bad;
      return { ok: true, bytes, message: { type, seq: data.seq } };
    default:
      return { ok: false, reason: 'unknown_type' };
  }
}
