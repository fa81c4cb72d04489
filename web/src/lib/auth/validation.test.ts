import { describe, expect, it } from 'vitest';
import { validatePassword, validateUserName } from './validation';

describe('auth validation', () => {
  it('validateUserName_ValidName_Null', () => expect(validateUserName('ada.l-1_x')).toBeNull());
  it('validateUserName_TooShortOrBadChars_Message', () => {
    expect(validateUserName('ab')).not.toBeNull();
    expect(validateUserName('a b c')).not.toBeNull();
  });
  it('validatePassword_ShortOrMismatch_Message', () => {
    expect(validatePassword('short')).not.toBeNull();
    expect(validatePassword('0123456789', '0123456788')).toMatch(/match/);
    expect(validatePassword('0123456789', '0123456789')).toBeNull();
  });
});
