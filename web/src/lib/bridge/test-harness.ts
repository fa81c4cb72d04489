// Test-only: a CardBridge wired to fake DOM pieces, a fake clock and recording services.
import { vi } from 'vitest';
import { CardBridge, type BridgeEnv, type CardBridgeOptions } from './card-bridge';
import type { CardHostServices, ViolationReport } from './card-host';

export const flush = () => new Promise((r) => setTimeout(r, 15));

/** The card origin and frame URL the harness's card is published at. */
export const CARD_ORIGIN = 'http://abcdefghijklmnopqrst.cards.localhost:5080';
export const FRAME_URL = `${CARD_ORIGIN}/cap/tok_en-1/cards/frame/dev.x/1.0.0/hello`;

export interface FakeFrame {
  attrs: Record<string, string>;
  title: string;
  className: string;
  src: string;
  contentWindow: { postMessage: ReturnType<typeof vi.fn> };
  removed: boolean;
  focused: number;
  loadListeners: Set<() => void>;
  setAttribute(k: string, v: string): void;
  removeAttribute(k: string): void;
  addEventListener(type: string, fn: () => void): void;
  removeEventListener(type: string, fn: () => void): void;
  focus(): void;
  remove(): void;
  /** Plays the browser firing `load` on the iframe element. */
  load(): void;
}

/** A fake iframe element with the members the bridge, pool and watch use. */
export function fakeFrame(): FakeFrame {
  return {
    attrs: {},
    title: '',
    className: '',
    src: '',
    contentWindow: { postMessage: vi.fn() },
    removed: false,
    focused: 0,
    loadListeners: new Set(),
    setAttribute(k, v) {
      this.attrs[k] = v;
    },
    removeAttribute(k) {
      delete this.attrs[k];
    },
    addEventListener(type, fn) {
      if (type === 'load') this.loadListeners.add(fn);
    },
    removeEventListener(type, fn) {
      if (type === 'load') this.loadListeners.delete(fn);
    },
    focus() {
      this.focused++;
    },
    remove() {
      this.removed = true;
    },
    load() {
      for (const fn of [...this.loadListeners]) fn();
    },
  };
}

/**
 * A window message as the browser delivers it, whose `data` must never be read: reading it
 * (deserializing whatever the frame posted) counts in `dataReads`.
 */
export function hostileMessage(source: unknown, ports: MessagePort[] = [], counter = { dataReads: 0 }): MessageEvent {
  return {
    source,
    ports,
    get data() {
      counter.dataReads++;
      return { type: 'labyrinth:hello', protocol: 2 };
    },
  } as unknown as MessageEvent;
}

export function harness(overrides: Partial<CardBridgeOptions> = {}) {
  let clock = 1000;
  let listener: ((e: MessageEvent) => void) | null = null;
  let tick: (() => void) | null = null;
  let timers: { fn: () => void; at: number; id: number }[] = [];
  let timerId = 0;
  const frames: FakeFrame[] = [];
  const ports: MessagePort[] = [];
  const reads = { dataReads: 0 };
  const env: BridgeEnv = {
    createFrame: () => {
      const f = fakeFrame();
      frames.push(f);
      return f as unknown as HTMLIFrameElement;
    },
    addMessageListener: (fn) => (listener = fn),
    removeMessageListener: (fn) => {
      if (listener === fn) listener = null;
    },
    setInterval: (fn) => (tick = fn),
    clearInterval: () => (tick = null),
    setTimeout: (fn, ms) => {
      timers.push({ fn, at: clock + ms, id: ++timerId });
      return timerId;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  const reports: ViolationReport[] = [];
  let granted: string[] = [];
  const services: CardHostServices = {
    requestAsset: vi.fn<CardHostServices['requestAsset']>(() => new Promise(() => {})),
    readAsset: vi.fn<CardHostServices['readAsset']>(() => new Promise(() => {})),
    requestNetwork: vi.fn<CardHostServices['requestNetwork']>(() => new Promise(() => {})),
    granted: () => granted,
    reportViolations: (r) => reports.push(r),
    saveSnapshot: vi.fn(async () => {}),
    storage: vi.fn<CardHostServices['storage']>(() => Promise.resolve(null)),
  };
  const onSetPayload = vi.fn();
  const onLoadReport = vi.fn();
  const onCardError = vi.fn();
  const options: CardBridgeOptions = {
    frameUrl: FRAME_URL,
    frameOrigin: CARD_ORIGIN,
    cardName: 'Hello',
    card: { instanceId: 'w_1', typeID: 'hello', pluginId: 'dev.x', version: '1.0.0' },
    props: { name: 'Ada' },
    bounds: { width: 320, height: 200 },
    active: true,
    loadPayload: async () => ({ count: 3 }),
    onSetPayload,
    onLoadReport,
    onCardError,
    now: () => clock,
    services,
    ...overrides,
  };
  const bridge = new CardBridge(options, env);
  const container = { appendChild: vi.fn() } as unknown as HTMLElement;
  bridge.mount(container);
  const frame = () => frames[frames.length - 1]!;
  const received: unknown[] = [];
  let cardPort: MessagePort | null = null;

  /** A fresh channel whose host end the frame's bootstrap would offer; the card keeps `card`. */
  function channel(): { card: MessagePort; offered: MessagePort } {
    const c = new MessageChannel();
    ports.push(c.port1, c.port2);
    return { card: c.port1, offered: c.port2 };
  }

  /** Plays the frame's bootstrap: offers a port in its hello, then the document loads; records what the host sends. */
  async function connect(): Promise<MessagePort> {
    const c = channel();
    cardPort = c.card;
    cardPort.onmessage = (e) => received.push(e.data);
    listener?.(hostileMessage(frame().contentWindow, [c.offered], reads));
    frame().load();
    // Wait for init (a loaded machine can take longer than one flush); give up after 2 s.
    for (let i = 0; i < 130 && !received.some((m) => (m as { type: string }).type === 'init'); i++) await flush();
    return cardPort;
  }

  return {
    bridge,
    env,
    services,
    reports,
    setGranted: (g: string[]) => (granted = g),
    /** Messages of `type` the card received so far. */
    got: (type: string) => received.filter((m) => (m as { type: string }).type === type) as Record<string, unknown>[],
    frames,
    frame,
    container,
    onSetPayload,
    onLoadReport,
    onCardError,
    received,
    connect,
    channel,
    /** How often anything read the `data` of a window message the frame posted. */
    dataReads: () => reads.dataReads,
    /** Plays the frame posting a window message (never read) with these ports. */
    post: (source: unknown, transfer: MessagePort[] = []) => listener?.(hostileMessage(source, transfer, reads)),
    windowMessage: (e: Partial<MessageEvent>) => listener?.(e as MessageEvent),
    hasListener: () => listener !== null,
    tick: () => tick?.(),
    advance: (ms: number) => (clock += ms),
    /** Advances the clock and fires the bridge's timeouts that are due. */
    elapse: (ms: number) => {
      clock += ms;
      const due = timers.filter((t) => t.at <= clock);
      timers = timers.filter((t) => t.at > clock);
      for (const t of due) t.fn();
    },
    cleanup: () => {
      bridge.destroy();
      for (const p of ports) p.close();
    },
  };
}

