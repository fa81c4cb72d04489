import type { PasswordRuleDto } from '../api/types';

// Mirrors the server's rules (docs/api.md) so people see mistakes before submitting. The password
// rule itself comes from the host (GET /api/auth/session → Session.passwordRule).
export const USER_NAME_RE = /^[A-Za-z0-9._-]{3,64}$/;
export const MIN_PASSWORD = 10;

export function validateUserName(v: string): string | null {
  return USER_NAME_RE.test(v) ? null : 'User names are 3–64 letters, digits, dots, dashes or underscores.';
}

/** The rule as one sentence, shown under every new-password field before anything is sent. */
export function describePasswordRule(rule: PasswordRuleDto): string {
  return `At least ${rule.minLength} characters (up to ${rule.maxLength}). A few unrelated words make a strong one.`;
}

export function validatePassword(v: string, confirm?: string, rule: PasswordRuleDto = { minLength: MIN_PASSWORD, maxLength: 256 }): string | null {
  if (v.length < rule.minLength) return `Passwords need at least ${rule.minLength} characters.`;
  if (v.length > rule.maxLength) return `Passwords have at most ${rule.maxLength} characters.`;
  if (confirm !== undefined && v !== confirm) return 'The passwords do not match.';
  return null;
}
