import { describe, expect, it } from 'vitest';
import { choose, digitSize, finishIfDue, format, initial, parse, pause, remaining, reset, start } from '../src/model.ts';

const MIN = 60_000;

describe('timer model', () => {
  it('Remaining_Running_DerivedFromWallClock', () => {
    const t = start(initial(5 * MIN), 1_000);
    expect(remaining(t, 1_000 + 2 * MIN)).toBe(3 * MIN);
  });

  it('Remaining_ClockSetBack_NoExtraTime', () => {
    const t = start(initial(MIN), 10_000);
    expect(remaining(t, 5_000)).toBe(MIN);
  });

  it('Pause_KeepsRemainingAndStops', () => {
    const t = pause(start(initial(MIN), 0), 20_000);
    expect(t).toEqual({ durationMs: MIN, remainingMs: 40_000, runningSince: null });
    expect(remaining(t, 10 * MIN)).toBe(40_000);
  });

  it('Start_AfterPause_ResumesFromRemaining', () => {
    const t = start(pause(start(initial(MIN), 0), 20_000), 100_000);
    expect(remaining(t, 110_000)).toBe(30_000);
  });

  it('FinishIfDue_ReachedZero_StoppedAtZero', () => {
    const t = start(initial(MIN), 0);
    expect(finishIfDue(t, MIN - 1)).toBeNull();
    expect(finishIfDue(t, MIN + 5_000)).toEqual({ durationMs: MIN, remainingMs: 0, runningSince: null });
  });

  it('Start_Finished_RestartsFullDuration', () => {
    const done = finishIfDue(start(initial(MIN), 0), MIN)!;
    expect(remaining(start(done, 2 * MIN), 2 * MIN)).toBe(MIN);
  });

  it('Reset_And_Choose_ReturnToIdle', () => {
    expect(reset(start(initial(MIN), 0))).toEqual(initial(MIN));
    expect(choose(10 * MIN)).toEqual(initial(10 * MIN));
    expect(choose(-5).durationMs).toBe(1000);
  });

  it('Parse_SavedPayload_RoundTrips', () => {
    const saved = JSON.parse(JSON.stringify(start(initial(MIN), 123)));
    expect(parse(saved)).toEqual({ durationMs: MIN, remainingMs: MIN, runningSince: 123 });
  });

  it('Parse_Malformed_StartsFresh', () => {
    for (const bad of [null, 'x', { durationMs: -1 }, { durationMs: MIN, remainingMs: 2 * MIN, runningSince: null }, { durationMs: MIN, remainingMs: 1, runningSince: 'now' }]) {
      expect(parse(bad).runningSince).toBeNull();
      expect(parse(bad).remainingMs).toBe(parse(bad).durationMs);
    }
  });

  it('Format_RoundsUpAndShowsHours', () => {
    expect(format(0)).toBe('0:00');
    expect(format(1)).toBe('0:01');
    expect(format(5 * MIN)).toBe('5:00');
    expect(format(61 * MIN + 1_000)).toBe('1:01:01');
  });

  it('DigitSize_GrowsWithTheCard', () => {
    expect(digitSize(600, 400, 4)).toBeGreaterThan(digitSize(300, 200, 4));
    expect(digitSize(1000, 100, 4)).toBe(42); // limited by height
    expect(digitSize(100, 1000, 4)).toBeLessThan(40); // limited by width
  });
});
