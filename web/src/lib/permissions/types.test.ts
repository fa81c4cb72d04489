import { describe, expect, it } from 'vitest';
import { signatureStatusOf, upgradeBanner } from './types';

describe('upgradeBanner', () => {
  it('offers nothing when the card is on the newest version', () => {
    expect(upgradeBanner(null)).toBeNull();
    expect(upgradeBanner(undefined)).toBeNull();
  });

  it('names the version and what it wants more, and the button grants it', () => {
    const b = upgradeBanner({ version: '1.1.0', wantsMore: ['fileRegistry:pdf', 'network:openai'] });
    expect(b).toEqual({
      text: 'Version 1.1.0 is available and wants more access: Files you give it: pdfs; Network: openai via the host.',
      action: 'Update and allow',
      allow: true,
    });
  });

  it('offers a plain update when the new version asks for nothing more', () => {
    expect(upgradeBanner({ version: '2.0.0', wantsMore: [] })).toEqual({ text: 'Version 2.0.0 is available.', action: 'Update', allow: false });
  });
});

describe('signatureStatusOf', () => {
  it('signatureStatusOf_MissingSignature_IsNotTrusted', () => {
    expect(signatureStatusOf({})).toBeNull();
    expect(signatureStatusOf({ signature: null })).toBeNull();
    expect(signatureStatusOf(undefined)).toBeNull();
  });

  it('signatureStatusOf_UnknownStatus_IsNotTrusted', () => {
    expect(signatureStatusOf({ signature: { status: 'Trusted' } })).toBeNull();
    expect(signatureStatusOf({ signature: {} })).toBeNull();
  });

  it('signatureStatusOf_HostSaysTrustedOrAllowlisted_IsThat', () => {
    expect(signatureStatusOf({ signature: { status: 'trusted' } })).toBe('trusted');
    expect(signatureStatusOf({ signature: { status: 'unsigned-allowlisted' } })).toBe('unsigned-allowlisted');
  });
});
