import { describe, expect, it } from 'vitest';
import { arrange, LEASE_MS, move, Registry } from '../src/registry';

describe('Registry', () => {
  it('register_KeysByCaller_SoNoPluginTouchesAnothersWidget', () => {
    const r = new Registry();
    r.register('dev.a.x', { id: 'clock', title: 'A', text: '1' }, 0);
    r.register('dev.b.x', { id: 'clock', title: 'B', text: '2' }, 0);
    expect(r.update('dev.b.x', 'clock', '3', undefined, 1)).toBe(true);
    expect(r.unregister('dev.b.x', 'nope')).toBe(false);
    expect(r.list().map((w) => `${w.key}=${w.text}`)).toEqual(['dev.a.x/clock=1', 'dev.b.x/clock=3']);
  });
  it('expire_OwnerStoppedRenewing_DropsItsWidget', () => {
    const r = new Registry();
    r.register('dev.a.x', { id: 'clock', title: 'A', text: '1' }, 0);
    r.register('dev.b.x', { id: 'w', title: 'B', text: '2' }, 0);
    r.update('dev.b.x', 'w', '3', undefined, LEASE_MS);
    expect(r.expire(LEASE_MS + 1)).toBe(true);
    expect(r.list().map((w) => w.owner)).toEqual(['dev.b.x']);
  });
});

describe('layout', () => {
  const w = (key: string) => ({ key, owner: key, id: key, title: key, text: '' });
  it('arrange_SavedOrderFirstThenNewOnes', () => {
    expect(arrange([w('a'), w('b'), w('c')], ['c', 'a']).map((x) => x.key)).toEqual(['c', 'a', 'b']);
  });
  it('move_ClampsAtTheEnds', () => {
    expect(move(['a', 'b', 'c'], 'a', -1)).toEqual(['a', 'b', 'c']);
    expect(move(['a', 'b', 'c'], 'a', 1)).toEqual(['b', 'a', 'c']);
  });
});
