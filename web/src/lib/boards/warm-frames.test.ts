import { describe, expect, it } from 'vitest';
import type { WindowPluginRef } from '../api/types';
import type { WindowState } from '../windows/types';
import { framesToWarm, type CardFrame } from './warm-frames';

const ORIGIN = 'http://abc.cards.localhost:5080';

function card(id: string, typeID: string, open: boolean): WindowState {
  return {
    id,
    kind: 'plugin',
    title: typeID,
    x: 0,
    y: 0,
    width: 200,
    height: 150,
    z: 0,
    minimized: false,
    maximized: false,
    plugin: { pluginId: 'dev.example', version: '1.0.0', typeID },
    open,
  } as unknown as WindowState;
}

const frameFor = (ref: WindowPluginRef): CardFrame =>
  ref.typeID === 'page'
    ? { url: `${ORIGIN}/cap/tok_en-1/plugins/dev.example/1.0.0/page.html`, origin: ORIGIN }
    : { url: `${ORIGIN}/cap/tok_en-1/cards/frame/dev.example/1.0.0/${ref.typeID}`, origin: ORIGIN };
const never = () => false;

describe('framesToWarm', () => {
  it('framesToWarm_OpenCardsOnly_WarmsNothing', () => {
    expect(framesToWarm([card('w1', 'a', true), card('w2', 'b', true)], frameFor, never, 3)).toEqual([]);
  });

  it('framesToWarm_ClosedCards_OneFramePerTypeUpToTheMax', () => {
    const windows = [card('w1', 'a', false), card('w2', 'a', false), card('w3', 'b', false), card('w4', 'c', false), card('w5', 'd', false)];
    expect(framesToWarm(windows, frameFor, never, 3).map((f) => f.url.split('/').at(-1))).toEqual(['a', 'b', 'c']);
  });

  it('framesToWarm_StoppedOrHtmlEntryCards_AreSkipped', () => {
    const windows = [card('w1', 'a', false), card('w2', 'page', false), card('w3', 'b', false)];
    expect(framesToWarm(windows, frameFor, (id) => id === 'w1', 3).map((f) => f.url.split('/').at(-1))).toEqual(['b']);
  });

  it('framesToWarm_MoreOriginsThanTheBudget_SkipsTypesOnFurtherOrigins', () => {
    const other = (typeID: string, o: string): CardFrame => ({ url: `${o}/cap/tok_en-1/cards/frame/dev.${typeID}/1.0.0/${typeID}`, origin: o });
    const origins: Record<string, string> = { a: 'http://a.cards.localhost:5080', b: 'http://b.cards.localhost:5080', c: 'http://c.cards.localhost:5080' };
    const windows = [card('w1', 'a', false), card('w2', 'b', false), card('w3', 'c', false)];
    const got = framesToWarm(windows, (ref) => other(ref.typeID, origins[ref.typeID]!), never, { maxFrames: 6, maxOrigins: 2 });
    expect(got.map((f) => f.origin)).toEqual([origins.a, origins.b]);
  });
});
