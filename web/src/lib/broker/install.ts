import { setBrokerFetch, type BrokerFetch } from '../cards/broker';
import { brokerFetch } from './broker';

/** The card services' broker seam (cards/broker.ts) backed by the real broker client. */
export const cardBrokerFetch: BrokerFetch = (target, req, onChunk, signal) =>
  brokerFetch(target.boardId, target.windowId, target.service, req, onChunk, signal);

/** Called once at start-up (main.ts): from then on cards' network requests reach the server's broker. */
export function installBroker(): void {
  setBrokerFetch(cardBrokerFetch);
}
