// Mirrors the server's rules (docs/api.md) so people see mistakes before submitting.
export const USER_NAME_RE = /^[A-Za-z0-9._-]{3,64}$/;
export const MIN_PASSWORD = 10;

export function validateUserName(v: string): string | null {
  return USER_NAME_RE.test(v) ? null : 'User names are 3–64 letters, digits, dots, dashes or underscores.';
}

export function validatePassword(v: string, confirm?: string): string | null {
  if (v.length < MIN_PASSWORD) return `Passwords need at least ${MIN_PASSWORD} characters.`;
  if (confirm !== undefined && v !== confirm) return 'The passwords do not match.';
  return null;
}
