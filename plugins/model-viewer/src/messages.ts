/** A sentence for each way showing a model can fail; `code` goes in `data-code` for tests. */
export interface ViewerError {
  readonly code: string;
  readonly message: string;
}

const BRIDGE: Record<string, (name: string) => string> = {
  token_invalid: (n) => `This card no longer has access to “${n}”: the permission was revoked, or it was given to another card. Choose the model again.`,
  revoked: (n) => `Access to “${n}” was revoked. Choose the model again to show it.`,
  not_requested: () => 'This card cannot open files on this server.',
  suspended: () => 'This card was suspended by the host.',
  timeout: (n) => `Reading “${n}” took too long. Try again.`,
};

/** The sentence for a bridge rejection while reading or choosing a model. */
export function bridgeError(code: string, name: string): ViewerError {
  const text = BRIDGE[code] ?? (() => `Could not read “${name}” (${code}). Try again.`);
  return { code, message: text(name) };
}

/** The bridge's `{ code }` of a rejection, or `unknown`. */
export function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown';
}
