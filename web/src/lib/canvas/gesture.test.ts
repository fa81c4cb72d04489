import { afterEach, describe, expect, it, vi } from 'vitest';
import { GestureSettle, type Timers } from './gesture';

/** Timers driven by hand: `advance(ms)` runs what is due, in order. */
function manualTimers() {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    set: (fn, ms) => {
      const id = next++;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clear: (h) => void due.delete(h as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const first = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!first) break;
      due.delete(first[0]);
      now = first[1].at;
      first[1].fn();
    }
    now = end;
  };
  return { timers, advance, now: () => now, pending: () => due.size };
}

function setup(quietMs = 150) {
  const t = manualTimers();
  const log: string[] = [];
  const g = new GestureSettle({ quietMs, timers: t.timers, now: t.now, onstart: () => log.push('start'), onsettle: () => log.push('settle') });
  return { g, log, ...t };
}

describe('GestureSettle', () => {
  it('GestureSettle_StreamOfTicks_StartsOnceAndSettlesOnceAfterTheLastTick', () => {
    const { g, log, advance } = setup(150);
    for (let i = 0; i < 60; i++) {
      g.poke();
      advance(16);
    }
    expect(log).toEqual(['start']);
    expect(g.moving).toBe(true);
    advance(133);
    expect(log).toEqual(['start']);
    advance(1);
    expect(log).toEqual(['start', 'settle']);
    expect(g.moving).toBe(false);
  });

  it('GestureSettle_PauseLongerThanQuietTime_TwoGestures', () => {
    const { g, log, advance } = setup(100);
    g.poke();
    advance(150);
    g.poke();
    advance(150);
    expect(log).toEqual(['start', 'settle', 'start', 'settle']);
  });

  it('GestureSettle_SettleNow_SettlesOnceAndCancelsTheTimer', () => {
    const { g, log, advance, pending } = setup(150);
    g.poke();
    g.settleNow();
    expect(log).toEqual(['start', 'settle']);
    expect(pending()).toBe(0);
    advance(500);
    g.settleNow();
    expect(log).toEqual(['start', 'settle']);
  });

  it('GestureSettle_Disposed_NeverSettles', () => {
    const { g, log, advance } = setup(150);
    g.poke();
    g.dispose();
    advance(500);
    expect(log).toEqual(['start']);
    expect(g.moving).toBe(false);
  });

  it('GestureSettle_PointerHeldPastTheQuietTime_SettlesOnlyAfterRelease', () => {
    const { g, log, advance } = setup(150);
    g.poke();
    g.hold();
    advance(1000);
    expect(log).toEqual(['start']);
    g.release();
    advance(149);
    expect(log).toEqual(['start']);
    advance(1);
    expect(log).toEqual(['start', 'settle']);
  });

  it('GestureSettle_NegativeQuietTime_Refused', () => {
    expect(() => new GestureSettle({ quietMs: -1, onsettle: () => {} })).toThrow(RangeError);
  });
});

/**
 * A loaded machine, with vitest's fake timers: the main thread was busy, so the quiet-time timer
 * runs late, and the wheel input that arrived meanwhile is still queued behind it. The clock is
 * the wall time the events' time stamps are on.
 */
describe('GestureSettle on a loaded machine', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function loaded() {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const clock = { now: 0 };
    const log: string[] = [];
    const g = new GestureSettle({ quietMs: 150, now: () => clock.now, onstart: () => log.push('start'), onsettle: () => log.push('settle') });
    return { g, log, clock };
  }

  it('GestureSettle_TimerFiresLateWhileInputIsQueued_DoesNotSettle', () => {
    const { g, log, clock } = loaded();
    g.poke(0);
    clock.now = 400; // busy until 400 ms: the timer due at 150 runs now ...
    vi.advanceTimersToNextTimer();
    for (const at of [100, 200, 300, 390]) g.poke(at); // ... and the wheel ticks queued behind it follow
    vi.advanceTimersToNextTimer(); // the next frame
    expect(log).toEqual(['start']);
    expect(g.moving).toBe(true);

    // Input stops: the gesture settles once its last tick is 150 ms old, and only once.
    clock.now = 540;
    vi.advanceTimersByTime(1000);
    expect(log).toEqual(['start', 'settle']);
  });
});
