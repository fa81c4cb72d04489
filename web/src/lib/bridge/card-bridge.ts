import type { FramePool } from './frame-pool';
import { isSafeFrameUrl, prepareCardFrame } from './frames';
import { emptyCounters, MessageGuard } from './guard';
import { PROTOCOL_VERSION, type Bounds, type BridgeCounters, type BridgeStatus, type CardIdentity, type CardMessage, type HostMessage } from './types';

export interface CardLoadReport {
  ok: boolean;
  loadMs: number;
  error?: string;
}

export interface CardBridgeOptions {
  frameUrl: string;
  cardName: string;
  card: CardIdentity;
  props: Record<string, unknown>;
  bounds: Bounds;
  active: boolean;
  /** The card's stored payload, fetched while the frame boots. */
  loadPayload: () => Promise<unknown>;
  onSetPayload: (payload: unknown) => void;
  onLoadReport?: (r: CardLoadReport) => void;
  now?: () => number;
  pingIntervalMs?: number;
  /** No pong for this long → "Not responding". */
  unresponsiveAfterMs?: number;
  /** No frame-ready for this long → "Not responding". */
  startTimeoutMs?: number;
  /** Warm frames; when it holds one for this frame URL the card skips the frame's cold start. */
  pool?: FramePool | null;
}

export { isSafeFrameUrl } from './frames';

/** What the UI shows about a bridge; the Svelte wrapper makes this object reactive. */
export interface BridgeView {
  status: BridgeStatus;
  error: { code: string; message: string } | null;
  /** Host-measured: iframe inserted → card `ready`. */
  loadMs: number | null;
  /** Card-reported: bootstrap start → mounted. */
  cardLoadMs: number | null;
  sizePreference: Bounds | null;
  counters: BridgeCounters;
  loads: number;
  /** The frame came pre-started from the pool. */
  warm: boolean;
}

export function initialView(): BridgeView {
  return { status: 'loading', error: null, loadMs: null, cardLoadMs: null, sizePreference: null, counters: emptyCounters(), loads: 0, warm: false };
}

