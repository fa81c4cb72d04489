export { brokerFetch, brokerUrl, cardBrokerFetch } from './broker';
export { brokerError, toBridgeCode } from './errors';
export type { BrokerErrorCode, BrokerFetch, BrokerTarget, NetworkRequest, NetworkResult } from './types';
