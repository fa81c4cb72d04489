// Validation of every card → host message (docs/api.md). Cards are untrusted: anything that is
// not exactly one of the allowed shapes, or too large, is dropped and counted by the caller.
import { ASSET_TYPES, HTTP_METHODS, type AssetType, type HttpMethod, type NetworkRequest } from './card-host';
import { CARD_TO_HOST_TYPES, MAX_LOG_CHARS, MAX_PAGE_PARAMS, STORAGE_LIMITS, STORAGE_SCOPES, utf8Length } from '../../../../sdk/src/protocol.ts';
import type { StorageScope } from '../../../../sdk/src/types.ts';
import { bridgeLimits, type BridgeLimits } from './limits';
import { isTopic, isTopicPattern } from './topics';
import type { CardErrorCode, CardMessage, RejectReason } from './types';

const MAX_NAME = 200;
const MAX_ERROR_MESSAGE = 4000;
const ERROR_CODES: readonly CardErrorCode[] = ['mount_failed', 'load_failed', 'runtime'];

export const MAX_TOKEN_CHARS = 200;
const MAX_PATH = 2048;
const MAX_MAP_ENTRIES = 32;
const MAX_MAP_KEY = 128;
const MAX_MAP_VALUE = 4096;
const MAX_KIND = 64;
/** A page path (manifest rule: at most 200 characters). */
const MAX_PAGE_PATH = 200;

/** The card → host message types: the SDK's list, checked against its protocol types. */
export const CARD_MESSAGE_TYPES = CARD_TO_HOST_TYPES;

const LOG_LEVELS = ['info', 'warn', 'error'] as const;
/** An API method name: camelCase words, optionally namespaced with dots (`widgets.list`), at most 64 characters. */
const METHOD = /^(?=.{1,64}$)[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*){0,3}$/;

const ID_CHARS = /^[A-Za-z0-9_-]{1,64}$/;
const SERVICE = /^[a-z0-9][a-z0-9-]{0,63}$/;
// Printable ASCII only: a token never needs more, and this keeps control characters out of logs.
const TOKEN = /^[\x21-\x7e]{1,200}$/;
const PLUGIN_ID = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;
const SNAPSHOT_PREFIX = /^data:image\/(png|jpeg|webp);base64,/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export const isRequestId = (v: unknown): v is string => typeof v === 'string' && ID_CHARS.test(v);
const isPluginId = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_NAME && PLUGIN_ID.test(v);
/** Bus priorities are −1000…1000. */
export const MAX_PRIORITY = 1000;

function isStringMap(v: unknown): v is Record<string, string> {
  if (!isPlainObject(v)) return false;
  const entries = Object.entries(v);
  if (entries.length > MAX_MAP_ENTRIES) return false;
  return entries.every(([k, val]) => k.length > 0 && k.length <= MAX_MAP_KEY && typeof val === 'string' && val.length <= MAX_MAP_VALUE);
}

function networkRequest(v: unknown): NetworkRequest | null {
  if (!isPlainObject(v)) return null;
  const { method, path, query, headers, body, stream } = v;
  if (typeof method !== 'string' || !(HTTP_METHODS as readonly string[]).includes(method)) return null;
  if (typeof path !== 'string' || !path.startsWith('/') || path.length > MAX_PATH) return null;
  if (query !== undefined && !isStringMap(query)) return null;
  if (headers !== undefined && !isStringMap(headers)) return null;
  if (body !== undefined && typeof body !== 'string') return null;
  if (stream !== undefined && typeof stream !== 'boolean') return null;
  const r: NetworkRequest = { method: method as HttpMethod, path };
  if (query !== undefined) r.query = { ...query };
  if (headers !== undefined) r.headers = { ...headers };
  if (body !== undefined) r.body = body;
  if (stream !== undefined) r.stream = stream;
  return r;
}

/** A value as JSON (what a card may send as payload/input/data), or undefined when it is none. */
function jsonOf(v: unknown): { value: unknown; json: string } | undefined {
  if (v === undefined) return undefined;
  const json = JSON.stringify(v);
  return { value: JSON.parse(json) as unknown, json };
}

