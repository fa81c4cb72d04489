import { describe, expect, it } from 'vitest';
import type { CardTypeDto, PluginDto } from '../api/types';
import { spawnRequestFor } from './spawn';

const visible = { x: 0, y: 0, width: 1200, height: 900 };
const card: CardTypeDto = {
  typeID: 'hello',
  name: 'Hello',
  icon: '👋',
  defaultSize: { width: 100, height: 220 },
  minSize: { width: 200, height: 120 },
  propsSchema: null,
  frameUrl: '/cards/frame/p/1.0.0/hello',
  entryUrl: '/plugins/p/1.0.0/cards/hello.js',
  capabilities: [],
  topics: { publish: [], subscribe: [] },
};
const plugin = { id: 'p', version: '1.0.0', name: 'P', cards: [card] } as PluginDto;

describe('spawnRequestFor', () => {
  it('spawnRequestFor_Form_DefaultSizeAndEmptyData', () => {
    const r = spawnRequestFor({ kind: 'form' }, visible, []);
    expect(r).toMatchObject({ kind: 'form', title: 'Form', width: 360, height: 320, data: { fields: {}, saved: false } });
  });

  it('spawnRequestFor_Plugin_DefaultSizeRaisedToMinSize', () => {
    const r = spawnRequestFor({ kind: 'plugin', plugin, card }, visible, []);
    expect(r.width).toBe(200);
    expect(r.height).toBe(220);
    expect(r.plugin).toEqual({ pluginId: 'p', version: '1.0.0', typeID: 'hello', props: {} });
  });

  it('spawnRequestFor_Metadata_NoData', () => {
    expect(spawnRequestFor({ kind: 'metadata' }, visible, []).data).toBeUndefined();
  });
});
