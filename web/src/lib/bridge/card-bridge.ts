import type { ActivateReason, DeactivateReason, JsonObject, JsonValue } from '../../../../sdk/src/types.ts';
import type { SelectionSnapshot } from '../ink/types';
import { cardThemeTokens, onCardThemeChange } from '../themes/card-theme';
import { BridgeError, denyAllServices, toWireError, type AssetHandle, type AssetType, type CardHostServices, type CardTopics, type ViolationReason } from './card-host';
import type { FramePool } from './frame-pool';
import type { BridgeTrace } from './trace.svelte';
import { FrameWatch, isSafeFrameUrl, prepareCardFrame } from './frames';
import { emptyCounters, MessageGuard } from './guard';
import { bridgeLimits, cardLimits, type BridgeLimits } from './limits';
import { BusRequestError } from '../bus/workspace-bus';
import { ApiCallError } from '../bus/types';
import { PUBSUB_CAPABILITY, type BusAttachment, type BusGate, type IncomingApiCall } from '../bus/types';
import {
  PROTOCOL_VERSION, type Bounds, type BridgeCounters, type BridgeStatus, type CardIdentity, type CardMessage, type HostMessage,
  type RejectReason, type ResponseError,
} from './types';

// What the page forwards to a card came out of JSON (the server's answers, card messages the
// validator rebuilt from JSON), so it is JSON; these say so to the SDK's protocol types.
const json = (v: unknown): JsonValue => v as JsonValue;
const jsonObject = (v: Record<string, unknown>): JsonObject => v as JsonObject;

/** Timeouts of requests that do not wait for a person (docs/api.md "Bridge protocol additions"). */
export const READ_ASSET_TIMEOUT_MS = 30_000;
export const SUBSCRIBE_TIMEOUT_MS = 5_000;
/** Requests a card may have open at once; more are answered `rate_limited`. */
export const MAX_PENDING_REQUESTS = 64;
/** A closing card's snapshot: decoded bytes at most, and how long the host waits for it. */
export const SNAPSHOT_TIMEOUT_MS = 1500;
export const VIOLATION_REPORT_INTERVAL_MS = 2000;
/** Focus thefts the host page itself caught (the card went around the bootstrap's guard) before the card is suspended. */
export const FOCUS_THEFTS_BEFORE_SUSPENSION = 3;

export interface CardLoadReport {
  ok: boolean;
  loadMs: number;
  error?: string;
}

export interface CardBridgeOptions {
  /** Rates and sizes for this card; the server's published limits when omitted. */
  limits?: BridgeLimits;
  frameUrl: string;
  /** The card origin the server published for this plugin version; the frame URL must be on it. */
  frameOrigin: string;
  cardName: string;
  card: CardIdentity;
  props: Record<string, unknown>;
  bounds: Bounds;
  active: boolean;
  /** The card's stored payload, fetched while the frame boots. */
  loadPayload: () => Promise<unknown>;
  onSetPayload: (payload: unknown) => void;
  onLoadReport?: (r: CardLoadReport) => void;
  /** The card raised an error after its load was reported (the first one per load): rollout figures count it. */
  onCardError?: () => void;
  now?: () => number;
  pingIntervalMs?: number;
  /** No pong for this long → "Not responding". */
  unresponsiveAfterMs?: number;
  /** No port offered (the bootstrap's hello) for this long → "Not responding". */
  startTimeoutMs?: number;
  /** Warm frames; when it holds one for this frame URL the card skips the frame's cold start. */
  pool?: FramePool | null;
  /**
   * What the board UI does for this card (pickers, consent, HTTP). Without it every request is
   * refused: a card that only uses the base protocol still works.
   */
  services?: CardHostServices;
  /** Tokens for `init.themeTokens`; defaults to the theme seam (`themes/card-theme.ts`), which the bridge also follows. */
  themeTokens?: () => Record<string, string>;
  /** Capabilities the card's manifest requests (`CardTypeDto.capabilities`). */
  capabilities?: readonly string[];
  /** Topics the card's manifest declares (`CardTypeDto.topics`). */
  topics?: CardTopics;
  /** This tab's workspace bus for this card; without it bus requests answer `not_granted` and publishes are dropped. */
  bus?: BusGate | null;
  /**
   * A background service instead of a card (docs/api.md "Background services"): the frame gets
   * `initService` instead of `init`, the bus member answers `apiCall`s, runtime errors go to the
   * plugin's log, and `deactivate` ends it.
   */
  service?: { serviceId: string; reason: ActivateReason };
  /** `call(pluginId, method, input)` from the frame; without it calls answer `not_supported`. */
  apiCall?: (req: { pluginId: string; method: string; input: unknown; timeoutMs: number | null }, bus: BusAttachment | null) => Promise<unknown>;
  /** The frame said `ready`; `joined` resolves whether the host accepted its bus member. */
  onReady?: (joined: (timeoutMs: number) => Promise<boolean>) => void;
  /** `exportRequested` from the card (recorded only). */
  onExportRequested?: (kind: string, data: unknown) => void;
  /** The developer overlay's record of this card's traffic; none for people who cannot open it. */
  trace?: BridgeTrace | null;
  /** The person pressed Escape in the card (the card did not handle it): give focus back to the host. */
  onFocusLeave?: () => void;
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
  /** Set when the card was suspended for sending too many invalid messages; Reload clears it. */
  suspended: { reason: string } | null;
}

