import type { CardContext } from '@labyrinth/sdk';

/**
 * The note's text and its saving: at most one `setPayload` per `delayMs` while typing;
 * `flush` saves what is pending now (on destroy).
 */
export class NoteState {
  text = $state('');
  readonly chars = $derived([...this.text].length);
  #timer: ReturnType<typeof setTimeout> | undefined;
  // Plain field, not state: flush may run in an effect teardown, where state reads can be stale.
  #pending: string | null = null;
  readonly #card: CardContext;
  readonly #delayMs: number;

  constructor(card: CardContext, delayMs = 300) {
    this.#card = card;
    this.#delayMs = delayMs;
    const saved = card.payload as { text?: unknown } | null;
    this.text = typeof saved?.text === 'string' ? saved.text : '';
  }

  /** Call with the new text after every edit. */
  edit(text: string): void {
    this.text = text;
    this.#pending = text;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.flush(), this.#delayMs);
  }

  flush(): void {
    clearTimeout(this.#timer);
    if (this.#pending === null) return;
    const text = this.#pending;
    this.#pending = null;
    this.#card.setPayload({ text });
  }
}
