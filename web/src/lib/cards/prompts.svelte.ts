import type { AssetDto, AssetType } from '../api/types';

/** A yes/no question the host asks on a card's behalf (drawn outside the frame). */
export interface ConsentPrompt {
  kind: 'consent';
  id: number;
  /** The window the question is about: the prompt names it and closes with it. */
  windowId: string;
  title: string;
  message: string;
  allowLabel: string;
  denyLabel: string;
  /**
   * Records the permission before the dialog closes, so a card retrying the moment it closes
   * already finds the grant (otherwise its retry races the POST). A failure answers "not allowed".
   */
  onAllow?: () => Promise<void>;
  /** Allow was clicked and `onAllow` is still running. */
  busy?: boolean;
  resolve: (allowed: boolean) => void;
}

/** The File Registry picker for one card and one asset type; picking is the consent. */
export interface PickerPrompt {
  kind: 'picker';
  id: number;
  windowId: string;
  cardName: string;
  assetType: AssetType;
  resolve: (asset: AssetDto | null) => void;
}

/**
 * Something a card asked for cannot happen, and why (e.g. its network service is not set up):
 * the person reads it and closes it. `setupHref` is where an admin fixes it; the dialog shows the
 * link to admins only and tells everyone else whom to ask.
 */
export interface NoticePrompt {
  kind: 'notice';
  id: number;
  windowId: string;
  title: string;
  message: string;
  setupHref?: string;
  setupLabel?: string;
  resolve: () => void;
}

export type CardPrompt = ConsentPrompt | PickerPrompt | NoticePrompt;

type Ask<P> = Omit<P, 'id' | 'kind' | 'resolve' | 'busy'>;

/**
 * Host dialogs cards cause, one at a time in arrival order. A card cannot draw them, cannot
 * answer them and cannot tell whether one is showing: it only gets the outcome. Every prompt
 * ends exactly once: answered, or dismissed when its card closes (`signal`).
 */
export class CardPrompts {
  queue = $state<CardPrompt[]>([]);
  readonly current: CardPrompt | null = $derived(this.queue[0] ?? null);
  #next = 1;
  readonly #hold: (() => () => void) | undefined;
  #release: (() => void) | null = null;

  /**
   * `hold` is called when the first prompt is queued and its release when the last one ends:
   * the board's focus keeper takes keyboard focus from the card meanwhile and gives it back.
   */
  constructor(options: { hold?: () => () => void } = {}) {
    this.#hold = options.hold;
  }

  consent(ask: Ask<ConsentPrompt>, signal?: AbortSignal): Promise<boolean> {
    return this.#push<boolean>((id, resolve) => ({ ...ask, kind: 'consent', id, resolve }), false, signal);
  }

  /** The person clicked Allow: record the permission first (if asked to), then answer. */
  async allow(prompt: ConsentPrompt): Promise<void> {
    if (prompt.busy) return;
    if (prompt.onAllow) {
      prompt.busy = true;
      try {
        await prompt.onAllow();
      } catch {
        prompt.resolve(false);
        return;
      }
    }
    prompt.resolve(true);
  }

  /** Tells the person why a card's request cannot be met; resolves when they close it. */
  notice(ask: Ask<NoticePrompt>, signal?: AbortSignal): Promise<void> {
    return this.#push<void>((id, resolve) => ({ ...ask, kind: 'notice', id, resolve: () => resolve() }), undefined, signal);
  }

  pickAsset(ask: Ask<PickerPrompt>, signal?: AbortSignal): Promise<AssetDto | null> {
    return this.#push<AssetDto | null>((id, resolve) => ({ ...ask, kind: 'picker', id, resolve }), null, signal);
  }

  #push<T>(make: (id: number, resolve: (v: T) => void) => CardPrompt, onAbort: T, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.resolve(onAbort);
    return new Promise<T>((resolve) => {
      const id = this.#next++;
      let done = false;
      const finish = (v: T) => {
        if (done) return;
        done = true;
        signal?.removeEventListener('abort', abort);
        this.queue = this.queue.filter((p) => p.id !== id);
        if (this.queue.length === 0) {
          const release = this.#release;
          this.#release = null;
          release?.();
        }
        resolve(v);
      };
      const abort = () => finish(onAbort);
      signal?.addEventListener('abort', abort, { once: true });
      if (this.queue.length === 0 && this.#release === null) this.#release = this.#hold?.() ?? null;
      this.queue.push(make(id, finish));
    });
  }

  /** Answers every prompt of a window with "no" (its card closed or was removed). */
  dismissFor(windowId: string): void {
    for (const p of [...this.queue]) {
      if (p.windowId !== windowId) continue;
      if (p.kind === 'consent') p.resolve(false);
      else if (p.kind === 'notice') p.resolve();
      else p.resolve(null);
    }
  }
}