export function initialView(): BridgeView {
  return {
    status: 'loading', error: null, loadMs: null, cardLoadMs: null, sizePreference: null, counters: emptyCounters(), loads: 0,
    warm: false, suspended: null,
  };
}

/** The DOM pieces the bridge touches, injectable so the handshake is testable without a browser. */
export interface BridgeEnv {
  createFrame(): HTMLIFrameElement;
  addMessageListener(fn: (e: MessageEvent) => void): void;
  removeMessageListener(fn: (e: MessageEvent) => void): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  /** Request timeouts and report batching; the global timers when absent. */
  setTimeout?(fn: () => void, ms: number): unknown;
  clearTimeout?(handle: unknown): void;
}

export const domEnv: BridgeEnv = {
  createFrame: () => document.createElement('iframe'),
  addMessageListener: (fn) => window.addEventListener('message', fn),
  removeMessageListener: (fn) => window.removeEventListener('message', fn),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A card request waiting for its one `response`. */
interface Pending {
  /** The capability it uses: a revoke of it answers `revoked`. `fileRegistry:*` = an asset of unknown type. */
  capability: string | null;
  controller: AbortController;
  timer: unknown;
}

const plural = (counts: Partial<Record<RejectReason, number>>) =>
  Object.entries(counts)
    .filter(([, n]) => (n ?? 0) > 0)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([r, n]) => `${r} ×${n}`)
    .join(', ');

/**
 * Host side of one card frame: creates the sandboxed iframe on its plugin version's card origin,
 * takes the MessagePort the frame's bootstrap offers (reading nothing else the frame posts),
 * validates everything the card sends, answers each request exactly once, mediates pub/sub, and
 * watches the card with pings. A card that keeps sending invalid messages, navigates its frame or
 * keeps taking keyboard focus is suspended: its frame is removed until the person reloads it.
 */
export class CardBridge {
  readonly view: BridgeView;
  readonly options: CardBridgeOptions;
  readonly #env: BridgeEnv;
  readonly #services: CardHostServices;
  #container: HTMLElement | null = null;
  #iframe: HTMLIFrameElement | null = null;
  #watch: FrameWatch | null = null;
  #port: MessagePort | null = null;
  /** The refusal code of the response being sent (for the trace). */
  #refusing: string | null = null;
  #focusAllowed = false;
  #focusThefts = 0;
  #guard: MessageGuard | null = null;
  #timer: unknown = null;
  #startedAt = 0;
  #lastPong = 0;
  #seq = 0;
  #readySeen = false;
  /** This load took a frame the pool had started. */
  #pooled = false;
  #reported = false;
  #errorReported = false;
  #props: Record<string, unknown>;
  #propsKey: string;
  #bounds: Bounds;
  #active: boolean;
  #themeKey = '';
  #unfollowTheme: (() => void) | null = null;
  #granted: string[] = [];
  readonly #pending = new Map<string, Pending>();
  /** Asset type of each token this card was handed, so a revoke of `fileRegistry:<t>` finds its reads. */
  readonly #tokenTypes = new Map<string, AssetType>();
  #bus: BusAttachment | null = null;
  #snapshots = new Map<string, (dataUrl: string | null) => void>();
  #snapshotSeq = 0;
  #unreported: Partial<Record<ViolationReason, number>> = {};
  #reportTimer: unknown = null;
  #lastReport = -Infinity;

  constructor(options: CardBridgeOptions, env: BridgeEnv = domEnv, view: BridgeView = initialView()) {
    this.options = options;
    this.#env = env;
    this.#services = options.services ?? denyAllServices;
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

  /** Ids of requests still waiting for their response (for tests and the metadata window). */
  get pendingRequests(): number {
    return this.#pending.size;
  }

  #now(): number {
    return this.options.now?.() ?? performance.now();
  }

