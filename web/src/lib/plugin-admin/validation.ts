/** Pure: a base64 Ed25519 public key decodes to 32 bytes. Null when fine, else the message. */
export function validatePublicKey(b64: string): string | null {
  const v = b64.trim();
  if (!v) return 'Paste the publisher’s public key (base64).';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(v) || v.length % 4 !== 0) return 'That is not base64.';
  const bytes = (v.length / 4) * 3 - (v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0);
  return bytes === 32 ? null : `An Ed25519 public key is 32 bytes; this is ${bytes}.`;
}

/** Pure: the allowlist editor's text (ids separated by lines, commas or spaces) → unique ids. */
export function parseIdList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean))];
}

/** Pure: a reverse-DNS plugin id such as `com.example.notes` (at least two dot-separated labels). */
export function isPluginId(id: string): boolean {
  return /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i.test(id);
}
