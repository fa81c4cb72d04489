// Wire types of the network broker (docs/api.md "Vault, services and the network broker").

/** What a card asks the broker to send (`requestNetwork`'s `request`). */
export interface NetworkRequest {
  method: string;
  /** Relative to the service's base URL; the server validates it. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  stream?: boolean;
}

/** A streamed answer: the body went to `onChunk`. */
export interface NetworkStreamResult {
  status: number;
  headers: Record<string, string>;
  bytes: number;
}

/** A non-streamed answer: the whole body as text. */
export interface NetworkBodyResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type NetworkResult = NetworkStreamResult | NetworkBodyResult;

/**
 * The bridge error codes a network request can end with (docs/api.md "Bridge protocol
 * additions", `requestNetwork`). The same strings as `BridgeError.code` in bridge/card-host.ts.
 */
export type BrokerErrorCode =
  | 'not_requested'
  | 'denied'
  | 'revoked'
  | 'not_configured'
  | 'upstream_failed'
  | 'rate_limited'
  | 'too_large'
  | 'timeout'
  | 'cancelled';
