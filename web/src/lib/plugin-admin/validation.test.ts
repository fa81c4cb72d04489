import { describe, expect, it } from 'vitest';
import { isPluginId, parseIdList, validatePublicKey } from './validation';

describe('validatePublicKey', () => {
  it('validatePublicKey_32Bytes_Ok', () => {
    expect(validatePublicKey('A'.repeat(43) + '=')).toBeNull();
  });
  it('validatePublicKey_WrongLengthOrNotBase64_Message', () => {
    expect(validatePublicKey('')).toMatch(/Paste/);
    expect(validatePublicKey('not base64!')).toMatch(/base64/);
    expect(validatePublicKey('AAAA')).toMatch(/3\./);
  });
});

describe('parseIdList', () => {
  it('parseIdList_LinesCommasSpaces_UniqueIds', () => {
    expect(parseIdList('com.a.b\n com.c.d, com.a.b  com.e.f\n\n')).toEqual(['com.a.b', 'com.c.d', 'com.e.f']);
  });
});

describe('isPluginId', () => {
  it('isPluginId_ReverseDns_Accepted', () => {
    expect(isPluginId('com.example.notes')).toBe(true);
    expect(isPluginId('dev.my-org.tool2')).toBe(true);
  });
  it('isPluginId_Other_Refused', () => {
    expect(isPluginId('notes')).toBe(false);
    expect(isPluginId('com..x')).toBe(false);
    expect(isPluginId('com.example.')).toBe(false);
  });
});