/** The DOM pieces the bridge touches, injectable so the handshake is testable without a browser. */
export interface BridgeEnv {
  createFrame(): HTMLIFrameElement;
  addMessageListener(fn: (e: MessageEvent) => void): void;
  removeMessageListener(fn: (e: MessageEvent) => void): void;
  createChannel(): MessageChannel;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const domEnv: BridgeEnv = {
  createFrame: () => document.createElement('iframe'),
  addMessageListener: (fn) => window.addEventListener('message', fn),
  removeMessageListener: (fn) => window.removeEventListener('message', fn),
  createChannel: () => new MessageChannel(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/**
 * Host side of one card frame: creates the sandboxed iframe, hands it a MessagePort once the
 * frame says it is ready, validates everything the card sends, and watches it with pings.
 */
export class CardBridge {
  readonly view: BridgeView;
  readonly options: CardBridgeOptions;
  readonly #env: BridgeEnv;
  #container: HTMLElement | null = null;
  #iframe: HTMLIFrameElement | null = null;
  #port: MessagePort | null = null;
  #guard: MessageGuard | null = null;
  #timer: unknown = null;
  #startedAt = 0;
  #lastPong = 0;
  #seq = 0;
  #readySeen = false;
  #reported = false;
  #props: Record<string, unknown>;
  #propsKey: string;
  #bounds: Bounds;
  #active: boolean;

  constructor(options: CardBridgeOptions, env: BridgeEnv = domEnv, view: BridgeView = initialView()) {
    this.options = options;
    this.#env = env;
    this.view = view;
    this.#props = options.props;
    this.#propsKey = JSON.stringify(options.props);
    this.#bounds = options.bounds;
    this.#active = options.active;
  }

  get status(): BridgeStatus {
    return this.view.status;
  }
  get error(): BridgeView['error'] {
    return this.view.error;
  }
  get loadMs(): number | null {
    return this.view.loadMs;
  }
  get cardLoadMs(): number | null {
    return this.view.cardLoadMs;
  }
  get sizePreference(): Bounds | null {
    return this.view.sizePreference;
  }
  get counters(): BridgeCounters {
    return this.view.counters;
  }

  get iframe(): HTMLIFrameElement | null {
    return this.#iframe;
  }

  #now(): number {
    return this.options.now?.() ?? performance.now();
  }

  mount(container: HTMLElement): void {
    this.#container = container;
    this.#start();
  }

  #start(): void {
    const container = this.#container;
    if (!container) return;
    this.view.status = 'loading';
    this.view.error = null;
    this.#readySeen = false;
    this.#reported = false;
    this.view.loadMs = null;
    this.view.cardLoadMs = null;
    this.view.loads++;

    const { frameUrl, cardName } = this.options;
    if (!isSafeFrameUrl(frameUrl)) {
      this.#fail('load_failed', `Refusing to load a card from ${frameUrl}: cards load only from this server.`);
      return;
    }

    this.#startedAt = this.#now();
    this.#guard = new MessageGuard(this.#startedAt, this.view.counters);
    const payload = this.options.loadPayload();
    payload.catch(() => {}); // handled in #connect; avoid an unhandled rejection meanwhile

    const pooled = this.options.pool?.take(frameUrl) ?? null;
    const f = pooled?.iframe ?? prepareCardFrame(this.#env.createFrame(), frameUrl);
    f.title = `${cardName} card`;
    this.#iframe = f;
    this.view.warm = pooled !== null;
    if (pooled) {
      f.removeAttribute('tabindex'); // parked frames were kept out of the tab order
      // moveBefore keeps the running frame; appendChild would reload it from scratch.
      (container as HTMLElement & { moveBefore(node: Node, child: Node | null): void }).moveBefore(f, null);
    } else {
      container.appendChild(f);
    }
    if (pooled?.ready) {
      void this.#connect(f);
    } else {
      this.#env.addMessageListener(this.#onWindowMessage);
    }

    this.#payload = payload;
    this.#timer = this.#env.setInterval(this.#tick, this.options.pingIntervalMs ?? 1000);
  }

  #payload: Promise<unknown> = Promise.resolve(null);

  /** Only `labyrinth:frame-ready` from our own frame's window counts; everything else is ignored. */
  #onWindowMessage = (e: MessageEvent): void => {
    const f = this.#iframe;
    if (!f || e.source !== f.contentWindow || this.#port) return;
    const d: unknown = e.data;
    if (typeof d !== 'object' || d === null || (d as { type?: unknown }).type !== 'labyrinth:frame-ready') return;
    void this.#connect(f);
  };

  async #connect(f: HTMLIFrameElement): Promise<void> {
    const win = f.contentWindow;
    if (!win) return;
    const channel = this.#env.createChannel();
    const port = channel.port1;
    this.#port = port;
    this.#lastPong = this.#now();
    port.onmessage = (e) => this.#onPortMessage(e.data);
    port.onmessageerror = () => {
      this.view.counters.rejected++;
      this.view.counters.byReason.bad_shape++;
    };
    // The frame's origin is opaque, so '*' is the only target that works; the port is the secret.
    win.postMessage({ type: 'labyrinth:connect', protocol: PROTOCOL_VERSION }, '*', [channel.port2]);
    this.#env.removeMessageListener(this.#onWindowMessage);

    let payload: unknown;
    try {
      payload = await this.#payload;
    } catch (e) {
      if (this.#port !== port) return;
      this.#fail('load_failed', `The card's saved data could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (this.#port !== port) return;
    this.#send({
      type: 'init',
      card: this.options.card,
      props: this.#props,
      payload: payload ?? null,
      themeTokens: {},
      bounds: this.#bounds,
      active: this.#active,
    });
  }

  #onPortMessage(data: unknown): void {
    const guard = this.#guard;
    if (!guard) return;
    const now = this.#now();
    const r = guard.check(data, now);
    if (!r.ok) return;
    this.#handle(r.message, now);
  }

