import { BridgeError, type NetworkRequest, type NetworkResult } from '../bridge/card-host';

/** Where a card's network request goes once consent is given: `…/network/{service}` (issue 6). */
export interface BrokerTarget {
  boardId: string;
  windowId: string;
  service: string;
}

export type BrokerFetch = (
  target: BrokerTarget,
  req: NetworkRequest,
  onChunk: (data: string) => void,
  signal: AbortSignal,
) => Promise<NetworkResult>;

/**
 * The seam for the broker client (web/src/lib/broker/, issue 6). Until one is installed with
 * `setBrokerFetch`, every network request ends `not_configured` after consent.
 */
let current: BrokerFetch = () => Promise.reject(new BridgeError('not_configured'));

export function setBrokerFetch(fn: BrokerFetch | null): void {
  current = fn ?? (() => Promise.reject(new BridgeError('not_configured')));
}

export function brokerFetch(target: BrokerTarget, req: NetworkRequest, onChunk: (data: string) => void, signal: AbortSignal): Promise<NetworkResult> {
  return current(target, req, onChunk, signal);
}
