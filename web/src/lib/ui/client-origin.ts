// Where an element's top-left corner sits in the viewport, for turning pointer and wheel
// coordinates into element coordinates. getBoundingClientRect() forces a synchronous layout
// when the DOM changed since the last frame; reading it in every wheel tick or pointer move of
// a board (whose previous event just moved the world layer) laid out every window each time.
// The position is read once and again only after something may have moved the element: it
// resized, the window resized, or anything scrolled.

import type { Attachment } from 'svelte/attachments';

export interface Origin {
  left: number;
  top: number;
}

/** What ClientOrigin listens to; the browser's by default (tests pass fakes). */
export interface OriginEnvironment {
  observeResize(el: Element, changed: () => void): () => void;
  listen(type: 'resize' | 'scroll', changed: () => void): () => void;
}

const browser: OriginEnvironment = {
  observeResize(el, changed) {
    const ro = new ResizeObserver(changed);
    ro.observe(el);
    return () => ro.disconnect();
  },
  listen(type, changed) {
    // Capture: a scroll of any ancestor moves the element too, and scroll does not bubble.
    window.addEventListener(type, changed, true);
    return () => window.removeEventListener(type, changed, true);
  },
};

export class ClientOrigin {
  readonly #el: Element;
  readonly #stop: (() => void)[];
  #origin: Origin | null = null;

  constructor(el: Element, env: OriginEnvironment = browser) {
    this.#el = el;
    const forget = () => this.forget();
    this.#stop = [env.observeResize(el, forget), env.listen('resize', forget), env.listen('scroll', forget)];
  }

  /** The element's viewport position, measured at most once between changes. */
  get(): Origin {
    if (!this.#origin) {
      const r = this.#el.getBoundingClientRect();
      this.#origin = { left: r.left, top: r.top };
    }
    return this.#origin;
  }

  /** The element may have moved in a way no listener sees: measure again at the next read. */
  forget(): void {
    this.#origin = null;
  }

  dispose(): void {
    for (const stop of this.#stop) stop();
    this.#stop.length = 0;
    this.#origin = null;
  }
}

/**
 * The origin of whichever element it is attached to (`{@attach origin.attach}`), for a component
 * that reads its own element's position in pointer and wheel handlers; null while none is.
 */
export class TrackedOrigin {
  readonly #env: OriginEnvironment;
  #current: ClientOrigin | null = null;

  constructor(env: OriginEnvironment = browser) {
    this.#env = env;
  }

  readonly attach: Attachment<Element> = (el) => {
    const origin = new ClientOrigin(el, this.#env);
    this.#current = origin;
    return () => {
      origin.dispose();
      // A re-attached element may already have replaced this one.
      if (this.#current === origin) this.#current = null;
    };
  };

  /** The attached element's viewport position (see ClientOrigin.get), or null when none is attached. */
  get(): Origin | null {
    return this.#current?.get() ?? null;
  }

  /** See ClientOrigin.forget. */
  forget(): void {
    this.#current?.forget();
  }
}
