// When a run of pan/zoom input has stopped. Wheel and trackpad input arrive as a stream of
// events with no "end": the gesture is over once no event came for `quietMs`. Work that must
// not run at every tick (saving the viewport, letting card frames catch the pointer again)
// waits for the settle.

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface GestureSettleOptions {
  /** Quiet time after the last input before the gesture counts as settled. */
  quietMs: number;
  /** The first input of a gesture. */
  onstart?: () => void;
  /** Once per gesture, `quietMs` after its last input (or at `settleNow`). */
  onsettle: () => void;
  timers?: Timers;
}

export class GestureSettle {
  readonly #opts: GestureSettleOptions;
  readonly #timers: Timers;
  #timer: unknown = null;
  #moving = false;

  constructor(opts: GestureSettleOptions) {
    if (!(opts.quietMs >= 0)) throw new RangeError('quietMs must be ≥ 0');
    this.#opts = opts;
    this.#timers = opts.timers ?? realTimers;
  }

  /** A gesture is under way (input came and the quiet time has not passed). */
  get moving(): boolean {
    return this.#moving;
  }

  /** One input of the gesture (a wheel tick, a pointer move): restarts the quiet time. */
  poke(): void {
    if (this.#timer !== null) this.#timers.clear(this.#timer);
    if (!this.#moving) {
      this.#moving = true;
      this.#opts.onstart?.();
    }
    this.#timer = this.#timers.set(() => this.settleNow(), this.#opts.quietMs);
  }

  /** Ends the gesture now (the pointer was released); nothing happens when none is under way. */
  settleNow(): void {
    if (this.#timer !== null) this.#timers.clear(this.#timer);
    this.#timer = null;
    if (!this.#moving) return;
    this.#moving = false;
    this.#opts.onsettle();
  }

  /** Forgets a gesture under way without settling it (the canvas went away). */
  dispose(): void {
    if (this.#timer !== null) this.#timers.clear(this.#timer);
    this.#timer = null;
    this.#moving = false;
  }
}
