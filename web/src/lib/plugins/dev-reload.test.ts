import { describe, expect, it } from 'vitest';
import type { PluginDto } from '../api/types';
import { devFailureCleared, devReloadMoves, parseDevBuildFailed } from './dev-reload';

function plugin(id: string, version: string, status: 'trusted' | 'dev', typeIDs = ['dice']): PluginDto {
  return {
    id,
    version,
    name: id,
    description: '',
    enabled: true,
    bundleBytes: 1,
    signature: { status, keyName: null },
    cards: typeIDs.map((typeID) => ({ typeID, name: typeID })),
  } as unknown as PluginDto;
}

const card = (id: string, version: string, extra: Partial<{ open: boolean; typeID: string; pluginId: string }> = {}) => ({
  id,
  kind: 'plugin',
  open: extra.open,
  plugin: { pluginId: extra.pluginId ?? 'com.example.dice', version, typeID: extra.typeID ?? 'dice' },
});

describe('devReloadMoves', () => {
  it('moves an open card to the new development version', () => {
    const moves = devReloadMoves([card('w1', '0.1.0-dev.1')], [plugin('com.example.dice', '0.1.0-dev.2', 'dev')]);
    expect(moves).toEqual([{ windowId: 'w1', pluginId: 'com.example.dice', from: '0.1.0-dev.1', to: '0.1.0-dev.2' }]);
  });

  it('moves a card on the release to the development version that follows it', () => {
    expect(devReloadMoves([card('w1', '0.1.0')], [plugin('com.example.dice', '0.1.0-dev.9', 'dev')])).toHaveLength(1);
  });

  it('leaves cards alone when the active version is a release', () => {
    expect(devReloadMoves([card('w1', '0.1.0')], [plugin('com.example.dice', '0.2.0', 'trusted')])).toEqual([]);
  });

  it('leaves closed cards, cards already current, other plugins and removed types alone', () => {
    const plugins = [plugin('com.example.dice', '0.1.0-dev.2', 'dev', ['dice'])];
    const windows = [
      card('closed', '0.1.0-dev.1', { open: false }),
      card('current', '0.1.0-dev.2'),
      card('other', '1.0.0', { pluginId: 'com.example.other' }),
      card('gone', '0.1.0-dev.1', { typeID: 'coin' }),
      { id: 'note', kind: 'note', plugin: null },
    ];
    expect(devReloadMoves(windows, plugins)).toEqual([]);
  });
});

describe('dev build failures', () => {
  it('clear once the plugin runs another version', () => {
    const failure = { pluginId: 'com.example.dice', message: 'x', version: '0.1.0-dev.1', at: 0 };
    expect(devFailureCleared(failure, [plugin('com.example.dice', '0.1.0-dev.1', 'dev')])).toBe(false);
    expect(devFailureCleared(failure, [plugin('com.example.dice', '0.1.0-dev.2', 'dev')])).toBe(true);
  });

  it('parse only well-formed hub messages', () => {
    expect(parseDevBuildFailed([{ pluginId: 'a.b', message: 'boom' }])).toEqual({ pluginId: 'a.b', message: 'boom' });
    expect(parseDevBuildFailed([{ pluginId: 1, message: 'boom' }])).toBeNull();
    expect(parseDevBuildFailed([])).toBeNull();
  });
});