  #setTimeout(fn: () => void, ms: number): unknown {
    return this.#env.setTimeout ? this.#env.setTimeout(fn, ms) : setTimeout(fn, ms);
  }

  #clearTimeout(h: unknown): void {
    if (h === null || h === undefined) return;
    if (this.#env.clearTimeout) this.#env.clearTimeout(h);
    else clearTimeout(h as ReturnType<typeof setTimeout>);
  }

  mount(container: HTMLElement): void {
    this.#container = container;
    if (!this.options.themeTokens) this.#unfollowTheme ??= onCardThemeChange((t) => this.setTheme(t));
    this.#start();
  }

  #start(): void {
    const container = this.#container;
    if (!container) return;
    this.view.status = 'loading';
    this.view.error = null;
    this.view.suspended = null;
    this.#readySeen = false;
    this.#reported = false;
    this.#errorReported = false;
    this.view.loadMs = null;
    this.view.cardLoadMs = null;
    this.view.loads++;
    this.#focusThefts = 0;

    const { frameUrl, frameOrigin, cardName } = this.options;
    if (!isSafeFrameUrl(frameUrl, frameOrigin)) {
      this.#fail('load_failed', `Refusing to load a card from ${frameUrl}: cards load only from the card origin this server published for them.`);
      return;
    }

    this.#startedAt = this.#now();
    const limits = this.#limits();
    this.#guard = new MessageGuard(this.#startedAt, this.view.counters, limits.messagesPerSecond, limits.burst);
    const payload = this.options.loadPayload();
    payload.catch(() => {}); // handled in #connect; avoid an unhandled rejection meanwhile

    const pooled = this.options.pool?.take(frameUrl, frameOrigin) ?? null;
    let f: HTMLIFrameElement;
    let watch: FrameWatch;
    this.#pooled = pooled !== null;
    if (pooled) {
      f = pooled.iframe;
      watch = pooled.watch;
    } else {
      f = this.#env.createFrame();
      // Watching starts before the frame has a URL, so its first load and hello are seen.
      watch = new FrameWatch(f, this.#env);
      prepareCardFrame(f, frameUrl);
    }
    f.title = `${cardName} card`;
    this.#iframe = f;
    this.#watch = watch;
    this.view.warm = pooled !== null;
    // #connect awaits #payload at once: a warm frame whose port is in already connects
    // synchronously below, so the payload must be in place first or `init` would carry null.
    this.#payload = payload;
    watch.onPort = (port) => void this.#connect(port);
    watch.onNavigated = (why) => this.#navigated(why);
    watch.onStrayMessage = () => {
      // After connect the card must use its port: window messages are counted, never read.
      this.#guard?.reject('parent_message', this.#now());
      this.#queueReport('parent_message');
    };
    this.#applyTabStop(f);
    if (pooled) {
      // moveBefore keeps the running frame; appendChild would reload it from scratch.
      (container as HTMLElement & { moveBefore(node: Node, child: Node | null): void }).moveBefore(f, null);
      if (watch.port) void this.#connect(watch.port);
    } else {
      container.appendChild(f);
    }

    this.#timer = this.#env.setInterval(this.#tick, this.options.pingIntervalMs ?? 1000);
  }

  #payload: Promise<unknown> = Promise.resolve(null);

  async #connect(port: MessagePort): Promise<void> {
    if (this.#port) return;
    this.#port = port;
    this.#lastPong = this.#now();
    port.onmessage = (e) => this.#onPortMessage(e.data);
    port.onmessageerror = () => this.#rejected('bad_shape', this.#now());
    this.#register();
    if (this.#focusAllowed) this.#send({ type: 'setFocusAllowed', allowed: true });

    let payload: unknown;
    try {
      payload = await this.#payload;
    } catch (e) {
      if (this.#port !== port) return;
      this.#fail('load_failed', `The card's saved data could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (this.#port !== port) return;
    const themeTokens = { ...(this.options.themeTokens ?? cardThemeTokens)() };
    this.#themeKey = JSON.stringify(themeTokens);
    this.#granted = [...this.#services.granted()];
    if (this.options.service) {
      const { card } = this.options;
      this.#send({
        type: 'initService',
        service: { pluginId: card.pluginId, version: card.version, serviceId: this.options.service.serviceId },
        reason: this.options.service.reason,
        grantedCapabilities: [...this.#granted],
      });
      return;
    }
    this.#send({
      type: 'init',
      card: this.options.card,
      props: jsonObject(this.#props),
      payload: json(payload ?? null),
      themeTokens,
      bounds: this.#bounds,
      active: this.#active,
      grantedCapabilities: [...this.#granted],
      limits: cardLimits(this.#limits()),
    });
  }

  /** The frame left the document we loaded: whoever is there now gets nothing, and the card stops. */
  #navigated(why: string): void {
    if (this.status === 'suspended' || this.status === 'closed') return;
    this.#guard?.reject('navigated', this.#now());
    this.#queueReport('navigated');
    this.#suspend('navigated', `Stopped: ${why}.`);
  }

  #register(): void {
    const gate = this.options.bus;
    if (!gate || this.#bus) return;
    this.#bus = gate.attach({
      pluginId: this.options.card.pluginId,
      typeID: this.options.card.typeID,
      topics: this.options.topics ?? {},
      granted: () => this.#services.granted().includes(PUBSUB_CAPABILITY),
      deliver: (d) => this.#send({ type: 'event', ...d, payload: json(d.payload) }),
      ...(this.options.service ? { onApiCall: (c: IncomingApiCall) => this.#send({ type: 'apiCall', cid: c.cid, method: c.method, input: json(c.input), caller: c.caller }) } : {}),
    });
  }

  #onPortMessage(data: unknown): void {
    const guard = this.#guard;
    if (!guard) return;
    const now = this.#now();
    const r = guard.check(data, now);
    this.options.trace?.record('in', data, now, r.ok ? null : r.reason);
    if (!r.ok) {
      this.#afterReject(r.reason, now);
      return;
    }
    this.#handle(r.message, now);
  }

  #rejected(reason: RejectReason, now: number): void {
    if (!this.#guard) return;
    this.options.trace?.record('in', null, now, reason);
    this.#guard.reject(reason, now);
    this.#afterReject(reason, now);
  }

  #afterReject(reason: RejectReason, now: number): void {
    this.#queueReport(reason);
    if (this.#guard?.shouldSuspend(now)) this.#suspend();
  }

  #handle(m: CardMessage, now: number): void {
    switch (m.type) {
      case 'ready': {
        if (this.#readySeen) return;
        this.#readySeen = true;
        this.#lastPong = now;
        this.view.cardLoadMs = m.loadMs;
        const loadMs = Math.round((now - this.#startedAt) * 10) / 10;
        this.view.loadMs = loadMs;
        if (this.status !== 'error') this.view.status = 'ready';
        this.#report({ ok: true, loadMs });
        performance.mark?.('labyrinth:card-ready', { detail: { frameUrl: this.options.frameUrl.split('?')[0], loadMs, cardLoadMs: m.loadMs, pooled: this.#pooled } });
        this.options.onReady?.((ms) => this.#bus?.joined(ms) ?? Promise.resolve(false));
        return;
      }
      case 'error':
        // A service's stray exception is logged; only failing to load or activate is a crash.
        if (this.options.service && m.code === 'runtime') {
          this.#bus?.log('error', m.message);
          return;
        }
        this.#fail(m.code, m.message);
        return;
      case 'log':
        this.#bus?.log(m.level, m.message);
        return;
      case 'apiAnswer':
        if (this.options.service) this.#bus?.answer(m.cid, m.ok ? { ok: true, result: m.result } : { ok: false, message: m.message });
        return;
      case 'deactivated':
        this.#deactivated?.();
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
      case 'exportRequested':
        this.options.onExportRequested?.(m.kind, m.data);
        return;
      case 'publish':
        // Dropped unless declared, granted and within rate (counted, reported): publishing is an event.
        this.#bus?.publish(m.topic, m.payload, m.payloadBytes, m.target, now);
        return;
      case 'unsubscribe':
        this.#bus?.unsubscribe(m.sub);
        return;
      case 'reply':
        this.#bus?.reply(m.rid, m.ok ? { ok: true, result: m.result, bytes: m.resultBytes } : { ok: false, message: m.message });
        return;
      case 'snapshot': {
        const settle = this.#snapshots.get(m.id);
        if (!settle) return;
        this.#snapshots.delete(m.id);
        settle(base64Bytes(m.dataUrl) <= this.#limits().maxSnapshotBytes ? m.dataUrl : null);
        return;
      }
      case 'cancelRequest':
        this.#finish(m.id, { ok: false, error: { code: 'cancelled', message: 'The card cancelled the request.' } });
        return;
      case 'focusBlocked':
        // The bootstrap kept the card from taking focus it was not given.
        this.#rejected('focus_steal', now);
        return;
      case 'focusLeave':
        if (this.#focusAllowed) this.options.onFocusLeave?.();
        return;
    }
    // Requests: an id may be pending once; reusing it would make "exactly one response" ambiguous.
    if (this.#pending.has(m.id)) {
      this.#rejected('bad_shape', now);
      return;
    }
    if (this.#pending.size >= MAX_PENDING_REQUESTS) {
      this.#answer(m.id, { ok: false, error: toWireError(new BridgeError('rate_limited', 'Too many requests are open at once.'), 'rate_limited') });
      return;
    }
    switch (m.type) {
      case 'requestAsset': {
        const capability = `fileRegistry:${m.assetType}`;
        if (!this.#requests(capability)) return this.#refuse(m.id, 'not_requested');
        const p = this.#open(m.id, capability, null);
        this.#services.requestAsset(m.assetType, p.signal).then(
          (h) => {
            if (!this.#pending.has(m.id)) return;
            this.#tokenTypes.set(h.token, m.assetType);
            this.#finish(m.id, { ok: true, result: { token: String(h.token), name: String(h.name), mediaType: String(h.mediaType), bytes: Number(h.bytes) } });
          },
          (e: unknown) => this.#finish(m.id, { ok: false, error: toWireError(e, 'cancelled') }),
        );
        return;
      }
      case 'readAsset': {
        const type = this.#tokenTypes.get(m.token);
        const p = this.#open(m.id, type ? `fileRegistry:${type}` : 'fileRegistry:*', READ_ASSET_TIMEOUT_MS);
        this.#services.readAsset(m.token, p.signal).then(
          (c) => {
            const data = c.data;
            if (!(data instanceof ArrayBuffer)) return this.#finish(m.id, { ok: false, error: toWireError(null, 'token_invalid') });
            this.#finish(m.id, { ok: true, result: { mediaType: String(c.mediaType), name: String(c.name), data } }, [data]);
          },
          (e: unknown) => this.#finish(m.id, { ok: false, error: toWireError(e, 'token_invalid') }),
        );
        return;
      }
      case 'subscribe': {
        const bus = this.#bus;
        if (!bus) return this.#refuse(m.id, 'not_granted');
        this.#open(m.id, PUBSUB_CAPABILITY, SUBSCRIBE_TIMEOUT_MS);
        void bus.subscribe(m.sub, m.topic, { priority: m.priority, once: m.once, from: m.from, responds: m.responds }).then((r) =>
          this.#finish(m.id, r.ok ? { ok: true, result: { topic: m.topic } } : { ok: false, error: toWireError(new BridgeError(r.code), r.code) }));
        return;
      }
      case 'request': {
        const bus = this.#bus;
        if (!bus) return this.#refuse(m.id, 'not_granted');
        // The bus owns the deadline (bus.timeout); a revoke still ends it at once with `revoked`.
        this.#open(m.id, PUBSUB_CAPABILITY, null);
        bus.request(m.topic, m.payload, m.payloadBytes, m.target, m.timeoutMs, now).then(
          (result) => this.#finish(m.id, { ok: true, result }),
          (e: unknown) => this.#finish(m.id, { ok: false, error: e instanceof BusRequestError ? { code: e.code, message: e.message } : toWireError(e, 'not_granted') }),
        );
        return;
      }
      case 'history': {
        const bus = this.#bus;
        if (!bus) return this.#refuse(m.id, 'not_granted');
        this.#open(m.id, PUBSUB_CAPABILITY, SUBSCRIBE_TIMEOUT_MS);
        bus.history(m.topic, m.limit).then(
          (messages) => this.#finish(m.id, { ok: true, result: { messages } }),
          (e: unknown) => this.#finish(m.id, { ok: false, error: toWireError(e, 'not_granted') }),
        );
        return;
      }
      case 'requestNetwork': {
        const capability = `network:${m.service}`;
        if (!this.#requests(capability)) return this.#refuse(m.id, 'not_requested');
        const p = this.#open(m.id, capability, null);
        const stream = m.request.stream === true;
        this.#services
          .requestNetwork(m.service, m.request, (data) => {
            if (stream && this.#pending.has(m.id) && typeof data === 'string') this.#send({ type: 'networkChunk', id: m.id, data });
          }, p.signal)
          .then(
            (res) => {
              const head = { status: Number(res.status), headers: { ...res.headers } };
              this.#finish(m.id, { ok: true, result: stream ? { ...head, bytes: Number(res.bytes ?? 0) } : { ...head, body: String(res.body ?? '') } });
            },
            (e: unknown) => this.#finish(m.id, { ok: false, error: toWireError(e, 'upstream_failed') }),
          );
        return;
      }
      case 'call': {
        const apiCall = this.options.apiCall;
        if (!apiCall) return this.#refuse(m.id, 'not_supported', 'Plugin APIs are not available here.');
        // The host owns the deadline (api.timeout); a revoke of api:<id> still ends it at once with `revoked`.
        this.#open(m.id, `api:${m.pluginId}`, null);
        apiCall({ pluginId: m.pluginId, method: m.method, input: m.input, timeoutMs: m.timeoutMs }, this.#bus).then(
          (result) => this.#finish(m.id, { ok: true, result }),
          (e: unknown) => this.#finish(m.id, {
            ok: false,
            error: e instanceof ApiCallError
              ? { code: e.code, message: e.message, ...(e.problems.length ? { problems: [...e.problems] } : {}) }
              : { code: 'api.provider_failed', message: e instanceof Error ? e.message : String(e) },
          }),
        );
        return;
      }
    }
  }

  #requests(capability: string): boolean {
    return (this.options.capabilities ?? []).includes(capability);
  }

  #refuse(id: string, code: ConstructorParameters<typeof BridgeError>[0], message?: string): void {
    this.#refusing = code;
    try {
      this.#answer(id, { ok: false, error: toWireError(new BridgeError(code, message), code) });
    } finally {
      this.#refusing = null;
    }
  }

  /** Registers a pending request; `timeoutMs` null = it waits for a person or the service's own timeout. */
  #open(id: string, capability: string | null, timeoutMs: number | null): AbortController {
    const controller = new AbortController();
    const timer = timeoutMs === null ? null : this.#setTimeout(() => this.#finish(id, { ok: false, error: toWireError(new BridgeError('timeout'), 'timeout') }), timeoutMs);
    this.#pending.set(id, { capability, controller, timer });
    return controller;
  }

  /** Sends the one response of a pending request; later outcomes of the same id are dropped. */
  #finish(id: string, outcome: { ok: true; result: unknown } | { ok: false; error: ResponseError }, transfer?: Transferable[]): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    this.#clearTimeout(p.timer);
    if (!outcome.ok) p.controller.abort();
    this.#answer(id, outcome, transfer);
  }

  #limits(): Readonly<BridgeLimits> {
    return this.options.limits ?? bridgeLimits();
  }

  #answer(id: string, outcome: { ok: true; result: unknown } | { ok: false; error: ResponseError }, transfer?: Transferable[]): void {
    this.#send(outcome.ok ? { type: 'response', id, ok: true, result: json(outcome.result) } : { type: 'response', id, ok: false, error: outcome.error }, transfer);
  }

  /** Ends every pending request with `code` (close → cancelled, suspension → suspended). */
  #failAll(code: 'cancelled' | 'suspended'): void {
    for (const id of [...this.#pending.keys()]) this.#finish(id, { ok: false, error: toWireError(new BridgeError(code), code) });
    for (const settle of this.#snapshots.values()) settle(null);
    this.#snapshots.clear();
  }

  #queueReport(reason: ViolationReason): void {
    this.#unreported[reason] = (this.#unreported[reason] ?? 0) + 1;
    if (this.#reportTimer !== null) return;
    const delay = Math.max(0, this.#lastReport + VIOLATION_REPORT_INTERVAL_MS - this.#now());
    this.#reportTimer = this.#setTimeout(() => this.#flushReports(false), delay);
  }

  #flushReports(suspended: boolean, detail?: string, suspendedFor?: ViolationReason): void {
    this.#clearTimeout(this.#reportTimer);
    this.#reportTimer = null;
    const counts = this.#unreported;
    this.#unreported = {};
    const reasons = (Object.keys(counts) as ViolationReason[]).filter((r) => (counts[r] ?? 0) > 0);
    if (suspended) {
      // The suspension report names its reason even if it was already reported.
      const top = suspendedFor ?? (Object.entries(this.view.counters.byReason) as [ViolationReason, number][])
        .filter(([r]) => r !== 'parent_message')
        .sort((a, b) => b[1] - a[1])[0]![0];
      if (!reasons.includes(top)) reasons.push(top);
      reasons.sort((a, b) => (a === top ? 1 : b === top ? -1 : 0));
    }
    if (reasons.length === 0) return;
    this.#lastReport = this.#now();
    reasons.forEach((reason, i) => {
      const last = suspended && i === reasons.length - 1;
      try {
        this.#services.reportViolations(last ? { reason, count: counts[reason] ?? 0, suspended: true, detail } : { reason, count: counts[reason] ?? 0, suspended: false });
      } catch {
        // Reporting is best effort.
      }
    });
  }

  /** Removes the frame until the person reloads it; `why` replaces the "too many invalid messages" sentence. */
  #suspend(reason?: ViolationReason, why?: string): void {
    if (this.status === 'suspended') return;
    const { parent_message: _ignored, ...counted } = this.view.counters.byReason;
    const detail = plural(counted);
    this.#flushReports(true, why ? `${why} (${detail})` : detail, reason);
    this.#teardown('suspended');
    this.view.status = 'suspended';
    this.view.suspended = { reason: why ?? `Suspended: this card sent too many invalid messages (${detail}).` };
  }

  /**
   * The person entered the card (it may take keyboard focus) or left it. The bootstrap blocks
   * `focus()` until then; the board keeps the frame behind a shield meanwhile.
   */
  setFocusAllowed(allowed: boolean): void {
    if (allowed === this.#focusAllowed) return;
    this.#focusAllowed = allowed;
    if (this.#iframe) this.#applyTabStop(this.#iframe);
    this.#send({ type: 'setFocusAllowed', allowed });
  }

  /**
   * A frame the person has not entered is out of the tab order (Chromium then skips its whole
   * document), so Tab reaches the card's shield instead of a frame the host would have to pull
   * focus back from; an entered card's controls are in the tab order like the page's.
   */
  #applyTabStop(f: HTMLIFrameElement): void {
    if (this.#focusAllowed) f.removeAttribute('tabindex');
    else f.setAttribute('tabindex', '-1');
  }

  get focusAllowed(): boolean {
    return this.#focusAllowed;
  }

  /**
   * The host page caught this card's frame holding keyboard focus it was not given (the card went
   * around the bootstrap; the page has already taken focus back). Counted as `focus_steal`; the
   * {@link FOCUS_THEFTS_BEFORE_SUSPENSION}th suspends the card, since keystrokes in flight are at risk.
   */
  focusStolen(): void {
    if (!this.#guard || this.status === 'suspended') return;
    this.#rejected('focus_steal', this.#now());
    if (++this.#focusThefts >= FOCUS_THEFTS_BEFORE_SUSPENSION) {
      this.#suspend('focus_steal', 'Suspended: this card kept taking keyboard focus without being clicked.');
    }
  }

  #deactivated: (() => void) | null = null;

  /** A service frame: asks it to run `onDeactivate`, then removes it once it answers or after `graceMs`. */
  deactivate(reason: DeactivateReason, graceMs: number): void {
    if (!this.#port || this.#deactivated) {
      if (!this.#deactivated) this.destroy();
      return;
    }
    const finish = () => {
      if (this.#deactivated !== finish) return;
      this.#deactivated = null;
      this.destroy();
    };
    this.#deactivated = finish;
    this.#setTimeout(finish, graceMs);
    this.#send({ type: 'deactivate', reason });
  }

  #fail(code: string, message: string): void {
    this.view.status = 'error';
    this.view.error = { code, message };
    this.#report({ ok: false, loadMs: Math.round(this.#now() - this.#startedAt), error: `${code}: ${message}`.slice(0, 500) });
  }

  #report(r: CardLoadReport): void {
    if (this.#reported) {
      if (!r.ok && !this.#errorReported) {
        this.#errorReported = true;
        this.options.onCardError?.();
      }
      return;
    }
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

  #send(m: HostMessage, transfer?: Transferable[]): void {
    // Only a started bridge talks to the card (before that there is no port to record against).
    if (this.#port) this.options.trace?.record('out', m, this.#now(), this.#refusing);
    try {
      if (transfer && transfer.length > 0) this.#port?.postMessage(m, transfer);
      else this.#port?.postMessage(m);
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
    this.#send({ type: 'propsChanged', props: jsonObject(props) });
  }

  /** Pushes new theme tokens (`themeChanged`); unchanged tokens send nothing. */
  setTheme(tokens: Readonly<Record<string, string>>): void {
    const copy = { ...tokens };
    const key = JSON.stringify(copy);
    if (key === this.#themeKey) return;
    this.#themeKey = key;
    this.#send({ type: 'themeChanged', themeTokens: copy });
  }

  /**
   * The card's granted capabilities changed (grant, revoke, revoke all). Tells the card
   * (`grantsChanged`) and, for every capability no longer granted, answers its pending requests
   * `revoked` at once (aborting the service call) and drops its subscriptions.
   */
  grantsChanged(capabilities: readonly string[]): void {
    const next = [...capabilities];
    const revoked = this.#granted.filter((c) => !next.includes(c));
    this.#granted = next;
    if (revoked.length > 0) {
      const fileRevoked = revoked.some((c) => c.startsWith('fileRegistry:'));
      for (const [id, p] of [...this.#pending]) {
        const hit = p.capability !== null && (revoked.includes(p.capability) || (p.capability === 'fileRegistry:*' && fileRevoked));
        if (hit) this.#finish(id, { ok: false, error: toWireError(new BridgeError('revoked'), 'revoked') });
      }
      for (const [token, type] of [...this.#tokenTypes]) if (revoked.includes(`fileRegistry:${type}`)) this.#tokenTypes.delete(token);
      if (revoked.includes(PUBSUB_CAPABILITY)) this.#bus?.unsubscribeAll();
    }
    this.#send({ type: 'grantsChanged', capabilities: [...next] });
  }

  /**
   * Hands the card an asset the person dropped on it (`pushAsset`, CSC §7); the token is already
   * granted server-side. A no-op unless the card is connected: a frame that is loading, gone or
   * suspended has no listener, and queueing a grant for a later frame would surprise the person.
   */
  pushAsset(handle: AssetHandle): void {
    if (!this.#port || !this.#readySeen || this.status === 'suspended') return;
    // Plain copy of the four fields: the handle comes from a fetch and may carry more.
    this.#send({
      type: 'pushAsset',
      asset: { token: String(handle.token), name: String(handle.name), mediaType: String(handle.mediaType), bytes: Number(handle.bytes) },
    });
  }

  /**
   * Gives the card the ink selection the person chose to share (`pushSelectionSnapshot`, CSC §6.1 /
   * §13.1), or tells it that share was revoked (`selectionRevoked`). Like `pushAsset`, only to a
   * connected card that sent `ready`; returns whether it was sent. The PNG goes as a transferred
   * copy, and only the snapshot's own fields are sent.
   */
  pushSelection(update: { selection: SelectionSnapshot } | { revoked: string }): boolean {
    if (!this.#port || !this.#readySeen || this.status === 'suspended') return false;
    if ('revoked' in update) {
      this.#send({ type: 'selectionRevoked', id: String(update.revoked) });
      return true;
    }
    const s = update.selection;
    const data = s.image.data.slice(0);
    const selection: SelectionSnapshot = {
      id: String(s.id),
      strokes: s.strokes.map((k) => ({ points: k.points.map((p) => [Number(p[0]), Number(p[1]), Number(p[2])]), color: String(k.color), width: Number(k.width) })),
      width: Number(s.width),
      height: Number(s.height),
      image: { mediaType: 'image/png', data },
      createdAt: String(s.createdAt),
    };
    this.#send({ type: 'pushSelectionSnapshot', selection }, [data]);
    return true;
  }

  /**
   * Asks the card to render itself (`captureSnapshot`) and resolves the validated
   * `data:image/…;base64,…` URL, or null when the card does not answer in time, answers with
   * something invalid or over the published `maxSnapshotBytes`, or is not running.
   */
  captureSnapshot(timeoutMs = SNAPSHOT_TIMEOUT_MS): Promise<string | null> {
    if (!this.#port || !this.#readySeen || this.status === 'suspended') return Promise.resolve(null);
    const id = `snap_${++this.#snapshotSeq}`;
    return new Promise((resolve) => {
      const timer = this.#setTimeout(() => {
        this.#snapshots.delete(id);
        resolve(null);
      }, timeoutMs);
      this.#snapshots.set(id, (url) => {
        this.#clearTimeout(timer);
        resolve(url);
      });
      this.#send({ type: 'captureSnapshot', id, maxBytes: this.#limits().maxSnapshotBytes });
    });
  }

  /**
   * The X button: captures a snapshot (≤ 1.5 s), removes the frame, and saves the snapshot
   * through the services (the previous one stays when there is none). Resolves the snapshot.
   */
  async close(timeoutMs = SNAPSHOT_TIMEOUT_MS): Promise<string | null> {
    const url = await this.captureSnapshot(timeoutMs);
    this.destroy();
    if (url) await this.#services.saveSnapshot(url).catch(() => {});
    return url;
  }

  /** Throws the frame away and starts a fresh one (the "Reload" button; also ends a suspension). */
  reload(): void {
    this.#teardown('cancelled');
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
    this.#teardown('cancelled');
    this.#flushReports(false);
    this.#unfollowTheme?.();
    this.#unfollowTheme = null;
    this.#container = null;
    this.view.status = 'closed';
  }

  #teardown(pendingCode: 'cancelled' | 'suspended'): void {
    this.#failAll(pendingCode);
    this.#tokenTypes.clear();
    this.#bus?.leave();
    this.#bus = null;
    if (this.#timer !== null) this.#env.clearInterval(this.#timer);
    this.#timer = null;
    this.#watch?.stop();
    this.#watch = null;
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

/** Decoded size of a validated `data:…;base64,` URL. */
export function base64Bytes(dataUrl: string): number {
  const b64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}
