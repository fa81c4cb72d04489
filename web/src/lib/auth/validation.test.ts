import { describe, expect, it } from 'vitest';
import { describePasswordRule, validatePassword, validateUserName } from './validation';

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

describe('password rule from the host', () => {
  it('validatePassword_HostRule_UsesItsLengths', () => {
    const rule = { minLength: 12, maxLength: 20 };
    expect(validatePassword('0123456789a', undefined, rule)).toMatch(/12/);
    expect(validatePassword('0123456789abcdefghijk', undefined, rule)).toMatch(/20/);
    expect(validatePassword('0123456789ab', undefined, rule)).toBeNull();
  });
  it('describePasswordRule_NamesBothLimits', () => {
    expect(describePasswordRule({ minLength: 10, maxLength: 256 })).toMatch(/10.*256/);
  });
});
