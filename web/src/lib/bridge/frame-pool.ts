import { FrameWatch, isPoolableFrameUrl, isSafeFrameUrl, prepareCardFrame } from './frames';

/**
 * A pre-started card frame: a sandboxed iframe already loading its own plugin's frame document
 * on that plugin version's card origin (its CSP, the bootstrap running, the entry preloaded but
 * not evaluated), not yet bound to a card. `watch` holds the port its bootstrap offered, if any.
 */
export interface PooledFrame {
  readonly frameUrl: string;
  readonly iframe: HTMLIFrameElement;
  readonly watch: FrameWatch;
}

/**
 * What the pool may hold. Each card origin is a renderer process of its own (≈ 20–30 MiB in
 * Chromium for a card's bootstrap document); a further frame on an origin already there shares its
 * process and costs a document (a few MiB). The default keeps the pool near 128 MiB at most.
 */
export interface PoolBudget {
  maxFrames: number;
  maxOrigins: number;
}

export const DEFAULT_POOL_BUDGET: PoolBudget = { maxFrames: 6, maxOrigins: 4 };

/** The DOM pieces the pool touches, injectable so the pool is testable without a browser. */
export interface FramePoolEnv {
  createFrame(): HTMLIFrameElement;
  /** Off-screen, inert parent that keeps pooled frames running (display:none would not lay them out). */
  parking(): HTMLElement;
  /** `Element.prototype.moveBefore`: re-parents a live iframe without reloading it. */
  canMove(): boolean;
  addMessageListener(fn: (e: MessageEvent) => void): void;
  removeMessageListener(fn: (e: MessageEvent) => void): void;
  idle(fn: () => void): void;
}

/**
 * Warm frames for the cards likely to open next (types on the board, the spawn-menu item under
 * the pointer), so opening a card skips the sandboxed frame's process start and document load.
 *
 * A frame is keyed by its frame URL — one plugin version's card on that version's own origin, so
 * pooled frames of different plugins live in different processes — and handed out at most once.
 * Only JS-entry frames are pooled ({@link isPoolableFrameUrl}): a pooled frame runs the bootstrap
 * and nothing of the plugin until its card opens. Without `moveBefore` (re-parenting an iframe any
 * other way reloads it) the pool stays empty and cards start cold.
 */
export class FramePool {
  readonly #env: FramePoolEnv;
  readonly #budget: PoolBudget;
  #frames: PooledFrame[] = [];
  /** Card origins not to pre-start: a card there stopped responding (see {@link hold}). */
  readonly #held = new Set<string>();

  constructor(env: FramePoolEnv, budget: PoolBudget | number = DEFAULT_POOL_BUDGET) {
    this.#env = env;
    this.#budget = typeof budget === 'number' ? { maxFrames: budget, maxOrigins: budget } : budget;
  }

  get size(): number {
    return this.#frames.length;
  }

  /** How many frames the pool keeps; warming more discards the oldest. */
  get capacity(): number {
    return this.#budget.maxFrames;
  }

  get budget(): PoolBudget {
    return { ...this.#budget };
  }

  /** Whether a frame for `cardOrigin` fits without discarding one. */
  hasRoomFor(cardOrigin: string): boolean {
    if (this.#frames.length >= this.#budget.maxFrames) return false;
    const origins = new Set(this.#frames.map((f) => originOf(f.frameUrl)));
    return origins.has(cardOrigin) || origins.size < this.#budget.maxOrigins;
  }

  has(frameUrl: string): boolean {
    return this.#frames.some((f) => f.frameUrl === frameUrl);
  }

  /**
   * Starts a frame for `frameUrl` (on `cardOrigin`) unless one is waiting already. Over the budget
   * the oldest frames make room, unless `onlyIfRoom` (a guess, like the spawn menu's items, does
   * not push out a frame the board asked for).
   */
  warm(frameUrl: string, cardOrigin: string, onlyIfRoom = false): void {
    if (!this.#env.canMove() || !isSafeFrameUrl(frameUrl, cardOrigin) || !isPoolableFrameUrl(frameUrl) || this.has(frameUrl)) return;
    if (this.#held.has(cardOrigin)) return;
    if (onlyIfRoom && !this.hasRoomFor(cardOrigin)) return;
    while (this.#frames.length > 0 && !this.hasRoomFor(cardOrigin)) this.#discard(this.#frames[0]!);
    const iframe = this.#env.createFrame();
    const watch = new FrameWatch(iframe, this.#env);
    const frame: PooledFrame = { frameUrl, iframe, watch };
    // A pooled frame that navigates is not the document we loaded: drop it.
    watch.onNavigated = () => this.#discard(frame);
    prepareCardFrame(iframe, frameUrl);
    iframe.title = 'Preloading card';
    iframe.tabIndex = -1;
    this.#frames.push(frame);
    this.#env.parking().appendChild(iframe);
  }

  /** Hands out the waiting frame for `frameUrl` (never again) and starts its replacement when idle. */
  take(frameUrl: string, cardOrigin: string): PooledFrame | null {
    const i = this.#frames.findIndex((f) => f.frameUrl === frameUrl);
    if (i < 0) return null;
    const [frame] = this.#frames.splice(i, 1);
    frame!.watch.onNavigated = null;
    this.#env.idle(() => this.warm(frameUrl, cardOrigin));
    return frame!;
  }

  /** Drops frames whose plugin version may no longer run (disabled, killed, uninstalled). */
  evictWhere(shouldEvict: (frameUrl: string) => boolean): void {
    for (const f of [...this.#frames]) if (shouldEvict(f.frameUrl)) this.#discard(f);
  }

  /**
   * A card on `cardOrigin` hung and was unloaded: drops the frames waiting there and starts none
   * until {@link release}. A waiting frame would keep the hung process (it shares the origin's
   * process) alive, and a new one could land in it before the browser ends it.
   */
  hold(cardOrigin: string): void {
    this.#held.add(cardOrigin);
    this.evictWhere((url) => originOf(url) === cardOrigin);
  }

  /** The person reloaded a card on `cardOrigin`: frames may be pre-started there again. */
  release(cardOrigin: string): void {
    this.#held.delete(cardOrigin);
  }

  clear(): void {
    for (const f of [...this.#frames]) this.#discard(f);
  }

  #discard(frame: PooledFrame): void {
    this.#frames = this.#frames.filter((f) => f !== frame);
    frame.watch.stop();
    frame.watch.port?.close();
    frame.iframe.remove();
  }
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function createParking(): HTMLElement {
  const el = document.createElement('div');
  el.setAttribute('aria-hidden', 'true');
  el.inert = true;
  el.dataset.testid = 'frame-pool';
  // Off-screen but laid out: hidden or display:none frames would not run their layout.
  Object.assign(el.style, { position: 'fixed', left: '-10000px', top: '0', width: '480px', height: '360px', overflow: 'hidden', pointerEvents: 'none' });
  document.body.appendChild(el);
  return el;
}

let parking: HTMLElement | null = null;

export const domPoolEnv: FramePoolEnv = {
  createFrame: () => document.createElement('iframe'),
  parking: () => (parking ??= createParking()),
  canMove: () => typeof Element !== 'undefined' && 'moveBefore' in Element.prototype,
  addMessageListener: (fn) => window.addEventListener('message', fn),
  removeMessageListener: (fn) => window.removeEventListener('message', fn),
  idle: (fn) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => fn(), { timeout: 2000 }) : setTimeout(fn, 200)),
};

/** The page's one pool. */
export const framePool = new FramePool(domPoolEnv);
