export { brokerFetch, brokerUrl } from './broker';
export { brokerError, toBridgeCode } from './errors';
export type { BrokerErrorCode, NetworkRequest, NetworkResult } from './types';