  #handle(m: CardMessage, now: number): void {
    switch (m.type) {
      case 'ready':
        if (this.#readySeen) return;
        this.#readySeen = true;
        this.#lastPong = now;
        this.view.cardLoadMs = m.loadMs;
        const loadMs = Math.round((now - this.#startedAt) * 10) / 10;
        this.view.loadMs = loadMs;
        if (this.status !== 'error') this.view.status = 'ready';
        this.#report({ ok: true, loadMs });
        return;
      case 'error':
        this.#fail(m.code, m.message);
        return;
      case 'setPayload':
        this.options.onSetPayload(m.payload);
        return;
      case 'sizePreferenceChanged':
        // Recorded only: the person decides the window size, not the card.
        this.view.sizePreference = { width: m.width, height: m.height };
        return;
      case 'pong':
        if (m.seq > this.#seq) return; // cannot answer a ping we never sent
        this.#lastPong = now;
        if (this.status === 'unresponsive') this.view.status = this.#readySeen ? 'ready' : 'loading';
        return;
      case 'interactionEvent':
        return;
    }
  }

  #fail(code: string, message: string): void {
    this.view.status = 'error';
    this.view.error = { code, message };
    this.#report({ ok: false, loadMs: Math.round(this.#now() - this.#startedAt), error: `${code}: ${message}`.slice(0, 500) });
  }

  #report(r: CardLoadReport): void {
    if (this.#reported) return;
    this.#reported = true;
    this.options.onLoadReport?.(r);
  }

  #tick = (): void => {
    const now = this.#now();
    if (!this.#port) {
      if (now - this.#startedAt > (this.options.startTimeoutMs ?? 10_000) && this.status === 'loading') {
        this.view.status = 'unresponsive';
      }
      return;
    }
    this.#send({ type: 'ping', seq: ++this.#seq });
    if (now - this.#lastPong > (this.options.unresponsiveAfterMs ?? 5000) && this.status !== 'error') {
      this.view.status = 'unresponsive';
    }
  };

  #send(m: HostMessage): void {
    try {
      this.#port?.postMessage(m);
    } catch {
      // A closed port throws nowhere in Chromium, but props with exotic values might; ignore.
    }
  }

  setActive(active: boolean): void {
    if (active === this.#active) return;
    this.#active = active;
    this.#send({ type: 'setActive', active });
  }

  setBounds(bounds: Bounds): void {
    const b = { width: Math.round(bounds.width), height: Math.round(bounds.height) };
    if (b.width === this.#bounds.width && b.height === this.#bounds.height) return;
    this.#bounds = b;
    this.#send({ type: 'setBounds', bounds: b });
  }

  setProps(props: Record<string, unknown>): void {
    const key = JSON.stringify(props);
    if (key === this.#propsKey) return;
    this.#propsKey = key;
    this.#props = props;
    this.#send({ type: 'propsChanged', props });
  }

  /** Throws the frame away and starts a fresh one (the "Reload" button). */
  reload(): void {
    this.#teardown();
    this.#start();
  }

  /** Dismiss a runtime error banner and keep the card. */
  dismissError(): void {
    if (this.status === 'error' && this.#readySeen) {
      this.view.status = 'ready';
      this.view.error = null;
    }
  }

  destroy(): void {
    this.#teardown();
    this.#container = null;
    this.view.status = 'closed';
  }

  #teardown(): void {
    if (this.#timer !== null) this.#env.clearInterval(this.#timer);
    this.#timer = null;
    this.#env.removeMessageListener(this.#onWindowMessage);
    if (this.#port) {
      this.#port.onmessage = null;
      this.#port.close();
    }
    this.#port = null;
    this.#guard = null;
    this.#iframe?.remove();
    this.#iframe = null;
  }
}
