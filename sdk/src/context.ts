/**
 * The one implementation of {@link CardContext}, shared by the frame bootstrap (`web/frame/`)
 * and the mock host, so unit tests exercise the same code a real frame runs.
 * DOM-free on purpose.
 */
import type {
  ApiProblem, AssetData, AssetHandle, AssetType, Bounds, BusHistoryEntry, BusRequestMessage, CallMessage, CallOptions, CardBridgeErrorCode, CardContext,
  CardIdentity, CardLimits, CardToHostMessage, PageInfo, PluginLog, ServiceContext, ServiceIdentity,
  HistoryMessage, InkStroke, JsonObject, JsonValue, MountPlugin, MountResult, NetworkOptions, NetworkRequest, NetworkResponse, PublishMessage,
  PluginStorage, PublishOptions, RequestOptions, RespondOptions, SelectionSnapshot, StorageEntry, StorageItem, StorageMessage, StorageScopeOptions, StorageWriteOptions, StorageWriteResult, SubscribeMessage, SubscribeOptions, ThemeTokens, TopicEvent, Unsubscribe,
} from './types.ts';
import { DEFAULT_CARD_LIMITS, MAX_LOG_CHARS, pageParamsOf, STORAGE_LIMITS, STORAGE_SCOPES } from './protocol.ts';

/**
 * How every card request fails: `code` is stable (switch on it), `message` is for people.
 *
 * @example
 * ```ts
 * try { await card.requestAsset('image'); }
 * catch (e) { if (e instanceof CardBridgeError && e.code === 'cancelled') return; throw e; }
 * ```
 */
export class CardBridgeError extends Error {
  readonly code: CardBridgeErrorCode;
  /** For `api.invalid_input` and `api.invalid_output`: where the value breaks the method's schema. */
  readonly problems: readonly ApiProblem[];
  constructor(code: CardBridgeErrorCode, message: string = code, problems: readonly ApiProblem[] = []) {
    super(message);
    this.name = 'CardBridgeError';
    this.code = code;
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ pointer: String(p.pointer), message: String(p.message) })));
  }
}


/** One log line of `parts`, as `console.log` would join them, clipped to {@link MAX_LOG_CHARS}. */
export function logLine(parts: readonly unknown[]): string {
  const text = parts.map((p) => {
    if (typeof p === 'string') return p;
    if (p instanceof Error) return `${p.name}: ${p.message}`;
    try { return JSON.stringify(p) ?? String(p); } catch { return String(p); }
  }).join(' ');
  return text.length > MAX_LOG_CHARS ? `${text.slice(0, MAX_LOG_CHARS - 1)}…` : text;
}

const PUBSUB = 'crossCard:pubsub';

/** Mutable state behind a {@link CardContext}. */
export interface CardState {
  card: CardIdentity;
  props: JsonObject;
  payload: JsonValue | null;
  theme: ThemeTokens;
  active: boolean;
  bounds: Bounds;
  grantedCapabilities?: readonly string[];
  /** The host's published limits (`init.limits`); {@link DEFAULT_CARD_LIMITS} when absent. */
  limits?: CardLimits;
  /** Set for a plugin page (`init.page`). */
  page?: PageInfo | null;
  /** The plugin's configuration (`init.config`), secret fields left out. */
  config?: JsonObject;
}

/** The configuration of an `init` or `configChanged` (the host page's structured clone, so plain JSON); `{}` for anything that is not an object. */
export function configOf(v: unknown): JsonObject {
  return Object.freeze(typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as JsonObject) } : {});
}
/** The host side of a context: push state changes, listeners are called. */
export interface CardContextController {
  readonly ctx: CardContext;
  setProps(props: JsonObject): void;
  setActive(active: boolean): void;
  setBounds(bounds: Bounds): void;
  setTheme(tokens: ThemeTokens): void;
  /** `grantsChanged`: updates `grantedCapabilities`, drops local subscriptions when pub/sub is gone. */
  setGrants(capabilities: readonly string[]): void;
  /** `configChanged`: updates `config` (already checked with {@link configOf}), then calls the listeners. */
  setConfig(config: JsonObject): void;
  /** `pushAsset`: the person gave the card an asset (drop); calls the `onAssetPushed` listeners. */
  pushAsset(asset: AssetHandle): void;
  /** `pushSelectionSnapshot`: records the latest selection and calls the `onSelection` listeners. */
  pushSelection(selection: SelectionSnapshot): void;
  /**
   * `selectionRevoked`: the share `id` is gone. When the card holds that share, or none (a frame
   * that reloaded and was not pushed it again yet), `selection` becomes null and the `onSelection`
   * listeners get null; a revoke of a share the card no longer holds (it was replaced) changes
   * nothing. Returns whether the listeners were called.
   */
  revokeSelection(id: string): boolean;
  /**
   * Routes `response`, `event` and `networkChunk` to the request or subscription they belong
   * to. Returns false for any other message. Unknown ids are ignored.
   */
  receive(message: { type?: unknown; [k: string]: unknown }): boolean;
}

