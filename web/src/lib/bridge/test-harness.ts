// Test-only: a CardBridge wired to fake DOM pieces, a fake clock and recording services.
import { vi } from 'vitest';
import { CardBridge, type BridgeEnv, type CardBridgeOptions } from './card-bridge';
import type { CardHostServices, ViolationReport } from './card-host';

export const flush = () => new Promise((r) => setTimeout(r, 15));

interface FakeFrame {
  attrs: Record<string, string>;
  title: string;
  className: string;
  src: string;
  contentWindow: { postMessage: ReturnType<typeof vi.fn> };
  removed: boolean;
  setAttribute(k: string, v: string): void;
  remove(): void;
}

export function harness(overrides: Partial<CardBridgeOptions> = {}) {
  let clock = 1000;
  let listener: ((e: MessageEvent) => void) | null = null;
  let tick: (() => void) | null = null;
  let timers: { fn: () => void; at: number; id: number }[] = [];
  let timerId = 0;
  const frames: FakeFrame[] = [];
  const ports: MessagePort[] = [];
  const env: BridgeEnv = {
    createFrame: () => {
      const f: FakeFrame = {
        attrs: {},
        title: '',
        className: '',
        src: '',
        contentWindow: { postMessage: vi.fn() },
        removed: false,
        setAttribute(k, v) {
          this.attrs[k] = v;
        },
        remove() {
          this.removed = true;
        },
      };
      frames.push(f);
      return f as unknown as HTMLIFrameElement;
    },
    addMessageListener: (fn) => (listener = fn),
    removeMessageListener: (fn) => {
      if (listener === fn) listener = null;
    },
    createChannel: () => {
      const c = new MessageChannel();
      ports.push(c.port1, c.port2);
      return c;
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
  };
  const onSetPayload = vi.fn();
  const onLoadReport = vi.fn();
  const options: CardBridgeOptions = {
    frameUrl: '/cards/frame/dev.x/1.0.0/hello',
    cardName: 'Hello',
    card: { instanceId: 'w_1', typeID: 'hello', pluginId: 'dev.x', version: '1.0.0' },
    props: { name: 'Ada' },
    bounds: { width: 320, height: 200 },
    active: true,
    loadPayload: async () => ({ count: 3 }),
    onSetPayload,
    onLoadReport,
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

  /** Plays the frame: says ready, takes the port, records what the host sends. */
  async function connect(): Promise<MessagePort> {
    listener?.({ source: frame().contentWindow, data: { type: 'labyrinth:frame-ready' } } as unknown as MessageEvent);
    const call = frame().contentWindow.postMessage.mock.calls[0]!;
    cardPort = (call[2] as MessagePort[])[0]!;
    cardPort.onmessage = (e) => received.push(e.data);
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
    received,
    connect,
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

