import { untrack } from 'svelte';

/**
 * Keyboard focus belongs to the person (docs/security-model.md, "Focus"). A card frame may hold
 * focus only after the person entered it: clicked into it (the shield over it), opened or spawned
 * it, or pressed Enter on its shield. Until then the bootstrap refuses the card's `focus()` calls,
 * and if a card gets focus anyway (it went around the bootstrap) this page takes it straight back
 * and tells the card's bridge, which counts `focus_steal` and suspends a repeat offender.
 *
 * Measured with Chromium 156: neither `inert` nor `visibility:hidden` on the iframe keeps a
 * cross-origin frame's `element.focus()` / `window.focus()` from taking focus, so the guard has to
 * be in the frame, and the host's check is the backstop.
 */

/** What the focus keeper needs from one open card. */
export interface FocusableCard {
  iframe(): HTMLIFrameElement | null;
  setFocusAllowed(allowed: boolean): void;
  focusStolen(): void;
  /** Where keyboard focus goes when the person leaves the card with Escape: its shield, once drawn. */
  focusShield(): void;
}

export interface CardFocusEnv {
  doc: Document;
  win: Window;
  defer(fn: () => void): void;
  /** Repeats `fn` (the backstop check) until the returned stop function is called. */
  every(fn: () => void, ms: number): () => void;
}

/** A frame taking focus from a page that had none fires no event here: look this often as well. */
export const FOCUS_CHECK_INTERVAL_MS = 250;

export class CardFocus {
  /** The window id of the card the person is in, or null (focus is on the host). */
  entered = $state<string | null>(null);
  readonly #cards = new Map<string, FocusableCard>();
  readonly #pending = new Set<string>();
  /** Open holds (`hold`) and the card the person was in when the first one began. */
  #holds = 0;
  #heldCard: string | null = null;
  #lastHost: HTMLElement | null = null;
  #env: CardFocusEnv | null = null;

  /** Starts watching focus on the page (idempotent; the board calls it once). */
  attach(env: CardFocusEnv): () => void {
    if (this.#env) return () => {};
    this.#env = env;
    const { doc, win } = env;
    // Focus events fire synchronously inside whatever called focus(), often another component's
    // effect (a panel focusing itself on open): reading `entered` there would make that effect
    // re-run, and take focus again, each time the person enters or leaves a card.
    const quietly =
      <E>(fn: (e: E) => void) =>
      (e: E) =>
        untrack(() => fn(e));
    const onFocusIn = quietly((e: FocusEvent) => {
      const t = e.target;
      if (t instanceof HTMLIFrameElement && this.#cardOf(t) !== null) return this.#check();
      if (t instanceof HTMLElement) {
        this.#lastHost = t;
        // Tab past the card's last control, or a host control taking focus: the person left the
        // card, which may then no longer pull focus back. Host dialogs a card causes do not count
        // as leaving: they hold the card and hand it back when they close (`hold`).
        if (this.entered !== null) this.leave({ refocus: false });
      }
    });
    // Any press on the host page is outside the entered card: presses inside a frame never reach us.
    const onPointerDown = quietly(() => {
      if (this.entered !== null) this.leave({ refocus: false });
    });
    const onBlur = quietly(() => {
      this.#check();
      env.defer(() => this.#check());
    });
    doc.addEventListener('focusin', onFocusIn, true);
    doc.addEventListener('pointerdown', onPointerDown, true);
    win.addEventListener('blur', onBlur);
    doc.addEventListener('focusout', onBlur, true);
    const stopChecking = env.every(() => this.#check(), FOCUS_CHECK_INTERVAL_MS);
    return () => {
      stopChecking();
      doc.removeEventListener('focusin', onFocusIn, true);
      doc.removeEventListener('pointerdown', onPointerDown, true);
      win.removeEventListener('blur', onBlur);
      doc.removeEventListener('focusout', onBlur, true);
      this.#env = null;
    };
  }

  register(windowId: string, card: FocusableCard): () => void {
    this.#cards.set(windowId, card);
    if (this.#pending.delete(windowId) || this.entered === windowId) this.enter(windowId);
    return () => {
      if (this.#cards.get(windowId) !== card) return;
      this.#cards.delete(windowId);
      if (this.entered === windowId) this.entered = null;
    };
  }

  /** The person opened or spawned this card: enter it as soon as its frame exists. */
  enterWhenReady(windowId: string): void {
    if (this.#cards.has(windowId)) this.enter(windowId);
    else this.#pending.add(windowId);
  }

  /** The person entered the card: it may take focus, and gets it now. */
  enter(windowId: string): void {
    const card = this.#cards.get(windowId);
    if (!card) return;
    if (this.entered !== null && this.entered !== windowId) this.leave({ refocus: false });
    this.entered = windowId;
    card.setFocusAllowed(true);
    card.iframe()?.focus();
  }

  /**
   * A host dialog a card caused (a consent question, the asset picker) is showing. The card the
   * person is in leaves while it shows, so it cannot take focus from the dialog, and is entered
   * again when the last such dialog closes, as any dialog hands focus back to where the person
   * was: answering a card's question does not shut them out of the card they were using. A card
   * nobody had entered gains nothing by causing a dialog. Returns the release (idempotent).
   */
  hold(): () => void {
    if (this.#holds++ === 0) {
      this.#heldCard = this.entered;
      this.leave({ refocus: false });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#holds > 0) return;
      const id = this.#heldCard;
      this.#heldCard = null;
      if (id === null) return;
      // Once the dialog has left the page: a frame under an open modal dialog cannot take focus.
      const resume = () => {
        if (this.#holds === 0 && this.entered === null) this.enter(id);
      };
      if (this.#env) this.#env.defer(resume);
      else resume();
    };
  }

  /** Back to the host: the card may no longer take focus. `refocus` puts the keyboard on its shield. */
  leave({ refocus }: { refocus: boolean }): void {
    const id = this.entered;
    if (id === null) return;
    this.entered = null;
    const card = this.#cards.get(id);
    card?.setFocusAllowed(false);
    if (refocus) card?.focusShield();
    // Focus the person left in the frame must not look like a theft to the backstop: once the
    // shield had its chance, a frame still holding focus lets go of it.
    const frame = card?.iframe() ?? null;
    const letGo = () => {
      if (frame && this.entered !== id && this.#env?.doc.activeElement === frame) frame.blur();
    };
    if (refocus && this.#env) this.#env.defer(letGo);
    else letGo();
  }

  #cardOf(iframe: Element | null): string | null {
    if (!(iframe instanceof HTMLIFrameElement)) return null;
    for (const [id, card] of this.#cards) if (card.iframe() === iframe) return id;
    return null;
  }

  /** A card frame holds focus the person did not give it: take it back, tell its bridge. */
  #check(): void {
    const env = this.#env;
    if (!env) return;
    const active = env.doc.activeElement;
    const id = this.#cardOf(active);
    if (id === null || id === this.entered) return;
    const last = this.#lastHost;
    if (last && last.isConnected && !last.hasAttribute('disabled')) last.focus({ preventScroll: true });
    else (active as HTMLElement).blur();
    this.#cards.get(id)?.focusStolen();
  }
}

/** The page's one focus keeper. */
export const cardFocus = new CardFocus();
