/**
 * The timer's state as it is saved (the card's payload) and the pure rules over it. Time is
 * never counted by ticks: the remaining time is derived from the wall clock, so a timer keeps
 * running correctly while its card is closed, the page reloads or the server restarts.
 */

/** Saved with the card (`setPayload`). */
export interface TimerPayload {
  /** The chosen duration. */
  durationMs: number;
  /** Remaining time when the timer last stopped or started. */
  remainingMs: number;
  /** Epoch ms when it last started; null while paused, idle or finished. */
  runningSince: number | null;
}

export const PRESETS_MS = [60_000, 5 * 60_000, 10 * 60_000, 25 * 60_000] as const;
export const MAX_DURATION_MS = 24 * 60 * 60_000;

export function initial(durationMs: number = PRESETS_MS[1]): TimerPayload {
  return { durationMs, remainingMs: durationMs, runningSince: null };
}

const isCount = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= max;

/** Reads a saved payload; anything malformed (an old version, a tampered blob) starts fresh. */
export function parse(saved: unknown): TimerPayload {
  if (typeof saved !== 'object' || saved === null) return initial();
  const s = saved as Record<string, unknown>;
  if (!isCount(s.durationMs, MAX_DURATION_MS) || s.durationMs === 0 || !isCount(s.remainingMs, s.durationMs)) return initial();
  const since = s.runningSince === null ? null : isCount(s.runningSince, Number.MAX_SAFE_INTEGER) ? s.runningSince : undefined;
  if (since === undefined) return initial(s.durationMs);
  return { durationMs: s.durationMs, remainingMs: s.remainingMs, runningSince: since };
}

/** Time left at `now` (never negative; a clock set back does not add time). */
export function remaining(t: TimerPayload, now: number): number {
  if (t.runningSince === null) return t.remainingMs;
  return Math.max(0, Math.min(t.remainingMs, t.remainingMs - (now - t.runningSince)));
}

export const isRunning = (t: TimerPayload) => t.runningSince !== null;

export function start(t: TimerPayload, now: number): TimerPayload {
  if (isRunning(t)) return t;
  const from = t.remainingMs > 0 ? t.remainingMs : t.durationMs; // starting a finished timer restarts it
  return { ...t, remainingMs: from, runningSince: now };
}

export function pause(t: TimerPayload, now: number): TimerPayload {
  if (!isRunning(t)) return t;
  return { ...t, remainingMs: remaining(t, now), runningSince: null };
}

export function reset(t: TimerPayload): TimerPayload {
  return initial(t.durationMs);
}

export function choose(durationMs: number): TimerPayload {
  return initial(Math.min(Math.max(1000, Math.round(durationMs)), MAX_DURATION_MS));
}

/** A running timer that reached zero becomes finished (stopped at 0); otherwise null. */
export function finishIfDue(t: TimerPayload, now: number): TimerPayload | null {
  if (!isRunning(t) || remaining(t, now) > 0) return null;
  return { ...t, remainingMs: 0, runningSince: null };
}

/** `m:ss`, or `h:mm:ss` from an hour; rounds up so it shows 0:00 only when time is up. */
export function format(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Digit size in px for a card of `width`×`height`: as large as fits, for 4–5 characters. */
export function digitSize(width: number, height: number, chars: number): number {
  const byWidth = (width * 0.86) / (Math.max(4, chars) * 0.62);
  const byHeight = height * 0.42;
  return Math.max(16, Math.floor(Math.min(byWidth, byHeight)));
}
