// What the board UI implements for each card (docs/api.md "Host page services (web) the bridge
// calls"). The bridge owns validation, request ids, timeouts and transfer; the UI owns dialogs
// and HTTP. Nothing here is reachable from a card: the card only sees protocol messages.

import type { AssetHandle, AssetType } from '../../../../sdk/src/types.ts';
import type { StorageRequest } from './types';

/** Asset kinds and what a card learns about a picked asset: the SDK's protocol types. */
export type { AssetHandle, AssetType };
export { ASSET_TYPES } from '../../../../sdk/src/protocol.ts';

/** Bytes of a granted asset; `data` is transferred to the frame (the host keeps no copy). */
export interface AssetContent {
  mediaType: string;
  name: string;
  data: ArrayBuffer;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** A card's network request, already shape-checked by the bridge; the broker checks the rest. */
export interface NetworkRequest {
  method: HttpMethod;
  /** Relative to the service's base URL, starting with `/`. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  stream?: boolean;
}

/**
 * The broker's answer. Non-stream: `body` holds the text. Stream: the text went to `onChunk`
 * and `bytes` counts it.
 */
export interface NetworkResult {
  status: number;
  headers: Record<string, string>;
  body?: string;
  bytes?: number;
}

/** Reasons a card message is rejected (the server's `violations` endpoint accepts exactly these). */
export type ViolationReason = 'not_object' | 'unknown_type' | 'bad_shape' | 'oversize' | 'flood' | 'parent_message' | 'focus_steal' | 'navigated';

/**
 * One `POST /api/cards/{boardId}/{windowId}/violations` body. The bridge flushes at most once
 * every 2 s per card; a flush makes one call per reason seen since the last one. The flush on
 * suspension is immediate and marks its largest reason `suspended: true` with a `detail`
 * listing every count.
 */
export interface ViolationReport {
  reason: ViolationReason;
  count: number;
  suspended: boolean;
  detail?: string;
}

/** Error codes a card can see in a failed `response` (docs/api.md "Bridge protocol additions"). */
export type BridgeErrorCode =
  | 'not_requested'
  | 'not_granted'
  | 'cancelled'
  | 'suspended'
  | 'token_invalid'
  | 'topic_not_declared'
  | 'denied'
  | 'revoked'
  | 'not_configured'
  | 'upstream_failed'
  | 'rate_limited'
  | 'too_large'
  | 'timeout'
  | 'invalid_request'
  | 'not_supported'
  | 'bus.no_responder'
  | 'bus.timeout'
  | 'bus.responder_failed'
  | 'storage.invalid'
  | 'storage.too_large'
  | 'storage.quota_exceeded'
  | 'storage.version_conflict';

const DEFAULT_MESSAGES: Record<BridgeErrorCode, string> = {
  not_requested: "The card's manifest does not request this capability.",
  not_granted: 'The card has not been granted this capability.',
  cancelled: 'The request was cancelled.',
  suspended: 'The card was suspended.',
  token_invalid: 'The asset token is unknown, revoked or belongs to another card.',
  topic_not_declared: "The card's manifest does not declare this topic.",
  denied: 'The person denied the request.',
  revoked: 'The capability was revoked.',
  not_configured: 'The service is not configured on this server.',
  upstream_failed: 'The service did not answer properly.',
  rate_limited: 'Too many requests; try again later.',
  too_large: 'The request or its answer is too large.',
  timeout: 'The request timed out.',
  invalid_request: 'The host will not forward the request as it is built.',
  not_supported: 'This is not supported by this host.',
  'bus.no_responder': 'No open card answers this request.',
  'bus.timeout': 'No answer came in time.',
  'bus.responder_failed': 'The card that answers this request failed.',
  'storage.invalid': 'The storage request is not valid.',
  'storage.too_large': 'The value is larger than a stored value may be.',
  'storage.quota_exceeded': "The plugin's storage is full.",
  'storage.version_conflict': 'The value changed since it was read.',
};

/**
 * The one error type services reject with. Its `code` and `message` reach the card verbatim, so
 * a message must never carry a secret, token, URL or server detail.
 */
export class BridgeError extends Error {
  readonly code: BridgeErrorCode;

  constructor(code: BridgeErrorCode, message: string = DEFAULT_MESSAGES[code]) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
  }
}

/** The `{ code, message }` a card receives for any failure; unknown errors get `fallback`. */
export function toWireError(e: unknown, fallback: BridgeErrorCode): { code: BridgeErrorCode; message: string } {
  if (e instanceof BridgeError) return { code: e.code, message: e.message };
  return { code: fallback, message: DEFAULT_MESSAGES[fallback] };
}

/** Services the board UI provides to one card's bridge. */
export interface CardHostServices {
  /**
   * Shows the asset picker for `type` (consent by picking). Resolves the granted token or
   * rejects `BridgeError('cancelled' | 'not_requested')`. `signal` aborts when the card closes
   * or the capability is revoked: close the picker then.
   */
  requestAsset(type: AssetType, signal: AbortSignal): Promise<AssetHandle>;
  /** Reads a granted asset through the server (`…/assets/read`); rejects `BridgeError('token_invalid')`. */
  readAsset(token: string, signal: AbortSignal): Promise<AssetContent>;
  /** Asks consent if needed, then calls the broker; streamed text goes to `onChunk` in order. */
  requestNetwork(service: string, req: NetworkRequest, onChunk: (data: string) => void, signal: AbortSignal): Promise<NetworkResult>;
  /** The card's granted capabilities now (from the server). */
  granted(): readonly string[];
  /** POSTs `…/violations`. Fire and forget. */
  reportViolations(report: ViolationReport): void;
  /** PUTs `…/snapshot` with the image a closing card rendered. */
  saveSnapshot(dataUrl: string): Promise<void>;
  /**
   * A plugin storage operation (asks consent for `storage:read` / `storage:write` first if
   * needed); resolves the answer the card receives, rejects a {@link BridgeError}.
   */
  storage(req: StorageRequest, signal: AbortSignal): Promise<unknown>;
}

/** Services for a card that may do nothing beyond the base protocol: every request is refused. */
export const denyAllServices: CardHostServices = {
  requestAsset: () => Promise.reject(new BridgeError('not_granted')),
  readAsset: () => Promise.reject(new BridgeError('token_invalid')),
  requestNetwork: () => Promise.reject(new BridgeError('not_granted')),
  granted: () => [],
  reportViolations: () => {},
  saveSnapshot: () => Promise.resolve(),
  storage: () => Promise.reject(new BridgeError('not_granted')),
};

/** The card type's declared topics (manifest `cards[].topics`). */
export interface CardTopics {
  publish?: readonly string[];
  subscribe?: readonly string[];
}
