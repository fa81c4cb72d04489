import { describe, expect, it } from 'vitest';
import vector from '../../../../tests/vectors/card-limits.json';
import { DEFAULT_CARD_LIMITS, STORAGE_LIMITS } from '../../../../sdk/src/protocol.ts';
import { DEFAULT_BRIDGE_LIMITS } from './limits';

// The host's defaults are tested against the same file (BridgeLimitsTests): a limit changed on one
// side only fails one of the two.
describe('default limits', () => {
  it('DEFAULT_CARD_LIMITS_Unconfigured_EqualWhatTheHostPublishes', () => {
    expect(DEFAULT_CARD_LIMITS).toEqual({
      maxMessageBytes: vector.maxMessageBytes,
      maxPayloadBytes: vector.maxPayloadBytes,
      maxPublishBytes: vector.maxPublishBytes,
      maxSnapshotBytes: vector.maxSnapshotBytes,
    });
  });

  it('DEFAULT_BRIDGE_LIMITS_Unconfigured_EqualWhatTheHostPublishes', () => {
    expect(DEFAULT_BRIDGE_LIMITS.messagesPerSecond).toBe(vector.messagesPerSecond);
    expect(DEFAULT_BRIDGE_LIMITS.burst).toBe(vector.burst);
  });

  it('STORAGE_LIMITS_Always_EqualTheHostsStorageRules', () => {
    expect(STORAGE_LIMITS).toEqual(vector.storage);
  });
});