/**
 * The plain JSON copy of `value` that crosses the port, and its serialized length.
 *
 * A port structured-clones what it posts, and structured clone refuses proxies: a Svelte
 * `$state` array or object (or anything wrapping a Proxy) throws `DataCloneError` there, while
 * `JSON.stringify` reads it fine. Every value a card hands the bridge goes through here, so what
 * is posted is exactly the JSON the size check measured — never the caller's live object.
 */
export function plainJson(value: unknown, what: string): { value: JsonValue; json: string } {
  let json: string | undefined;
  try { json = JSON.stringify(value); } catch (e) {
    throw new TypeError(`${what} must be JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (json === undefined) throw new TypeError(`${what} must be JSON (got ${typeof value})`);
  return { value: JSON.parse(json) as JsonValue, json };
}

/** Longest token a pushed asset may carry; server tokens are far shorter. */
export const MAX_ASSET_TOKEN = 200;

/**
 * A frozen {@link AssetHandle} from an untrusted `pushAsset` message, or null when any field is
 * missing or malformed: a listener must never see a half-valid handle.
 */
export function assetHandleOf(v: unknown): AssetHandle | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const { token, name, mediaType, bytes } = v as Record<string, unknown>;
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_ASSET_TOKEN) return null;
  if (typeof name !== 'string' || typeof mediaType !== 'string') return null;
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return null;
  return Object.freeze({ token, name, mediaType, bytes });
}

/** Limits of a pushed selection (`pushSelectionSnapshot`); a snapshot over any of them is dropped whole. */
export const SELECTION_LIMITS = Object.freeze({
  /** Points across all strokes. */
  maxPoints: 50_000,
  /** Bytes of the PNG. */
  maxImageBytes: 2 * 1024 * 1024,
  /** Characters of `id`, `createdAt` and a stroke's `color`. */
  maxText: 200,
});

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const shortText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= SELECTION_LIMITS.maxText;

function inkStrokeOf(v: unknown, budget: { points: number }): InkStroke | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const { points, color, width } = v as Record<string, unknown>;
  if (!Array.isArray(points) || !shortText(color) || !finite(width) || width < 0) return null;
  budget.points -= points.length;
  if (budget.points < 0) return null;
  const copy: (readonly [number, number, number])[] = [];
  for (const p of points) {
    if (!Array.isArray(p) || p.length !== 3) return null;
    const [x, y, pressure] = p as unknown[];
    if (!finite(x) || !finite(y) || !finite(pressure) || pressure < 0 || pressure > 1) return null;
    copy.push(Object.freeze([x, y, pressure] as const));
  }
  return Object.freeze({ points: Object.freeze(copy), color, width });
}

/** The share id of an untrusted `selectionRevoked` message, or null when it is not a string of 1–200 chars. */
export function selectionIdOf(v: unknown): string | null {
  return shortText(v) ? v : null;
}

/**
 * A deep-frozen {@link SelectionSnapshot} from an untrusted `pushSelectionSnapshot` message, or
 * null when anything is missing, malformed or over {@link SELECTION_LIMITS}: a card never sees a
 * half-valid selection. The PNG must start with the PNG signature.
 */
export function selectionSnapshotOf(v: unknown): SelectionSnapshot | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const { id, strokes, width, height, image, createdAt } = v as Record<string, unknown>;
  if (!shortText(id) || !shortText(createdAt) || Number.isNaN(Date.parse(createdAt))) return null;
  if (!finite(width) || !finite(height) || width < 0 || height < 0) return null;
  if (!Array.isArray(strokes) || strokes.length > SELECTION_LIMITS.maxPoints) return null;
  if (typeof image !== 'object' || image === null) return null;
  const { mediaType, data } = image as Record<string, unknown>;
  // By brand, not instanceof: the buffer may come from another realm (a test's DOM shim).
  if (mediaType !== 'image/png' || Object.prototype.toString.call(data) !== '[object ArrayBuffer]') return null;
  const bytes = data as ArrayBuffer;
  if (bytes.byteLength > SELECTION_LIMITS.maxImageBytes || bytes.byteLength < PNG_SIGNATURE.length) return null;
  const head = new Uint8Array(bytes, 0, PNG_SIGNATURE.length);
  if (PNG_SIGNATURE.some((b, i) => head[i] !== b)) return null;
  const budget = { points: SELECTION_LIMITS.maxPoints };
  const copy: InkStroke[] = [];
  for (const s of strokes) {
    const stroke = inkStrokeOf(s, budget);
    if (!stroke) return null;
    copy.push(stroke);
  }
  return Object.freeze({
    id, width, height, createdAt,
    strokes: Object.freeze(copy),
    image: Object.freeze({ mediaType: 'image/png' as const, data: bytes }),
  });
}

type Listeners<T> = Set<(value: T) => void>;

function on<T>(set: Listeners<T>, cb: (value: T) => void): Unsubscribe {
  const wrapped = (v: T) => cb(v);
  set.add(wrapped);
  return () => { set.delete(wrapped); };
}

function emit<T, E = undefined>(set: Set<(value: T, extra: E) => void>, value: T, extra?: E): void {
  for (const cb of [...set]) {
    // One failing listener must not starve the others; rethrow later so the frame's
    // global error handler still reports it as a runtime error.
    try { cb(value, extra as E); } catch (e) { queueMicrotask(() => { throw e; }); }
  }
}

/**
 * Creates a {@link CardContext} over `state`; every card→host effect goes through `send`.
 *
 * @example
 * ```ts
 * const { ctx, setActive } = createCardContext(state, (msg) => port.postMessage(msg));
 * ```
 */
export function createCardContext(
  state: CardState,
  send: (msg: CardToHostMessage) => void,
): CardContextController {
  const active: Listeners<boolean> = new Set();
  const bounds: Listeners<Bounds> = new Set();
  const theme: Listeners<ThemeTokens> = new Set();
  const props: Listeners<JsonObject> = new Set();
  const grants: Listeners<readonly string[]> = new Set();
  const pushed: Listeners<AssetHandle> = new Set();
  const selections: Listeners<SelectionSnapshot | null> = new Set();
  const configs: Listeners<JsonObject> = new Set();
  let config: JsonObject = configOf(state.config ?? {});
  let selection: SelectionSnapshot | null = null;
  let granted: readonly string[] = Object.freeze([...(state.grantedCapabilities ?? [])]);
  const { maxPayloadBytes } = state.limits ?? DEFAULT_CARD_LIMITS;

  interface Pending {
    resolve(result: unknown): void;
    reject(e: CardBridgeError): void;
    onChunk?: (data: string) => void;
  }
  const pending = new Map<string, Pending>();
  let nextId = 0;
  /** The card's subscriptions and responders by its own id (`sub`); events name the one they are for. */
  interface Sub {
    pattern: string;
    once: boolean;
    handler: (payload: JsonValue, e: TopicEvent) => unknown;
    responds: boolean;
  }
  const subscriptions = new Map<string, Sub>();
  let nextSub = 0;

  async function addSubscription(pattern: string, sub: Sub, extra: { priority?: number; once?: boolean; from?: string; responds?: boolean }): Promise<Unsubscribe> {
    const id = `s${++nextSub}`;
    const msg: SubscribeMessage = { type: 'subscribe', id: newId(), topic: pattern, sub: id };
    if (extra.priority !== undefined) msg.priority = Number(extra.priority);
    if (extra.once) msg.once = true;
    if (extra.from !== undefined) msg.from = String(extra.from);
    if (extra.responds) msg.responds = true;
    // Registered before the host answers: a message can arrive right after the host accepted.
    subscriptions.set(id, sub);
    try {
      await request(msg);
    } catch (e) {
      subscriptions.delete(id);
      throw e;
    }
    return () => {
      if (subscriptions.delete(id)) send({ type: 'unsubscribe', sub: id });
    };
  }

  function deliver(m: { [k: string]: unknown }): void {
    const id = typeof m.sub === 'string' ? m.sub : '';
    const sub = subscriptions.get(id);
    const from = (typeof m.from === 'object' && m.from !== null ? m.from : {}) as { pluginId?: unknown; typeID?: unknown };
    const event: TopicEvent = Object.freeze({
      topic: typeof m.topic === 'string' ? m.topic : '',
      from: Object.freeze({ pluginId: String(from.pluginId ?? ''), typeID: String(from.typeID ?? '') }),
      id: typeof m.id === 'string' ? m.id : '',
      timestamp: typeof m.ts === 'number' ? m.ts : 0,
      target: typeof m.target === 'string' ? m.target : null,
    });
    const payload = (m.payload ?? null) as JsonValue;
    const rid = typeof m.rid === 'string' ? m.rid : null;
    if (rid !== null) {
      // A request for one of our responders: exactly one reply, whatever the handler does.
      if (!sub?.responds) { send({ type: 'reply', rid, ok: false, error: { message: 'No such responder.' } }); return; }
      const answer = (async () => sub.handler(payload, event))();
      answer.then(
        (result) => {
          const value = (result === undefined ? null : result) as JsonValue;
          // A $state proxy (or any non-plain object) would not survive postMessage: send its JSON copy.
          try { send({ type: 'reply', rid, ok: true, result: plainJson(value, 'respond: answer').value }); } catch (e) {
            send({ type: 'reply', rid, ok: false, error: { message: `The answer is not JSON: ${String(e)}`.slice(0, 500) } });
          }
        },
        (e: unknown) => send({ type: 'reply', rid, ok: false, error: { message: (e instanceof Error ? e.message : String(e)).slice(0, 500) } }),
      );
      return;
    }
    if (!sub || sub.responds) return;
    if (sub.once) subscriptions.delete(id);
    emit(new Set([sub.handler as (p: JsonValue, e: TopicEvent) => void]), payload, event);
  }

  function request<T>(msg: CardToHostMessage & { id: string }, onChunk?: (data: string) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      pending.set(msg.id, { resolve: resolve as (r: unknown) => void, reject, onChunk });
      send(msg);
    });
  }
  const newId = () => `r${++nextId}`;

  function errorOf(e: unknown): CardBridgeError {
    const o = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; message?: unknown; problems?: unknown };
    const problems = Array.isArray(o.problems)
      ? o.problems.filter((p): p is ApiProblem => typeof p === 'object' && p !== null && typeof p.pointer === 'string' && typeof p.message === 'string').slice(0, 20)
      : [];
    return new CardBridgeError(String(o.code ?? 'upstream_failed') as CardBridgeErrorCode, String(o.message ?? 'The host refused the request.'), problems);
  }

  const log: PluginLog = Object.freeze({
    info: (...parts: unknown[]) => send({ type: 'log', level: 'info', message: logLine(parts) }),
    warn: (...parts: unknown[]) => send({ type: 'log', level: 'warn', message: logLine(parts) }),
    error: (...parts: unknown[]) => send({ type: 'log', level: 'error', message: logLine(parts) }),
  });

  // Checked here because the page drops (never answers) a malformed message; the host checks again.
  const bad = (what: string) => Promise.reject(new CardBridgeError('storage.invalid', `storage: ${what}`));
  function storageOp(op: 'get' | 'set' | 'delete' | 'list', key: string, o: StorageWriteOptions = {}, value?: JsonValue): Promise<unknown> {
    const scope = o.scope ?? 'user';
    if (!(STORAGE_SCOPES as readonly string[]).includes(scope)) return bad('scope');
    if ((op !== 'list' && key.length === 0) || key.length > STORAGE_LIMITS.maxKeyChars) return bad('key length');
    const msg: Record<string, unknown> = { type: 'storage', id: newId(), op, scope, [op === 'list' ? 'prefix' : 'key']: key };
    if (o.ifVersion !== undefined) {
      if (!Number.isSafeInteger(o.ifVersion) || o.ifVersion < 0) return bad('ifVersion');
      msg.ifVersion = o.ifVersion;
    }
    if (op === 'set') {
      let plain;
      try { plain = plainJson(value ?? null, 'storage.set: value'); } catch (e) { return Promise.reject(e); }
      if (new TextEncoder().encode(plain.json).length > STORAGE_LIMITS.maxValueBytes) return Promise.reject(new CardBridgeError('storage.too_large'));
      msg.value = plain.value;
    }
    return request(msg as StorageMessage);
  }
  const storage: PluginStorage = Object.freeze({
    get: (key: string, o?: StorageScopeOptions) => storageOp('get', String(key), o).then((r) => (r ?? null) as StorageItem | null),
    set: (key: string, value: JsonValue, o?: StorageWriteOptions) => storageOp('set', String(key), o, value) as Promise<StorageWriteResult>,
    delete: (key: string, o?: StorageWriteOptions) => storageOp('delete', String(key), o).then((r) => (r as { deleted?: unknown } | null)?.deleted === true),
    list: (prefix = '', o?: StorageScopeOptions) => storageOp('list', String(prefix), o).then((r) => {
      const entries = (r as { entries?: unknown } | null)?.entries;
      return (Array.isArray(entries) ? entries : []) as StorageEntry[];
    }),
  });

  const ctx: CardContext = Object.freeze({
    card: Object.freeze({ ...state.card }),
    get payload() { return state.payload; },
    get props() { return state.props; },
    get theme() { return state.theme; },
    get active() { return state.active; },
    get bounds() { return state.bounds; },
    get grantedCapabilities() { return granted; },
    get selection() { return selection; },
    page: state.page ? Object.freeze({ path: state.page.path, params: Object.freeze({ ...state.page.params }) }) : null,
    navigate(path: string, params?: Readonly<Record<string, string>>) {
      if (!state.page) throw new Error('navigate: only a plugin page can navigate');
      send(params === undefined ? { type: 'navigate', path: String(path) } : { type: 'navigate', path: String(path), params: pageParamsOf(params) });
    },
    get config() { return config; },
    onConfigChanged: (cb: (c: JsonObject) => void) => on(configs, cb),
    storage,
    setPayload(payload: JsonValue) {
      const plain = plainJson(payload, 'setPayload: payload');
      // The host refuses more than its published limit (UTF-8 bytes); fail early, where the author sees it.
      const bytes = new TextEncoder().encode(plain.json).length;
      if (bytes > maxPayloadBytes) throw new RangeError(`setPayload: payload is ${bytes} bytes of JSON (UTF-8); this host's limit is ${maxPayloadBytes}`);
      state.payload = plain.value;
      send({ type: 'setPayload', payload: plain.value });
    },
    onActive: (cb: (a: boolean) => void) => on(active, cb),
    onBounds: (cb: (b: Bounds) => void) => on(bounds, cb),
    onThemeChanged: (cb: (t: ThemeTokens) => void) => on(theme, cb),
    onPropsChanged: (cb: (p: JsonObject) => void) => on(props, cb),
    onGrantsChanged: (cb: (c: readonly string[]) => void) => on(grants, cb),
    onAssetPushed: (cb: (a: AssetHandle) => void) => on(pushed, cb),
    onSelection(cb: (s: SelectionSnapshot | null) => void) {
      const off = on(selections, cb);
      // A card that mounts after the push (or registers late) still gets what the person shared.
      if (selection) emit(new Set([cb]), selection);
      return off;
    },
    interaction(name: string, detail?: JsonValue) {
      send(detail === undefined ? { type: 'interactionEvent', name: String(name) }
        : { type: 'interactionEvent', name: String(name), detail: plainJson(detail, 'interaction: detail').value });
    },
    requestSize(width: number, height: number) {
      send({ type: 'sizePreferenceChanged', width: Number(width), height: Number(height) });
    },
    requestAsset(type: AssetType) {
      return request<AssetHandle>({ type: 'requestAsset', id: newId(), assetType: type });
    },
    readAsset(token: string) {
      return request<AssetData>({ type: 'readAsset', id: newId(), token: String(token) });
    },
    publish(topic: string, payload: JsonValue, options: PublishOptions = {}) {
      const msg: PublishMessage = { type: 'publish', topic: String(topic), payload: plainJson(payload ?? null, 'publish: payload').value };
      if (options.target !== undefined) msg.target = String(options.target);
      send(msg);
    },
    subscribe(topic: string, cb: (payload: JsonValue, e: TopicEvent) => void, options: SubscribeOptions = {}) {
      const once = options.once === true;
      return addSubscription(String(topic), { pattern: String(topic), once, handler: cb, responds: false }, { ...options, once });
    },
    respond(topic: string, handler: (payload: JsonValue, e: TopicEvent) => JsonValue | Promise<JsonValue>, options: RespondOptions = {}) {
      return addSubscription(String(topic), { pattern: String(topic), once: false, handler, responds: true }, { priority: options.priority, responds: true });
    },
    unsubscribe(topic: string) {
      for (const [id, sub] of [...subscriptions]) {
        if (sub.pattern !== String(topic)) continue;
        subscriptions.delete(id);
        send({ type: 'unsubscribe', sub: id });
      }
    },
    request(topic: string, payload: JsonValue, options: RequestOptions = {}) {
      let plain: JsonValue;
      try { plain = plainJson(payload ?? null, 'request: payload').value; } catch (e) { return Promise.reject(e); }
      const msg: BusRequestMessage = { type: 'request', id: newId(), topic: String(topic), payload: plain };
      if (options.target !== undefined) msg.target = String(options.target);
      if (options.timeout !== undefined) msg.timeoutMs = Number(options.timeout);
      return request<JsonValue>(msg);
    },
    async history(pattern: string, options: { limit?: number } = {}) {
      const msg: HistoryMessage = { type: 'history', id: newId(), topic: String(pattern) };
      if (options.limit !== undefined) msg.limit = Number(options.limit);
      const r = await request<{ messages?: BusHistoryEntry[] }>(msg);
      return Array.isArray(r?.messages) ? r.messages : [];
    },
    requestNetwork(service: string, req: NetworkRequest, options: NetworkOptions = {}) {
      const { onChunk, signal } = options;
      if (signal?.aborted) return Promise.reject(new CardBridgeError('cancelled', 'The request was aborted before it started.'));
      let request_: NetworkRequest;
      try { request_ = plainJson(req, 'requestNetwork: request').value as unknown as NetworkRequest; } catch (e) { return Promise.reject(e); }
      const id = newId();
      const done = request<NetworkResponse>({ type: 'requestNetwork', id, service: String(service), request: request_ }, onChunk);
      if (!signal) return done;
      const abort = () => {
        const p = pending.get(id);
        if (!p) return;
        pending.delete(id);
        send({ type: 'cancelRequest', id });
        p.reject(new CardBridgeError('cancelled', 'The request was aborted.'));
      };
      signal.addEventListener('abort', abort, { once: true });
      return done.finally(() => signal.removeEventListener('abort', abort));
    },
    call(pluginId: string, method: string, input?: JsonValue, options: CallOptions = {}) {
      let plain: JsonValue;
      try { plain = plainJson(input ?? null, 'call: input').value; } catch (e) { return Promise.reject(e); }
      const msg: CallMessage = { type: 'call', id: newId(), pluginId: String(pluginId), method: String(method), input: plain };
      if (options.timeout !== undefined) msg.timeoutMs = Number(options.timeout);
      return request<JsonValue>(msg);
    },
    log,
    exportRequested(kind: string, data?: JsonValue) {
      send(data === undefined ? { type: 'exportRequested', kind: String(kind) }
        : { type: 'exportRequested', kind: String(kind), data: plainJson(data, 'exportRequested: data').value });
    },
  });

  return {
    ctx,
    setProps(p) { state.props = p; emit(props, p); },
    setActive(a) { if (state.active !== a) { state.active = a; emit(active, a); } },
    setBounds(b) { state.bounds = b; emit(bounds, b); },
    setTheme(t) { state.theme = t; emit(theme, t); },
    setGrants(c) {
      granted = Object.freeze([...c]);
      // The host dropped this card's subscriptions with the grant; a new grant needs new subscribe calls.
      if (!granted.includes(PUBSUB)) subscriptions.clear();
      emit(grants, granted);
    },
    setConfig(c) { config = c; emit(configs, c); },
    pushAsset(a) { emit(pushed, a); },
    pushSelection(s) { selection = s; emit(selections, s); },
    revokeSelection(id) {
      if (selection && selection.id !== id) return false;
      selection = null;
      emit(selections, null);
      return true;
    },
    receive(m) {
      switch (m.type) {
        case 'response': {
          const id = typeof m.id === 'string' ? m.id : '';
          const p = pending.get(id);
          if (!p) return true;
          pending.delete(id);
          if (m.ok === true) p.resolve(m.result);
          else p.reject(errorOf(m.error));
          return true;
        }
        case 'networkChunk': {
          const p = typeof m.id === 'string' ? pending.get(m.id) : undefined;
          if (p?.onChunk && typeof m.data === 'string') {
            try { p.onChunk(m.data); } catch (e) { queueMicrotask(() => { throw e; }); }
          }
          return true;
        }
        case 'event':
          deliver(m);
          return true;
        default:
          return false;
      }
    },
  };
}

