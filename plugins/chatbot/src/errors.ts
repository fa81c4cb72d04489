/** A sentence for each way a send can fail (bridge error codes of `requestNetwork`). */
const MESSAGES: Record<string, string> = {
  not_configured: 'OpenAI is not set up on this server yet, so nothing was sent.',
  denied: "Access to OpenAI was revoked for this card. Allow it again from the card's permissions.",
  revoked: "Access to OpenAI was revoked for this card. Allow it again from the card's permissions.",
  not_requested: 'This card cannot use the network on this server.',
  rate_limited: 'Too many messages in a short time. Wait a minute, then send again.',
  too_large: 'The conversation is too long for the service. Clear it and start again.',
  timeout: 'OpenAI did not answer in time. Try again.',
  upstream_failed: 'OpenAI could not be reached or answered with an error. Try again later.',
  suspended: 'This card was suspended by the host.',
  not_supported: 'This host does not support network access for cards.',
  invalid_request: 'The host refused the request this card built. Update the card, or tell its author.',
};

export function errorMessage(code: string): string {
  return MESSAGES[code] ?? MESSAGES.upstream_failed!;
}

/** The bridge's `{ code }` of a rejection, or `upstream_failed` for anything else. */
export function errorCode(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') return (e as { code: string }).code;
  if (e instanceof DOMException && e.name === 'AbortError') return 'cancelled';
  return 'upstream_failed';
}
