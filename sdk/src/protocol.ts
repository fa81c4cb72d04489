// The bridge protocol's names as values, for code that checks untrusted messages at run time (the
// host page's validator, the frame bootstrap). The types in types.ts are the protocol; each list
// below is checked against them both ways, so a message type added on one side only fails `tsc`.
import type { CardLimits, CardToHostType, HostToCardType } from './types.ts';

/** Every message type a card may send on the port. */
export const CARD_TO_HOST_TYPES = [
  'ready', 'setPayload', 'sizePreferenceChanged', 'interactionEvent', 'error', 'pong',
  'requestAsset', 'readAsset', 'publish', 'subscribe', 'unsubscribe', 'request', 'reply', 'history', 'requestNetwork', 'cancelRequest',
  'call', 'exportRequested', 'snapshot', 'focusBlocked', 'focusLeave', 'log', 'apiAnswer', 'deactivated', 'storage', 'navigate',
] as const;

/** Every message type the host may send on the port. */
export const HOST_TO_CARD_TYPES = [
  'init', 'propsChanged', 'setActive', 'setBounds', 'themeChanged', 'ping', 'response', 'event', 'networkChunk', 'captureSnapshot',
  'grantsChanged', 'setFocusAllowed', 'pushAsset', 'pushSelectionSnapshot', 'selectionRevoked', 'initService', 'apiCall', 'deactivate', 'configChanged',
] as const;

/** Longest plugin log line: the SDK clips to it, the page forwards no more, the host stores no more. */
export const MAX_LOG_CHARS = 500;

/** Most query parameters a page address may carry; the rest are dropped. */
export const MAX_PAGE_PARAMS = 16;

/** The query parameters of a page address as a page may see them: at most {@link MAX_PAGE_PARAMS} string pairs, each at most 200 characters. */
export function pageParamsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  let n = 0;
  for (const [k, value] of Object.entries(v)) {
    if (n >= MAX_PAGE_PARAMS) break;
    if (typeof value !== 'string' || k.length === 0 || k.length > 200 || value.length > 200 || k === '__proto__') continue;
    out[k] = value;
    n++;
  }
  return out;
}
/** The operations of a `storage` message. */
export const STORAGE_OPS = ['get', 'set', 'delete', 'list'] as const;

/** The scopes of plugin storage. */
export const STORAGE_SCOPES = ['user', 'workspace'] as const;

/**
 * Plugin storage limits: a key's characters and a value's UTF-8 bytes of JSON. The host enforces
 * the same figures (`StorageRules` in Labyrinth.Core, published at `GET /api/cards/limits`); the
 * SDK checks them early so an author sees the mistake where it is made.
 */
export const STORAGE_LIMITS = Object.freeze({ maxKeyChars: 256, maxValueBytes: 256 * 1024, maxListEntries: 1000 });

/** The kinds of file the File Registry holds (`fileRegistry:<type>`). */
export const ASSET_TYPES = ['image', 'pdf', '3d-model', 'text'] as const;

/**
 * The limits of a host that was not configured otherwise. A card learns its host's real ones in
 * `init` (the host publishes them at `GET /api/cards/limits`); these stand in only where no host
 * said anything (the mock host, an `init` without them).
 */
export const DEFAULT_CARD_LIMITS: Readonly<CardLimits> = Object.freeze({
  maxMessageBytes: 256 * 1024,
  maxPayloadBytes: 1024 * 1024,
  maxPublishBytes: 64 * 1024,
  maxSnapshotBytes: 200 * 1024,
});

/** The host's limits from an untrusted `init`: each value must be a positive integer, else the default stands. */
export function cardLimitsOf(v: unknown): CardLimits {
  const l = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const pick = (k: keyof CardLimits): number => (typeof l[k] === 'number' && Number.isInteger(l[k]) && (l[k] as number) > 0 ? (l[k] as number) : DEFAULT_CARD_LIMITS[k]);
  return { maxMessageBytes: pick('maxMessageBytes'), maxPayloadBytes: pick('maxPayloadBytes'), maxPublishBytes: pick('maxPublishBytes'), maxSnapshotBytes: pick('maxSnapshotBytes') };
}

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

/** True only when A and B are the same set of names. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// A compile-time check each: `false` here means a type is in the union but not in the list above,
// or in the list but not in the union.
const cardToHostComplete: SameNames<CardToHostType, (typeof CARD_TO_HOST_TYPES)[number]> = true;
const hostToCardComplete: SameNames<HostToCardType, (typeof HOST_TO_CARD_TYPES)[number]> = true;
void cardToHostComplete;
void hostToCardComplete;