export type ValidationResult = { ok: true; message: CardMessage; bytes: number } | { ok: false; reason: RejectReason };

export { utf8Length };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * True when the JSON form of `value` is certainly longer than `limit` characters. Counts a lower
 * bound of each part's JSON length and stops as soon as the budget is spent, so its cost is
 * bounded by `limit` whatever the card sent (array lengths are charged before their elements are
 * visited; cycles cost something per visit, so they end too).
 */
export function exceedsJsonBudget(value: unknown, limit: number): boolean {
  let budget = limit;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') budget -= v.length + 2;
    else if (v === undefined) continue;
    else if (v === null || typeof v !== 'object') budget -= 1;
    else if (Array.isArray(v)) {
      budget -= v.length + 1;
      if (budget < 0) return true;
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else if (ArrayBuffer.isView(v)) {
      // A typed array serializes as {"0":n,"1":n,…}: at least five characters per element.
      budget -= 'length' in v && typeof v.length === 'number' ? v.length * 5 : 0;
    } else {
      for (const key in v) {
        const child = (v as Record<string, unknown>)[key];
        if (child === undefined) continue;
        budget -= key.length + 3;
        if (budget < 0) return true;
        stack.push(child);
      }
    }
    if (budget < 0) return true;
  }
  return false;
}

/** Longest `data:image/…;base64,…` URL whose image is within `maxSnapshotBytes`. */
export function maxSnapshotChars(limits: Readonly<BridgeLimits> = bridgeLimits()): number {
  return Math.ceil(limits.maxSnapshotBytes / 3) * 4 + 'data:image/webp;base64,'.length;
}