/** A mounted card as the bootstrap drives it. */
export interface MountedCard {
  /** New props: `update(props)` when the card has it, else destroy + remount. */
  update(props: JsonObject): void;
  destroy(): void;
  /** True when the card handles props in place (returned `update`). */
  readonly inPlace: boolean;
}

function normalize(result: MountResult): { destroy(): void; update?(p: JsonObject): void } {
  if (typeof result === 'function') return { destroy: result };
  if (result && typeof result === 'object' && typeof result.destroy === 'function') return result;
  return { destroy() {} };
}

/**
 * Mounts a card with the bootstrap's rules: accepts every {@link MountResult} form and falls
 * back to destroy + remount when the card has no `update`.
 */
export function mountCard(
  mountPlugin: MountPlugin,
  target: HTMLElement,
  props: JsonObject,
  ctx: CardContext,
): MountedCard {
  let current = normalize(mountPlugin(target, props, ctx));
  return {
    get inPlace() { return typeof current.update === 'function'; },
    update(next) {
      if (typeof current.update === 'function') { current.update(next); return; }
      current.destroy();
      current = normalize(mountPlugin(target, next, ctx));
    },
    destroy() { current.destroy(); },
  };
}

/** The host side of a service's context (see {@link createServiceContext}). */
export interface ServiceContextController {
  readonly ctx: ServiceContext;
  setGrants(capabilities: readonly string[]): void;
  /** `configChanged`: see {@link CardContextController.setConfig}. */
  setConfig(config: JsonObject): void;
  /** Routes `response` and `event` like a card's; false for anything else. */
  receive(message: { type?: unknown; [k: string]: unknown }): boolean;
}

