/**
 * A mock host for plugin unit tests: gives a card a real {@link CardContext} and records what
 * the card sends, without a browser or a frame. DOM-agnostic: pass any `target` your test
 * environment can provide (happy-dom, jsdom, or a stub object for non-DOM cards).
 *
 * @example
 * ```ts
 * // @vitest-environment happy-dom
 * import { createMockHost } from '@labyrinth/sdk/mock';
 * import { mountPlugin } from '../dist/cards/hello.js';
 *
 * const host = createMockHost({ props: { name: 'Ada' }, payload: { count: 2 } });
 * const mounted = host.mount(mountPlugin, document.body);
 * document.querySelector('button')!.click();
 * expect(host.payloads.at(-1)).toEqual({ count: 3 });
 * host.setProps({ name: 'Grace' }); // calls update() — no remount
 * mounted.destroy();
 * ```
 */
import { BusEngine, type BusMessage } from './bus-engine.ts';
import { assetHandleOf, CardBridgeError, createCardContext, mountCard, selectionIdOf, selectionSnapshotOf, type MountedCard } from './context.ts';
import { DEFAULT_CARD_LIMITS } from './protocol.ts';
import { patternCovers } from './topics.ts';
import type {
  CardLimits,
  AssetHandle, AssetType, Bounds, CardBridgeErrorCode, CardContext, CardIdentity, CardToHostMessage, JsonObject, JsonValue, MountPlugin,
  NetworkRequest, SelectionSnapshot, ThemeTokens,
} from './types.ts';

/** An asset the mock host serves to `readAsset(token)`. */
export interface MockAsset {
  name: string;
  mediaType: string;
  /** Strings are UTF-8 encoded. */
  data: ArrayBuffer | Uint8Array | string;
}

/**
 * A scripted broker answer. For `stream: true` requests the `chunks` arrive through `onChunk`
 * and the result carries `bytes`; otherwise the result carries `body`.
 */
export interface MockNetworkAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  chunks?: string[];
}

export interface MockHostOptions {
  props?: JsonObject;
  payload?: JsonValue | null;
  themeTokens?: ThemeTokens;
  bounds?: Bounds;
  active?: boolean;
  card?: Partial<CardIdentity>;
  /** Capabilities granted at start (`init.grantedCapabilities`). Default none. */
  grantedCapabilities?: string[];
  /** The host's limits (`init.limits`). Default: an unconfigured host's. */
  limits?: CardLimits;
  /**
   * The manifest's requested capabilities. When given, requests outside them are refused with
   * `not_requested`, as the real host does.
   */
  capabilities?: string[];
  /** The manifest's topics. When given, undeclared subscribes/publishes are refused/dropped. */
  topics?: { publish?: string[]; subscribe?: string[] };
  /** Mount as a plugin page (`card.page`, `card.navigate`) instead of a card. */
  page?: { path: string; params?: Record<string, string> };
  /**
   * Plays the person at the asset picker: return a handle (picking grants
   * `fileRegistry:<type>`), null for "cancelled", or throw a {@link CardBridgeError}.
   * Without it every pick is cancelled.
   */
  pickAsset?: (type: AssetType) => AssetHandle | null | Promise<AssetHandle | null>;
  /** Assets by token for `readAsset`; unknown tokens answer `token_invalid`. */
  assets?: Record<string, MockAsset>;
  /** Plays the broker; throw a {@link CardBridgeError} for failures. Without it: `not_configured`. */
  network?: (service: string, request: NetworkRequest) => MockNetworkAnswer | Promise<MockNetworkAnswer>;
  /**
   * Plays other plugins' APIs for `call(pluginId, method, input)`: pluginId → method → handler
   * (throw a {@link CardBridgeError} for failures). A call needs `api:<pluginId>` in `capabilities`
   * (the person consents; else `api.not_granted`); an unknown method answers `api.unknown_method`. Schemas are not
   * checked here: the host checks them (see docs/plugin-authoring.md).
   *
   * @example
   * ```ts
   * const host = createMockHost({ capabilities: ['api:dev.labyrinth.clock'],
   *   apis: { 'dev.labyrinth.clock': { formatTime: () => ({ text: '12:00' }) } } });
   * ```
   */
  apis?: Record<string, Record<string, (input: JsonValue) => JsonValue | Promise<JsonValue>>>;
}

