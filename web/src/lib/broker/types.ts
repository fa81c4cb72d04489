// The broker's request/result types are the bridge's (bridge/card-host.ts); re-exported here
// so callers of brokerFetch need one import.
import type { NetworkRequest, NetworkResult } from '../bridge/card-host';

export type { BridgeErrorCode, NetworkRequest, NetworkResult } from '../bridge/card-host';

/** Where a card's network request goes once consent is given: `…/network/{service}`. */
export interface BrokerTarget {
  boardId: string;
  windowId: string;
  service: string;
}

/** How card services reach the broker (the real one is `cardBrokerFetch`; tests pass a fake). */
export type BrokerFetch = (
  target: BrokerTarget,
  req: NetworkRequest,
  onChunk: (data: string) => void,
  signal: AbortSignal,
) => Promise<NetworkResult>;

/** The subset of bridge error codes a broker request can end with. */
export type BrokerErrorCode =
  | 'not_requested'
  | 'denied'
  | 'revoked'
  | 'not_configured'
  | 'upstream_failed'
  | 'rate_limited'
  | 'too_large'
  | 'timeout'
  | 'invalid_request'
  | 'cancelled';
