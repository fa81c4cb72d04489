import type { Bounds, CardContext } from '@labyrinth/sdk';
import * as model from './model.ts';

export const FINISHED_TOPIC = 'timer:countdown:finished';

/**
 * The timer card's reactive state: the saved {@link model.TimerPayload}, the clock-derived
 * remaining time, and the card's size for the digits. Saves on every user action (not on ticks).
 */
export class TimerState {
  payload = $state(model.initial());
  now = $state(0);
  bounds = $state<Bounds>({ width: 300, height: 200 });
  readonly remaining = $derived(model.remaining(this.payload, this.now));
  readonly running = $derived(model.isRunning(this.payload));
  readonly finished = $derived(!this.running && this.payload.remainingMs === 0);
  readonly text = $derived(model.format(this.remaining));
  /** Small cards show only the digits and start/pause/reset; presets need some height. */
  readonly compact = $derived(this.bounds.height < 170);
  readonly digitPx = $derived(model.digitSize(this.bounds.width, this.bounds.height * (this.compact ? 1 : 0.75), this.text.length));
  readonly #card: CardContext;
  readonly #clock: () => number;
  readonly #label: () => string;
  #timer: ReturnType<typeof setInterval> | undefined;
  #offBounds: () => void;

  constructor(card: CardContext, label: () => string, clock: () => number = Date.now) {
    this.#card = card;
    this.#clock = clock;
    this.#label = label;
    this.payload = model.parse(card.payload);
    this.bounds = card.bounds;
    this.#offBounds = card.onBounds((b) => { this.bounds = b; });
    this.tick();
    this.#schedule();
  }

  /** Advances the derived time; finishes (saves + announces) when the countdown reached zero. */
  tick(): void {
    this.now = this.#clock();
    const done = model.finishIfDue(this.payload, this.now);
    if (!done) return;
    this.#save(done);
    // Fire and forget: dropped by the host unless crossCard:pubsub is granted.
    this.#card.publish(FINISHED_TOPIC, { label: this.#label(), durationMs: done.durationMs });
  }

  start(): void { this.#save(model.start(this.payload, this.#clock())); }
  pause(): void { this.#save(model.pause(this.payload, this.#clock())); }
  reset(): void { this.#save(model.reset(this.payload)); }
  choose(durationMs: number): void { this.#save(model.choose(durationMs)); }

  destroy(): void {
    clearInterval(this.#timer);
    this.#offBounds();
  }

  #save(next: model.TimerPayload): void {
    this.payload = next;
    this.now = this.#clock();
    this.#card.setPayload({ ...next });
    this.#schedule();
  }

  #schedule(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.running) this.#timer = setInterval(() => this.tick(), 250);
  }
}
