// When a run of pan/zoom input has stopped. Wheel and trackpad input arrive as a stream of
// events with no "end": the gesture is over once no event came for `quietMs`, and never while a
// pointer that drives it is still down. Work that must not run at every tick (saving the viewport,
// letting card frames catch the pointer again) waits for the settle.
//
// The decision is made from the input itself, not from a timer alone: on a loaded machine a timer
// fires late, after input that arrived meanwhile is already queued behind it. So the timer only
// asks; it settles when the latest input (by its own time stamp) is `quietMs` old, and only after
// the next frame, by which time the browser has dispatched the input queued before it.

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  /** Runs `fn` after the input already queued has been dispatched (the next animation frame). */
  frame?(fn: () => void): unknown;
  clearFrame?(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  frame: (fn) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(fn) : setTimeout(fn, 0)),
  clearFrame: (h) => (typeof cancelAnimationFrame === 'function' ? cancelAnimationFrame(h as number) : clearTimeout(h as ReturnType<typeof setTimeout>)),
};

export interface GestureSettleOptions {
  /** Quiet time after the last input before the gesture counts as settled. */
  quietMs: number;
  /** The first input of a gesture. */
  onstart?: () => void;
  /** Once per gesture, `quietMs` after its last input with no pointer down (or at `settleNow`). */
  onsettle: () => void;
  timers?: Timers;
  /** The clock input time stamps are on (an event's `timeStamp` is on `performance.now()`'s). */
  now?: () => number;
}

export class GestureSettle {
  readonly #opts: GestureSettleOptions;
  readonly #timers: Timers;
  readonly #now: () => number;
  #timer: unknown = null;
  #frame: unknown = null;
  #moving = false;
  #last = -Infinity;
  #held = 0;

  constructor(opts: GestureSettleOptions) {
    if (!(opts.quietMs >= 0)) throw new RangeError('quietMs must be ≥ 0');
    this.#opts = opts;
    this.#timers = opts.timers ?? realTimers;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** A gesture is under way (input came and the quiet time has not passed). */
  get moving(): boolean {
    return this.#moving;
  }

  /**
   * One input of the gesture (a wheel tick, a pointer move), at `at` on the clock (the event's
   * `timeStamp`; now when left out): the quiet time counts from the latest one.
   */
  poke(at: number = this.#now()): void {
    this.#last = Math.max(this.#last, at);
    if (!this.#moving) {
      this.#moving = true;
      this.#opts.onstart?.();
    }
    // One timer per quiet period, not one per event: it re-arms itself for what is left.
    if (this.#timer === null && this.#frame === null) this.#arm(this.#opts.quietMs);
  }

  /** A pointer that drives the gesture went down: nothing settles until it is released. */
  hold(): void {
    this.#held++;
  }

  /** That pointer was released: the release is the gesture's latest input. */
  release(at: number = this.#now()): void {
    if (this.#held === 0) return;
    this.#held--;
    if (this.#moving) this.poke(at);
  }

  /** Ends the gesture now; nothing happens when none is under way. */
  settleNow(): void {
    this.#cancel();
    if (!this.#moving) return;
    this.#moving = false;
    this.#opts.onsettle();
  }

  /** Forgets a gesture under way without settling it (the canvas went away). */
  dispose(): void {
    this.#cancel();
    this.#moving = false;
    this.#held = 0;
  }

  #arm(ms: number): void {
    this.#timer = this.#timers.set(() => {
      this.#timer = null;
      this.#check(false);
    }, ms);
  }

  /**
   * Settles when the gesture is quiet, else re-arms for the quiet time left. A quiet answer is
   * checked once more after the next frame: input queued behind a late timer is dispatched by then.
   */
  #check(afterFrame: boolean): void {
    if (!this.#moving) return;
    const idle = this.#now() - this.#last;
    if (this.#held > 0 || idle < this.#opts.quietMs) {
      this.#arm(this.#held > 0 ? this.#opts.quietMs : this.#opts.quietMs - idle);
    } else if (afterFrame) {
      this.settleNow();
    } else {
      const frame = this.#timers.frame ?? ((fn: () => void) => this.#timers.set(fn, 0));
      this.#frame = frame(() => {
        this.#frame = null;
        this.#check(true);
      });
    }
  }

  #cancel(): void {
    if (this.#timer !== null) this.#timers.clear(this.#timer);
    if (this.#frame !== null) (this.#timers.clearFrame ?? this.#timers.clear)(this.#frame);
    this.#timer = null;
    this.#frame = null;
  }
}
