import { describe, expect, it } from 'vitest';
import type { WindowState } from './types';
import { alwaysDrawn, placedWindows, WindowDetails } from './window-details.svelte';

const view = { width: 1280, height: 800 };
const home = { x: 0, y: 0, zoom: 1 };
const win = (id: string, x: number, extra: Partial<WindowState> = {}): WindowState =>
  ({ id, kind: 'form', title: id, x, y: 100, width: 300, height: 220, z: 1, minimized: false, maximized: false, ...extra }) as WindowState;

describe('WindowDetails', () => {
  it('WindowDetails_Update_CullsOffScreenAndOutlinesFarOut', () => {
    const d = new WindowDetails();
    const windows = [win('near', 100), win('far', 20_000)];
    d.update(placedWindows(windows, null), home, view);
    expect([d.of('near'), d.of('far')]).toEqual(['full', 'culled']);
    d.update(placedWindows(windows, null), { x: 0, y: 0, zoom: 0.2 }, view);
    expect([d.of('near'), d.of('far')]).toEqual(['outline', 'culled']);
  });

  it('WindowDetails_LiveCardFocusedOrMaximizedOffScreen_AlwaysFull', () => {
    const d = new WindowDetails();
    const windows = [
      win('live', 20_000, { kind: 'plugin' }),
      win('closed', 20_000, { kind: 'plugin', open: false }),
      win('focused', 20_000),
      win('max', 20_000, { maximized: true }),
    ];
    d.update(placedWindows(windows, 'focused'), { x: 0, y: 0, zoom: 0.2 }, view);
    expect(windows.map((w) => d.of(w.id))).toEqual(['full', 'culled', 'full', 'full']);
  });

  it('WindowDetails_WindowRemoved_Forgotten', () => {
    const d = new WindowDetails();
    d.update(placedWindows([win('a', 20_000), win('b', 20_000)], null), home, view);
    d.update(placedWindows([win('b', 20_000)], null), home, view);
    expect(d.of('a')).toBe('full');
    expect(d.of('b')).toBe('culled');
  });

  it('WindowDetails_UnknownWindow_Full', () => {
    expect(new WindowDetails().of('new')).toBe('full');
  });

  it('alwaysDrawn_ClosedCardNotFocused_False', () => {
    expect(alwaysDrawn(win('c', 0, { kind: 'plugin', open: false }), 'other')).toBe(false);
    expect(alwaysDrawn(win('c', 0, { kind: 'plugin' }), 'other')).toBe(true);
  });
});