export interface MockHost {
  /** The context to pass as `mountPlugin`'s third argument. */
  readonly card: CardContext;
  /** Every message the card sent, in order (as the host would receive them). */
  readonly messages: CardToHostMessage[];
  /** Every `setPayload` value, in order. */
  readonly payloads: JsonValue[];
  /** Every `interaction(name, detail)` call, in order. */
  readonly interactions: { name: string; detail?: JsonValue }[];
  /** Every `requestSize(width, height)` call, in order. */
  readonly sizeRequests: { width: number; height: number }[];
  /** Publishes the host accepted (declared when `topics` is set, and `crossCard:pubsub` granted). */
  readonly published: { topic: string; payload: JsonValue; target?: string }[];
  /** Requests the card sent that the host accepted, in order. */
  readonly requests: { topic: string; payload: JsonValue; target?: string }[];
  /** Topics/patterns the card is subscribed to (or responds to) now. */
  readonly subscriptions: ReadonlySet<string>;
  /** Every `requestNetwork` call, in order. */
  readonly networkRequests: { service: string; request: NetworkRequest }[];
  /** Every `exportRequested(kind, data)` call, in order. */
  readonly exports: { kind: string; data?: JsonValue }[];
  /** Every `navigate(path, params)` of a page, in order. */
  readonly navigations: { path: string; params?: Record<string, string> }[];
  /** Every `log.info/warn/error` line, in order. */
  readonly logs: { level: 'info' | 'warn' | 'error'; message: string }[];
  /** The granted capabilities now. */
  readonly granted: readonly string[];
  /**
   * Delivers a pub/sub event as the host would: only when a subscription matches and
   * `crossCard:pubsub` is granted. Returns whether it was delivered.
   */
  emit(topic: string, payload: JsonValue, from?: { typeID: string; pluginId?: string }): boolean;
  /**
   * Plays another card answering the card's `request`s on `pattern` (the bus rules pick the
   * responder, so a card's own responders never answer itself). Returns a function that stops it.
   *
   * @example
   * ```ts
   * host.respond('math:expression:evaluate', ({ latex }) => ({ value: latex === 'x^2' ? 4 : 0 }));
   * ```
   */
  respond(pattern: string, handler: (payload: JsonValue) => JsonValue | Promise<JsonValue>): () => void;
  /**
   * Plays another card asking: routes a request to the card's responder of `topic` and resolves
   * its answer; rejects {@link CardBridgeError} `bus.no_responder` or `bus.responder_failed`.
   */
  request(topic: string, payload: JsonValue, from?: { typeID: string; pluginId?: string }): Promise<JsonValue>;
  /** Grants or revokes (`grantsChanged`); revoking `crossCard:pubsub` drops subscriptions. */
  setGrants(capabilities: string[]): void;
  /**
   * Plays the person dropping an asset on the card (`pushAsset`): validated like the frame does,
   * then `onAssetPushed` listeners run. Returns false when the handle is malformed. Put the bytes
   * in `options.assets[handle.token]` so the card's `readAsset` finds them.
   */
  pushAsset(handle: AssetHandle): boolean;
  /**
   * Plays the person choosing "Convert to Math" on a lasso selection (`pushSelectionSnapshot`):
   * structured-cloned and validated like the frame does, then `card.selection` and the
   * `onSelection` listeners. Returns false (and changes nothing) when the snapshot is malformed.
   */
  pushSelection(snapshot: SelectionSnapshot): boolean;
  /**
   * Plays the person revoking the card's shared selection in the permissions panel
   * (`selectionRevoked`, validated like the frame does): `card.selection` becomes null and the
   * `onSelection` listeners get null. `id` defaults to the current selection's; a revoke of a
   * share the card no longer holds changes nothing. Returns whether the listeners were called.
   *
   * @example
   * ```ts
   * host.pushSelection(snapshot);
   * host.revokeSelection();
   * expect(host.card.selection).toBeNull();
   * ```
   */
  revokeSelection(id?: string): boolean;
  /** Resolves once every request sent so far has been answered (await it before asserting). */
  settle(): Promise<void>;
  /** Changes props like `propsChanged`: listeners, then `update` / remount of a card mounted with {@link MockHost.mount}. */
  setProps(props: JsonObject): void;
  setActive(active: boolean): void;
  setBounds(bounds: Bounds): void;
  setTheme(tokens: ThemeTokens): void;
  /** Mounts like the bootstrap does; later {@link MockHost.setProps} calls drive it. */
  mount(mountPlugin: MountPlugin, target: HTMLElement): MountedCard;
}