/** The size limit of a message of `type`, in UTF-8 bytes of its JSON (the server's published limits). */
export function limitFor(type: string, limits: Readonly<BridgeLimits> = bridgeLimits()): number {
  if (type === 'setPayload') return limits.maxPayloadBytes + 64;
  // A stored value may be larger than other messages; the value alone is checked exactly below.
  if (type === 'storage') return Math.max(limits.maxMessageBytes, STORAGE_LIMITS.maxValueBytes + 1024);
  // A 200 KB image is ~267k base64 characters: more than the general limit, checked exactly below.
  if (type === 'snapshot') return maxSnapshotChars(limits) + 200;
  return limits.maxMessageBytes;
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

  const limit = limitFor(type);
  // Bound the size before serializing: a sparse array or a typed array is cheap for a card to post
  // but its JSON can be gigabytes, and JSON.stringify on the host page would freeze the board.
  if (exceedsJsonBudget(data, limit)) return { ok: false, reason: 'oversize' };
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch {
    return { ok: false, reason: 'bad_shape' };
  }
  if (json === undefined) return { ok: false, reason: 'bad_shape' };
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
      // The state alone must fit what the server stores (it counts the payload's JSON, not ours).
      if (utf8Length(JSON.stringify(payload)) > bridgeLimits().maxPayloadBytes) return { ok: false, reason: 'oversize' };
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
    case 'requestAsset':
      if (!isRequestId(data.id) || !(ASSET_TYPES as readonly unknown[]).includes(data.assetType)) return bad;
      return { ok: true, bytes, message: { type, id: data.id, assetType: data.assetType as AssetType } };
    case 'readAsset':
      if (!isRequestId(data.id) || typeof data.token !== 'string' || !TOKEN.test(data.token)) return bad;
      return { ok: true, bytes, message: { type, id: data.id, token: data.token } };
    case 'publish':
    case 'request': {
      if (!isTopic(data.topic) || !('payload' in data) || data.payload === undefined) return bad;
      if (data.target !== undefined && !isPluginId(data.target)) return bad;
      const p = jsonOf(data.payload)!;
      const payloadBytes = utf8Length(p.json);
      if (payloadBytes > bridgeLimits().maxPublishBytes) return { ok: false, reason: 'oversize' };
      const target = (data.target as string | undefined) ?? null;
      if (type === 'publish') return { ok: true, bytes, message: { type, topic: data.topic, payload: p.value, payloadBytes, target } };
      if (!isRequestId(data.id) || (data.timeoutMs !== undefined && !(finite(data.timeoutMs) && data.timeoutMs > 0))) return bad;
      return { ok: true, bytes, message: { type, id: data.id, topic: data.topic, payload: p.value, payloadBytes, target, timeoutMs: (data.timeoutMs as number | undefined) ?? null } };
    }
    case 'subscribe': {
      if (!isRequestId(data.id) || !isTopicPattern(data.topic) || !isRequestId(data.sub)) return bad;
      const { priority, once, from, responds } = data;
      if (priority !== undefined && !(Number.isInteger(priority) && Math.abs(priority as number) <= MAX_PRIORITY)) return bad;
      if ((once !== undefined && typeof once !== 'boolean') || (responds !== undefined && typeof responds !== 'boolean')) return bad;
      if (from !== undefined && !isPluginId(from)) return bad;
      return {
        ok: true, bytes,
        message: { type, id: data.id, topic: data.topic, sub: data.sub, priority: (priority as number | undefined) ?? 0, once: once === true, from: (from as string | undefined) ?? null, responds: responds === true },
      };
    }
    case 'unsubscribe':
      if (!isRequestId(data.sub)) return bad;
      return { ok: true, bytes, message: { type, sub: data.sub } };
    case 'reply': {
      if (!isRequestId(data.rid) || typeof data.ok !== 'boolean') return bad;
      if (data.ok) {
        if (!('result' in data) || data.result === undefined) return bad;
        const r = jsonOf(data.result)!;
        return { ok: true, bytes, message: { type, rid: data.rid, ok: true, result: r.value, resultBytes: utf8Length(r.json) } };
      }
      const error = data.error;
      if (!isPlainObject(error) || typeof error.message !== 'string') return bad;
      return { ok: true, bytes, message: { type, rid: data.rid, ok: false, message: error.message.slice(0, MAX_ERROR_MESSAGE) } };
    }
    case 'history':
      if (!isRequestId(data.id) || !isTopicPattern(data.topic)) return bad;
      if (data.limit !== undefined && !(Number.isInteger(data.limit) && (data.limit as number) > 0 && (data.limit as number) <= 1000)) return bad;
      return { ok: true, bytes, message: { type, id: data.id, topic: data.topic, limit: (data.limit as number | undefined) ?? 100 } };
    case 'requestNetwork': {
      if (!isRequestId(data.id) || typeof data.service !== 'string' || !SERVICE.test(data.service)) return bad;
      const request = networkRequest(data.request);
      if (!request) return bad;
      return { ok: true, bytes, message: { type, id: data.id, service: data.service, request } };
    }
    case 'cancelRequest':
      if (!isRequestId(data.id)) return bad;
      return { ok: true, bytes, message: { type, id: data.id } };
    case 'call': {
      if (!isRequestId(data.id) || typeof data.pluginId !== 'string' || data.pluginId.length > MAX_NAME || !PLUGIN_ID.test(data.pluginId)) return bad;
      if (typeof data.method !== 'string' || !METHOD.test(data.method)) return bad;
      if (data.timeoutMs !== undefined && !(finite(data.timeoutMs) && data.timeoutMs > 0)) return bad;
      const input = jsonOf(data.input);
      const inputBytes = input === undefined ? 4 : utf8Length(input.json);
      if (inputBytes > bridgeLimits().maxPublishBytes) return { ok: false, reason: 'oversize' };
      return {
        ok: true, bytes,
        message: { type, id: data.id, pluginId: data.pluginId, method: data.method, input: input?.value ?? null, timeoutMs: (data.timeoutMs as number | undefined) ?? null },
      };
    }
    case 'log':
      if (!(LOG_LEVELS as readonly unknown[]).includes(data.level) || typeof data.message !== 'string') return bad;
      return { ok: true, bytes, message: { type, level: data.level as (typeof LOG_LEVELS)[number], message: data.message.slice(0, MAX_LOG_CHARS) } };
    case 'apiAnswer': {
      if (!isRequestId(data.cid) || typeof data.ok !== 'boolean') return bad;
      if (data.ok) {
        if (!('result' in data) || data.result === undefined) return bad;
        const r = jsonOf(data.result)!;
        if (utf8Length(r.json) > bridgeLimits().maxPublishBytes) return { ok: false, reason: 'oversize' };
        return { ok: true, bytes, message: { type, cid: data.cid, ok: true, result: r.value } };
      }
      const error = data.error;
      if (!isPlainObject(error) || typeof error.message !== 'string') return bad;
      return { ok: true, bytes, message: { type, cid: data.cid, ok: false, message: error.message.slice(0, MAX_ERROR_MESSAGE) } };
    }
    case 'deactivated':
      return { ok: true, bytes, message: { type } };
    case 'exportRequested': {
      if (typeof data.kind !== 'string' || data.kind.length === 0 || data.kind.length > MAX_KIND) return bad;
      const d = jsonOf(data.data);
      return { ok: true, bytes, message: d === undefined ? { type, kind: data.kind } : { type, kind: data.kind, data: d.value } };
    }
    case 'snapshot': {
      const url = data.dataUrl;
      if (!isRequestId(data.id) || typeof url !== 'string' || url.length > maxSnapshotChars()) return bad;
      const prefix = SNAPSHOT_PREFIX.exec(url);
      if (!prefix || !BASE64.test(url.slice(prefix[0].length))) return bad;
      return { ok: true, bytes, message: { type, id: data.id, dataUrl: url } };
    }
    case 'storage': {
      if (!isRequestId(data.id) || !(STORAGE_SCOPES as readonly unknown[]).includes(data.scope)) return bad;
      const scope = data.scope as StorageScope;
      const isKey = (k: unknown): k is string => typeof k === 'string' && k.length > 0 && k.length <= STORAGE_LIMITS.maxKeyChars;
      const ifVersion = data.ifVersion;
      if (ifVersion !== undefined && !(Number.isSafeInteger(ifVersion) && (ifVersion as number) >= 0)) return bad;
      const v = ifVersion === undefined ? {} : { ifVersion: ifVersion as number };
      switch (data.op) {
        case 'get':
          if (!isKey(data.key)) return bad;
          return { ok: true, bytes, message: { type, id: data.id, op: 'get', scope, key: data.key } };
        case 'delete':
          if (!isKey(data.key)) return bad;
          return { ok: true, bytes, message: { type, id: data.id, op: 'delete', scope, key: data.key, ...v } };
        case 'list':
          if (typeof data.prefix !== 'string' || data.prefix.length > STORAGE_LIMITS.maxKeyChars) return bad;
          return { ok: true, bytes, message: { type, id: data.id, op: 'list', scope, prefix: data.prefix } };
        case 'set': {
          if (!isKey(data.key) || !('value' in data) || data.value === undefined) return bad;
          const value = jsonOf(data.value)!;
          const valueBytes = utf8Length(value.json);
          if (valueBytes > STORAGE_LIMITS.maxValueBytes) return { ok: false, reason: 'oversize' };
          return { ok: true, bytes, message: { type, id: data.id, op: 'set', scope, key: data.key, value: value.value, valueBytes, ...v } };
        }
        default:
          return bad;
      }
    }
    case 'focusBlocked':
    case 'focusLeave':
      return { ok: true, bytes, message: { type } };
    case 'navigate': {
      // Shape only; whether the path is one of the plugin's pages the person may open is the page host's call.
      if (typeof data.path !== 'string' || data.path.length > MAX_PAGE_PATH) return bad;
      if (data.params === undefined) return { ok: true, bytes, message: { type, path: data.path, params: {} } };
      if (!isPlainObject(data.params)) return bad;
      const entries = Object.entries(data.params);
      if (entries.length > MAX_PAGE_PARAMS || entries.some(([k, v]) => k.length === 0 || k.length > 200 || typeof v !== 'string' || v.length > 200)) return bad;
      return { ok: true, bytes, message: { type, path: data.path, params: Object.fromEntries(entries) as Record<string, string> } };
    }
    default:
      return { ok: false, reason: 'unknown_type' };
  }
}
