import { describe, expect, it } from 'vitest';
import type { PluginDto } from '../api/types';
import { assignmentMoves } from './assignment';

function plugin(version: string, loadable: string[], typeIDs = ['t'], enabled = true): PluginDto {
  return {
    id: 'com.example.staged',
    version,
    enabled,
    cards: typeIDs.map((typeID) => ({ typeID, name: typeID })),
    cardBases: Object.fromEntries(loadable.map((v) => [v, `http://x.cards.localhost/cap/tok/${v}`])),
  } as unknown as PluginDto;
}

const card = (id: string, version: string, typeID = 't', pluginId = 'com.example.staged') => ({ id, kind: 'plugin', plugin: { pluginId, version, typeID } });

describe('assignmentMoves', () => {
  it('assignmentMoves_VersionTakenAway_MovesTheCardBackToTheOfferedVersion', () => {
    expect(assignmentMoves([card('w1', '2.0.0')], [plugin('1.0.0', ['1.0.0'])])).toEqual([
      { windowId: 'w1', pluginId: 'com.example.staged', from: '2.0.0', to: '1.0.0' },
    ]);
  });

  it('assignmentMoves_VersionStillLoadable_LeavesTheCard', () => {
    // An older pin the person may still load (their card waits for consent to upgrade) stays.
    expect(assignmentMoves([card('w1', '2.0.0')], [plugin('1.0.0', ['1.0.0', '2.0.0'])])).toEqual([]);
  });

  it('assignmentMoves_OfferedVersionIsNewer_NeverUpgrades', () => {
    expect(assignmentMoves([card('w1', '1.0.0')], [plugin('2.0.0', ['2.0.0'])])).toEqual([]);
  });

  it('assignmentMoves_TypeGoneOrPluginUnavailable_LeavesTheCard', () => {
    expect(assignmentMoves([card('w1', '2.0.0', 'other')], [plugin('1.0.0', ['1.0.0'])])).toEqual([]);
    expect(assignmentMoves([card('w1', '2.0.0', 't', 'com.example.else')], [plugin('1.0.0', ['1.0.0'])])).toEqual([]);
    expect(assignmentMoves([card('w1', '2.0.0')], [plugin('1.0.0', ['1.0.0'], ['t'], false)])).toEqual([]);
    expect(assignmentMoves([{ id: 'w2', kind: 'note', plugin: null }], [plugin('1.0.0', ['1.0.0'])])).toEqual([]);
  });
});
