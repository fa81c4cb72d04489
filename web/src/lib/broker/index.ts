export { brokerFetch, brokerUrl } from './broker';
export { BrokerError, toBridgeCode } from './errors';
export type { BrokerErrorCode, NetworkBodyResult, NetworkRequest, NetworkResult, NetworkStreamResult } from './types';
