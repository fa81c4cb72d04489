import { BridgeError } from '../bridge/card-host';
import type { BrokerErrorCode } from './types';

const DEFAULT_MESSAGE: Record<BrokerErrorCode, string> = {
  not_requested: 'This card does not declare access to that service.',
  denied: 'Network access for this card was not allowed.',
  revoked: 'Network access for this card was revoked.',
  not_configured: 'That service is not set up on this server.',
  upstream_failed: 'The service could not be reached or answered with an error.',
  rate_limited: 'This card sent too many requests. Wait a moment and try again.',
  too_large: 'The request or its answer is larger than the service allows.',
  timeout: 'The service did not answer in time.',
  invalid_request: 'The host will not forward this request as it is built.',
  cancelled: 'The request was cancelled.',
};

/**
 * A failed broker request as the bridge forwards it to the card: `{ code, message }` where
 * `message` is a sentence for a person (the server's problem `detail`); it never carries upstream
 * bodies or headers (the server does not send them either).
 */
export function brokerError(code: BrokerErrorCode, message?: string): BridgeError {
  return new BridgeError(code, message || DEFAULT_MESSAGE[code]);
}

/**
 * Maps a server code (problem details `code`, or the `error.code` of a stream's last line) to a
 * bridge code. `broker.not_granted` means the server has no grant although the UI asked for
 * consent first: the grant was withdrawn in between, so the card hears `revoked`. A request the
 * broker refuses as built (a header it does not forward, a body on a GET, `stream` towards a
 * service without streaming, a path, query or method the service does not allow) is
 * `invalid_request`, and the server's sentence naming the problem reaches the card as the message.
 * `broker.busy` (the host is behind on writing earlier calls' log; nothing was sent) is
 * `rate_limited`: the card should wait a moment and try again, exactly as after a rate limit.
 */
export function toBridgeCode(serverCode: string | undefined | null): BrokerErrorCode {
  const code = (serverCode ?? '').replace(/^broker\./, '');
  switch (code) {
    case 'not_requested':
      return 'not_requested';
    case 'not_granted':
    case 'revoked':
      return 'revoked';
    case 'denied':
      return 'denied';
    case 'not_configured':
    case 'service_unavailable':
      return 'not_configured';
    case 'rate_limited':
    case 'busy':
      return 'rate_limited';
    case 'timeout':
      return 'timeout';
    case 'request_too_large':
    case 'response_too_large':
    case 'too_large':
      return 'too_large';
    case 'cancelled':
      return 'cancelled';
    case 'header_forbidden':
    case 'header_invalid':
    case 'path_invalid':
    case 'path_not_allowed':
    case 'method_not_allowed':
    case 'body_not_allowed':
    case 'streaming_not_allowed':
      return 'invalid_request';
    default:
      return 'upstream_failed';
  }
}
