// The broker's request/result types are the bridge's (bridge/card-host.ts); re-exported here
// so callers of brokerFetch need one import.
export type { BridgeErrorCode, NetworkRequest, NetworkResult } from '../bridge/card-host';

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