/**
 * A background service's {@link ServiceContext}: the same request, bus and call machinery as a
 * card's (one implementation), without props, payload, theme, assets, selections or the network.
 */
export function createServiceContext(
  service: ServiceIdentity,
  grantedCapabilities: readonly string[],
  send: (msg: CardToHostMessage) => void,
  config: JsonObject = {},
): ServiceContextController {
  const inner = createCardContext({
    card: { instanceId: `service:${service.serviceId}`, typeID: `service:${service.serviceId}`, pluginId: service.pluginId, version: service.version },
    props: {}, payload: null, theme: {}, active: false, bounds: { width: 0, height: 0 }, grantedCapabilities, config,
  }, send);
  const c = inner.ctx;
  const ctx: ServiceContext = Object.freeze({
    service: Object.freeze({ ...service }),
    get grantedCapabilities() { return c.grantedCapabilities; },
    onGrantsChanged: c.onGrantsChanged,
    publish: c.publish,
    subscribe: c.subscribe,
    unsubscribe: c.unsubscribe,
    respond: c.respond,
    request: c.request,
    history: c.history,
    call: c.call,
    log: c.log,
    get config() { return c.config; },
    onConfigChanged: c.onConfigChanged,
    storage: c.storage,
  });
  return { ctx, setGrants: (caps) => inner.setGrants(caps), setConfig: (cfg) => inner.setConfig(cfg), receive: (m) => inner.receive(m) };
}