/** Creates a {@link MockHost}. All options are optional. */
export function createMockHost(options: MockHostOptions = {}): MockHost {
  const messages: CardToHostMessage[] = [];
  const payloads: JsonValue[] = [];
  const interactions: { name: string; detail?: JsonValue }[] = [];
  const sizeRequests: { width: number; height: number }[] = [];
  const published: { topic: string; payload: JsonValue; target?: string }[] = [];
  const requests: { topic: string; payload: JsonValue; target?: string }[] = [];
  const subscriptions = new Set<string>();
  // The same bus rules as the host page (sdk/src/bus-engine.ts): the card is member "card", the
  // test plays every other member as "host".
  const bus = new BusEngine<JsonValue>();
  const mockResponders = new Map<string, (payload: JsonValue) => JsonValue | Promise<JsonValue>>();
  const replies = new Map<string, { resolve(v: JsonValue): void; reject(e: CardBridgeError): void }>();
  let busSeq = 0;
  const pluginId = () => controller.ctx.card.pluginId;
  const refreshSubscriptions = () => {
    subscriptions.clear();
    for (const sub of bus.subscriptionsOf('card')) subscriptions.add(sub.pattern);
  };
  const busMessage = (topic: string, payload: JsonValue, sender: 'card' | 'host', from: { typeID: string; pluginId?: string }, target?: string): BusMessage<JsonValue> => ({
    id: `m${++busSeq}`, topic, senderMember: sender, senderPlugin: sender === 'card' ? pluginId() : (from.pluginId ?? 'dev.labyrinth.other'),
    senderType: from.typeID, target: target ?? null, timestamp: Date.now(), payload,
  });
  const toCard = (m: BusMessage<JsonValue>, sub: string, rid?: string) => controller.receive(structuredClone({
    type: 'event', sub, id: m.id, topic: m.topic, payload: m.payload, from: { pluginId: m.senderPlugin, typeID: m.senderType }, target: m.target, ts: m.timestamp,
    ...(rid === undefined ? {} : { rid }),
  }));
  const networkRequests: { service: string; request: NetworkRequest }[] = [];
  const exports: { kind: string; data?: JsonValue }[] = [];
  const navigations: { path: string; params?: Record<string, string> }[] = [];
  const logs: { level: 'info' | 'warn' | 'error'; message: string }[] = [];
  let granted: string[] = [...(options.grantedCapabilities ?? [])];
  let mounted: MountedCard | null = null;
  const inFlight = new Set<Promise<void>>();
  const cancelled = new Set<string>();

  const requested = (cap: string) => options.capabilities === undefined || options.capabilities.includes(cap);
  const fail = (code: CardBridgeErrorCode, message: string = code): never => { throw new CardBridgeError(code, message); };

  function respond(id: string, work: () => unknown): void {
    const p = (async () => {
      await Promise.resolve(); // answers arrive later, as over a real port
      let msg: Record<string, unknown>;
      try {
        msg = { type: 'response', id, ok: true, result: await work() };
      } catch (e) {
        const err = e instanceof CardBridgeError ? e : new CardBridgeError('upstream_failed', String(e));
        msg = { type: 'response', id, ok: false, error: { code: err.code, message: err.message } };
      }
      if (cancelled.delete(id)) msg = { type: 'response', id, ok: false, error: { code: 'cancelled', message: 'cancelled' } };
      controller.receive(structuredClone(msg));
    })();
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }

  function bytesOf(data: MockAsset['data']): ArrayBuffer {
    if (typeof data === 'string') return new TextEncoder().encode(data).buffer as ArrayBuffer;
    if (data instanceof Uint8Array) return data.slice().buffer as ArrayBuffer;
    return data.slice(0);
  }

  function handle(m: CardToHostMessage): void {
    switch (m.type) {
      case 'setPayload': payloads.push(m.payload); return;
      case 'interactionEvent':
        interactions.push(m.detail === undefined ? { name: m.name } : { name: m.name, detail: m.detail });
        return;
      case 'sizePreferenceChanged': sizeRequests.push({ width: m.width, height: m.height }); return;
      case 'exportRequested': exports.push(m.data === undefined ? { kind: m.kind } : { kind: m.kind, data: m.data }); return;
      case 'navigate': navigations.push(m.params === undefined ? { path: m.path } : { path: m.path, params: m.params }); return;
      case 'publish':
        if (options.topics && !(options.topics.publish ?? []).includes(m.topic)) return;
        if (!granted.includes('crossCard:pubsub')) return;
        published.push(m.target === undefined ? { topic: m.topic, payload: m.payload } : { topic: m.topic, payload: m.payload, target: m.target });
        bus.publish(busMessage(m.topic, m.payload, 'card', { typeID: controller.ctx.card.typeID }, m.target));
        return;
      case 'unsubscribe': bus.unsubscribe(m.sub); refreshSubscriptions(); return;
      case 'reply': {
        const waiting = replies.get(m.rid);
        if (!waiting) return;
        replies.delete(m.rid);
        if (m.ok) waiting.resolve(m.result);
        else waiting.reject(new CardBridgeError('bus.responder_failed', m.error.message));
        return;
      }
      case 'request':
        respond(m.id, async () => {
          if (options.topics && !(options.topics.publish ?? []).includes(m.topic)) fail('topic_not_declared');
          if (!granted.includes('crossCard:pubsub')) fail('not_granted');
          requests.push(m.target === undefined ? { topic: m.topic, payload: m.payload } : { topic: m.topic, payload: m.payload, target: m.target });
          const msg = busMessage(m.topic, m.payload, 'card', { typeID: controller.ctx.card.typeID }, m.target);
          const responder = bus.request(msg, Number.MAX_SAFE_INTEGER);
          const handler = responder && mockResponders.get(responder.id);
          if (!responder || !handler) return fail('bus.no_responder', `No card answers "${m.topic}".`);
          bus.reply(msg.id, responder.memberId);
          try { return await handler(m.payload); } catch (e) { return fail('bus.responder_failed', e instanceof Error ? e.message : String(e)); }
        });
        return;
      case 'history':
        respond(m.id, () => {
          if (!granted.includes('crossCard:pubsub')) fail('not_granted');
          const readable = options.topics ? options.topics.subscribe ?? [] : ['*:*:*'];
          return { messages: bus.history(m.topic, readable, pluginId(), m.limit ?? 100).map((x) => ({
            id: x.id, topic: x.topic, payload: x.payload, from: { pluginId: x.senderPlugin, typeID: x.senderType }, target: x.target, ts: x.timestamp,
          })) };
        });
        return;
      case 'cancelRequest': cancelled.add(m.id); return;
      case 'requestAsset':
        respond(m.id, async () => {
          const cap = `fileRegistry:${m.assetType}`;
          if (!requested(cap)) fail('not_requested');
          const h = await options.pickAsset?.(m.assetType);
          if (!h) return fail('cancelled');
          if (!granted.includes(cap)) host.setGrants([...granted, cap]);
          return { token: h.token, name: h.name, mediaType: h.mediaType, bytes: h.bytes };
        });
        return;
      case 'readAsset':
        respond(m.id, () => {
          const a = Object.hasOwn(options.assets ?? {}, m.token) ? options.assets![m.token] : undefined;
          if (!a) return fail('token_invalid');
          return { mediaType: a.mediaType, name: a.name, data: bytesOf(a.data) };
        });
        return;
      case 'subscribe':
        respond(m.id, () => {
          if (options.topics && !(options.topics.subscribe ?? []).some((p) => patternCovers(p, m.topic))) fail('topic_not_declared');
          if (!granted.includes('crossCard:pubsub')) fail('not_granted');
          const r = bus.subscribe({
            id: m.sub, memberId: 'card', pluginId: pluginId(), pattern: m.topic, priority: m.priority ?? 0, once: m.once === true,
            from: m.from ?? null, responds: m.responds === true,
          });
          if (r !== 'ok') fail(r === 'too_many' ? 'rate_limited' : 'topic_not_declared');
          refreshSubscriptions();
          return { topic: m.topic };
        });
        return;
      case 'requestNetwork':
        networkRequests.push({ service: m.service, request: m.request });
        respond(m.id, async () => {
          if (!requested(`network:${m.service}`)) fail('not_requested');
          if (!options.network) return fail('not_configured');
          const a = await options.network(m.service, m.request);
          const head = { status: a.status ?? 200, headers: { ...a.headers } };
          if (m.request.stream !== true) return { ...head, body: a.body ?? (a.chunks ?? []).join('') };
          let bytes = 0;
          for (const data of a.chunks ?? (a.body === undefined ? [] : [a.body])) {
            bytes += new TextEncoder().encode(data).length;
            controller.receive({ type: 'networkChunk', id: m.id, data });
          }
          return { ...head, bytes };
        });
        return;
      case 'call':
        respond(m.id, async () => {
          // The person consents to a requested API (as the page asks them); unrequested ones are refused.
          if (options.capabilities === undefined || !options.capabilities.includes(`api:${m.pluginId}`)) return fail('api.not_granted', `This card may not call ${m.pluginId}.`);
          const handler = options.apis?.[m.pluginId]?.[m.method];
          if (!handler) return fail('api.unknown_method', `${m.pluginId} has no method "${m.method}".`);
          return structuredClone(await handler(structuredClone(m.input)));
        });
        return;
      case 'log': logs.push({ level: m.level, message: m.message }); return;
    }
  }

  const controller = createCardContext({
    card: {
      instanceId: 'w_0000000000000000', typeID: 'card', pluginId: 'dev.labyrinth.test', version: '1.0.0',
      ...options.card,
    },
    props: options.props ?? {},
    payload: options.payload ?? null,
    theme: options.themeTokens ?? {},
    active: options.active ?? true,
    bounds: options.bounds ?? { width: 320, height: 240 },
    grantedCapabilities: granted,
    limits: options.limits ?? DEFAULT_CARD_LIMITS,
    page: options.page ? { path: options.page.path, params: options.page.params ?? {} } : null,
  }, (msg) => {
    // Mirror the structured clone a real port does, so non-JSON payloads fail in tests too.
    const copy = structuredClone(msg);
    messages.push(copy);
    handle(copy);
  });

  const host: MockHost = {
    card: controller.ctx,
    messages, payloads, interactions, sizeRequests, published, requests, subscriptions, networkRequests, exports, navigations, logs,
    get granted() { return granted; },
    setProps(props) {
      controller.setProps(props);
      mounted?.update(props);
    },
    setActive: controller.setActive,
    setBounds: controller.setBounds,
    setTheme: controller.setTheme,
    setGrants(capabilities) {
      granted = [...capabilities];
      if (!granted.includes('crossCard:pubsub')) {
        bus.removeMember('card');
        subscriptions.clear();
      }
      controller.setGrants(granted);
    },
    pushAsset(h) {
      // Through structuredClone and the shared validator, as the frame sees it over a real port.
      const asset = assetHandleOf(structuredClone(h));
      if (asset) controller.pushAsset(asset);
      return asset !== null;
    },
    pushSelection(snapshot) {
      const selection = selectionSnapshotOf(structuredClone(snapshot));
      if (selection) controller.pushSelection(selection);
      return selection !== null;
    },
    revokeSelection(id = controller.ctx.selection?.id) {
      const valid = selectionIdOf(structuredClone(id));
      return valid !== null && controller.revokeSelection(valid);
    },
    emit(topic, payload, from = { typeID: 'other' }) {
      if (!granted.includes('crossCard:pubsub')) return false;
      const m = busMessage(topic, payload, 'host', from);
      const to = bus.publish(m).filter((sub) => sub.memberId === 'card');
      refreshSubscriptions();
      for (const sub of to) toCard(m, sub.id);
      return to.length > 0;
    },
    respond(pattern, handler) {
      const id = `mock${++busSeq}`;
      const r = bus.subscribe({ id, memberId: 'host', pluginId: 'dev.labyrinth.other', pattern, responds: true });
      if (r !== 'ok') throw new TypeError(`respond: ${r} (${pattern})`);
      mockResponders.set(id, handler);
      return () => { bus.unsubscribe(id); mockResponders.delete(id); };
    },
    request(topic, payload, from = { typeID: 'other' }) {
      const m = busMessage(topic, payload, 'host', from);
      const responder = granted.includes('crossCard:pubsub') ? bus.request(m, Number.MAX_SAFE_INTEGER) : null;
      if (!responder || responder.memberId !== 'card') return Promise.reject(new CardBridgeError('bus.no_responder', `The card does not answer "${topic}".`));
      bus.reply(m.id, 'card');
      return new Promise<JsonValue>((resolve, reject) => {
        replies.set(m.id, { resolve, reject });
        toCard(m, responder.id, m.id);
      });
    },
    async settle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      await Promise.resolve();
    },
    mount(mountPlugin, target) {
      mounted = mountCard(mountPlugin, target, controller.ctx.props, controller.ctx);
      return mounted;
    },
  };
  return host;
}

export { CardBridgeError };
export type { MountedCard };
