/**
 * Types shared by plugin cards, the card-frame bootstrap (`web/frame/`) and the host UI.
 *
 * The wire protocol is specified in `docs/api.md` ("Bridge protocol"); this file is its
 * TypeScript form. Change the document first, then these types.
 *
 * @packageDocumentation
 */

import type { ASSET_TYPES } from './protocol.ts';

/** Any value that survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (what `props` and `themeTokens` are). */
export type JsonObject = { [key: string]: JsonValue };

/**
 * Who this card instance is. Fixed for the lifetime of the frame.
 *
 * @example
 * ```ts
 * export function mountPlugin(target: HTMLElement, props: object, card: CardContext) {
 *   target.dataset.instance = card.card.instanceId;
 * }
 * ```
 */
export interface CardIdentity {
  /** Window id on the board (`"w_" + 16 hex`); stable across reloads of the board. */
  readonly instanceId: string;
  /** The card type from the manifest's `cards[].typeID`, e.g. `"hello"`. */
  readonly typeID: string;
  /** The plugin id from the manifest, e.g. `"dev.labyrinth.hello"`. */
  readonly pluginId: string;
  /** The plugin version serving this card, e.g. `"1.0.0"`. */
  readonly version: string;
}

/**
 * Theme tokens: design-token name → CSS value, e.g. `{ text: "#1b1b1f", surface: "#fff" }`.
 *
 * The bootstrap also sets every token as a CSS custom property `--lab-<name>` on the frame's
 * `<html>` element before the card mounts and whenever the theme changes, so most cards never
 * read this object and just write CSS with a fallback:
 *
 * @example
 * ```css
 * .card { color: var(--lab-text, #1b1b1f); background: var(--lab-surface, #ffffff); }
 * ```
 */
export type ThemeTokens = Readonly<Record<string, string>>;

/** Size of the card's viewport in CSS pixels. */
export interface Bounds {
  readonly width: number;
  readonly height: number;
}

/** Removes the callback it was returned for. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * Everything a card may do or know. It is the third argument of {@link MountPlugin} and,
 * for Svelte cards built with `labyrinth-build`, the `card` prop of the component.
 *
 * Every method only posts a message to the host: the host may ignore or refuse any of them
 * (validation, size limits, rate limits). Nothing here throws because of the host.
 *
 * @example
 * ```ts
 * export function mountPlugin(target: HTMLElement, props: { name?: string }, card: CardContext) {
 *   const button = document.createElement('button');
 *   let count = (card.payload as { count?: number } | null)?.count ?? 0;
 *   button.textContent = `Count: ${count}`;
 *   button.onclick = () => { count++; button.textContent = `Count: ${count}`; card.setPayload({ count }); };
 *   target.append(button);
 *   const off = card.onActive((active) => target.classList.toggle('active', active));
 *   return { destroy() { off(); button.remove(); } };
 * }
 * ```
 */
export interface CardContext {
  /** Identity of this card instance. */
  readonly card: CardIdentity;
  /**
   * The card's saved state: the last value given to {@link CardContext.setPayload} (locally
   * updated at once), or what the host loaded for this window. `null` for a new card.
   */
  readonly payload: JsonValue | null;
  /**
   * Current props (validated by the host against the manifest's `propsSchema`). Updated before
   * `update(props)` / remount runs when the host sends `propsChanged`.
   */
  readonly props: JsonObject;
  /** Current theme tokens (see {@link ThemeTokens}). */
  readonly theme: ThemeTokens;
  /** Whether the card is the active (focused, opened) card. */
  readonly active: boolean;
  /** The card's current viewport size. */
  readonly bounds: Bounds;

  /**
   * Saves the card's state. The host stores it apart from the board (≤ 1 MiB serialized) and
   * hands it back as {@link CardContext.payload} next time. Debounce frequent writes (typing).
   *
   * @example
   * ```ts
   * card.setPayload({ text, savedAt: Date.now() });
   * ```
   */
  setPayload(payload: JsonValue): void;

  /**
   * Calls `cb` whenever the card becomes active or inactive.
   *
   * @example
   * ```ts
   * const off = card.onActive((active) => { if (!active) video.pause(); });
   * ```
   */
  onActive(cb: (active: boolean) => void): Unsubscribe;

  /**
   * Calls `cb` whenever the card's viewport is resized.
   *
   * @example
   * ```ts
   * card.onBounds(({ width }) => chart.resize(width));
   * ```
   */
  onBounds(cb: (bounds: Bounds) => void): Unsubscribe;

  /**
   * Calls `cb` after the theme changed (the `--lab-*` CSS properties are already updated).
   *
   * @example
   * ```ts
   * card.onThemeChanged((t) => canvas.redraw(t.accent ?? '#4f46e5'));
   * ```
   */
  onThemeChanged(cb: (tokens: ThemeTokens) => void): Unsubscribe;

  /**
   * Calls `cb` after the props changed. Cards that return `update` from {@link MountPlugin}
   * rarely need it; plain-HTML cards use it instead.
   */
  onPropsChanged(cb: (props: JsonObject) => void): Unsubscribe;

  /**
   * Reports a user interaction the host may log or react to (`interactionEvent`).
   *
   * @example
   * ```ts
   * card.interaction('button-click', { id: 'save' });
   * ```
   */
  interaction(name: string, detail?: JsonValue): void;

  /**
   * Asks the host for a different card size in CSS pixels (`sizePreferenceChanged`). A hint:
   * the host clamps it to the manifest's `minSizePt` and may ignore it.
   */
  requestSize(width: number, height: number): void;

  /**
   * The capabilities the person granted this card instance right now, e.g.
   * `["fileRegistry:image", "crossCard:pubsub"]`. Only a subset of what the manifest requests;
   * grants come and go (see {@link CardContext.onGrantsChanged}). Use it to adapt the UI — the
   * host enforces grants either way.
   *
   * @example
   * ```ts
   * pickButton.hidden = !card.grantedCapabilities.includes('fileRegistry:image');
   * ```
   */
  readonly grantedCapabilities: readonly string[];

  /**
   * Calls `cb` with the new granted capabilities after a grant or revoke. A revoke has already
   * taken effect: pending requests that used it failed with `revoked`, and subscriptions are
   * gone when `crossCard:pubsub` was revoked.
   *
   * @example
   * ```ts
   * card.onGrantsChanged((caps) => { sendButton.disabled = !caps.includes('network:openai'); });
   * ```
   */
  onGrantsChanged(cb: (capabilities: readonly string[]) => void): Unsubscribe;

  /**
   * Asks the person to pick an asset of `type` (the host shows its own picker outside the
   * card). Resolves an opaque token for {@link CardContext.readAsset}; the card never learns the
   * asset's id or lists assets. The manifest must request `fileRegistry:<type>`; picking grants
   * it. Rejects {@link CardBridgeError} `cancelled` (closed the picker or the card),
   * `not_requested`, `suspended`.
   *
   * @example
   * ```ts
   * const { token, name } = await card.requestAsset('image');
   * card.setPayload({ imageToken: token, name }); // the token stays valid until revoked
   * ```
   */
  requestAsset(type: AssetType): Promise<AssetHandle>;

  /**
   * Reads a granted asset's bytes (a transferred `ArrayBuffer`). Rejects `token_invalid` for a
   * revoked token or another card's token, `revoked`, `timeout` (30 s).
   *
   * @example
   * ```ts
   * const { data, mediaType } = await card.readAsset(token);
   * img.src = URL.createObjectURL(new Blob([data], { type: mediaType }));
   * ```
   */
  readAsset(token: string): Promise<AssetData>;

  /**
   * Calls `cb` when the person gives this card an asset without it asking: dropping a file or
   * an asset onto the open card is an explicit grant (CSC §7). The token is already granted;
   * read it with {@link CardContext.readAsset}. `fileRegistry:<type>` must be in the manifest's
   * capabilities or the host never offers the drop.
   *
   * @example
   * ```ts
   * card.onAssetPushed(async ({ token, name }) => {
   *   const { data, mediaType } = await card.readAsset(token);
   *   show(name, new Blob([data], { type: mediaType }));
   * });
   * ```
   */
  onAssetPushed(cb: (asset: AssetHandle) => void): Unsubscribe;

  /**
   * The selection the person shares with this card now (Lasso → "Convert to Math", CSC §7), or
   * `null`: none pushed since the frame started, or the person revoked it. Only the selected
   * strokes and a PNG of them: never anything else of the board. The host pushes a share again
   * after every (re)load of the frame, with the same `id`: keep the id with what you derived
   * (in {@link CardContext.setPayload}) so a reload does not redo work over the person's edits.
   */
  readonly selection: SelectionSnapshot | null;

  /**
   * Calls `cb` with each selection the host pushes (`pushSelectionSnapshot`), already validated
   * by the bootstrap, and with `null` when the person revokes the share (`selectionRevoked`, from
   * the permissions panel): then drop the strokes, the image and anything you kept of them. A
   * listener registered after a push receives the current selection at once (nothing when it is
   * `null`).
   *
   * @example
   * ```ts
   * card.onSelection((s) => {
   *   if (!s) { img.removeAttribute('src'); label.textContent = 'The person revoked the shared ink.'; return; }
   *   label.textContent = `${s.strokes.length} strokes received`;
   *   img.src = URL.createObjectURL(new Blob([s.image.data], { type: s.image.mediaType }));
   * });
   * ```
   */
  onSelection(cb: (selection: SelectionSnapshot | null) => void): Unsubscribe;

  /**
   * Publishes a message on the person's workspace bus: every open card of theirs that subscribed
   * to a matching pattern receives it, across boards, tabs and devices (host-mediated, CSC §9).
   * Fire and forget: dropped unless the manifest declares `topic` under `topics.publish` and the
   * card holds `crossCard:pubsub`; ≤ 64 KiB of JSON; 50 per second per plugin. With
   * `{ target: pluginId }` only that plugin's cards receive it. Receivers learn your plugin id and
   * typeID, never your instance or board.
   *
   * @example
   * ```ts
   * card.publish('timer:countdown:finished', { label: 'Tea' });
   * card.publish('notes:item:created', { id: 7 }, { target: 'dev.labyrinth.notes' });
   * ```
   */
  publish(topic: string, payload: JsonValue, options?: PublishOptions): void;

  /**
   * Subscribes to a topic or pattern (`*` = one whole segment) within the manifest's
   * `topics.subscribe`. Resolves once the host accepted, with the function that ends this
   * subscription. Higher `priority` is delivered first (ties: subscription order); `once` ends
   * after the first message; `from` keeps only messages from that plugin. Rejects
   * `topic_not_declared`, `not_granted` (needs `crossCard:pubsub`), `rate_limited` (64 per card),
   * `timeout`.
   *
   * @example
   * ```ts
   * const off = await card.subscribe('timer:*:finished', (payload, { from }) => {
   *   log(`${from.typeID} finished`, payload);
   * }, { priority: 10 });
   * ```
   */
  subscribe(topic: string, cb: (payload: JsonValue, event: TopicEvent) => void, options?: SubscribeOptions): Promise<Unsubscribe>;

  /** Ends every subscription and responder of exactly `topic` made by this card. */
  unsubscribe(topic: string): void;

  /**
   * Answers requests on a topic or pattern (within `topics.subscribe`): the host gives each
   * request to exactly one responder — the highest `priority`, then the earliest — among every open
   * card of the person, never the asker itself. Return the answer (or a promise of it); a throw
   * answers `bus.responder_failed` with its message.
   *
   * @example
   * ```ts
   * const off = await card.respond('math:expression:evaluate', async ({ latex }) => ({ value: evaluate(latex) }));
   * ```
   */
  respond(topic: string, handler: (payload: JsonValue, event: TopicEvent) => JsonValue | Promise<JsonValue>, options?: RespondOptions): Promise<Unsubscribe>;

  /**
   * Asks the one responder of `topic` (declared under `topics.publish`) and resolves its answer.
   * Rejects `bus.no_responder` (nobody answers it), `bus.timeout` (default 5 s, at most 30 s),
   * `bus.responder_failed`, and the refusals of {@link CardContext.publish}; 20 per second per plugin.
   *
   * @example
   * ```ts
   * try {
   *   const { value } = await card.request('math:expression:evaluate', { latex: 'x^2' }, { timeout: 2000 }) as { value: number };
   * } catch (e) {
   *   if (e instanceof CardBridgeError && e.code === 'bus.no_responder') showHint('Open a Math card to evaluate.');
   * }
   * ```
   */
  request(topic: string, payload: JsonValue, options?: RequestOptions): Promise<JsonValue>;

  /**
   * The most recent messages on the person's bus (oldest first, at most `limit`, default 100, of
   * the last 1,000) whose topic matches `pattern` and that this card may receive: within its
   * declared `topics.subscribe`, and not targeted at another plugin. Needs `crossCard:pubsub`.
   *
   * @example
   * ```ts
   * const last = (await card.history('timer:*:finished', { limit: 1 }))[0];
   * if (last) show(last.payload);
   * ```
   */
  history(pattern: string, options?: { limit?: number }): Promise<BusHistoryEntry[]>;

  /**
   * Calls a network service through the host's broker (the card never sees the secret). The
   * manifest must request `network:<service>`; the host asks the person for consent first.
   * With `request.stream` the text arrives in order through `onChunk` and the result carries
   * `bytes` instead of `body`. Aborting `signal` cancels the request (rejects `cancelled`).
   * Other rejections: `not_requested`, `denied`, `revoked`, `not_configured`,
   * `upstream_failed`, `rate_limited`, `too_large`, `timeout`, and `invalid_request` when the
   * host will not forward the request as built (a header it does not pass on, such as
   * `Authorization` or `X-HTTP-Method-Override`; a body on a GET; `stream` towards a service
   * without streaming; a path or method the service does not allow) — its message names what to change.
   *
   * @example
   * ```ts
   * const res = await card.requestNetwork('openai', {
   *   method: 'POST', path: '/chat/completions', stream: true,
   *   headers: { 'content-type': 'application/json' },
   *   body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages }),
   * }, { onChunk: (text) => parser.push(text), signal: stop.signal });
   * ```
   */
  requestNetwork(service: string, request: NetworkRequest, options?: NetworkOptions): Promise<NetworkResponse>;

  /**
   * Calls a method of another plugin's API (its manifest's `api.methods`), answered by that
   * plugin's background service, which the host starts in this tab when needed. The manifest
   * must request `api:<pluginId>`; the host asks the person once, like any capability. The host
   * checks `input` against the method's input schema before the provider sees it and the answer
   * against its output schema before you do; the provider learns your plugin id, nothing else.
   * Rejects {@link CardBridgeError} `api.not_granted`, `api.unknown_method`, `api.invalid_input`
   * and `api.invalid_output` (with `problems`: JSON pointers into the value), `api.timeout`
   * (default 5 s, at most 30 s), `api.provider_failed`, `api.provider_unavailable`,
   * `api.rate_limited` (20 per second per plugin), `api.too_large` (64 KiB).
   *
   * @example
   * ```ts
   * try {
   *   const { text } = await card.call('dev.labyrinth.clock', 'formatTime', { zone: 'Europe/Paris' }, { timeout: 2000 }) as { text: string };
   *   label.textContent = text;
   * } catch (e) {
   *   if (e instanceof CardBridgeError && e.code === 'api.invalid_input') console.warn(e.problems);
   * }
   * ```
   */
  call(pluginId: string, method: string, input?: JsonValue, options?: CallOptions): Promise<JsonValue>;

  /**
   * The plugin's configuration as an admin set it on the plugin's page (the manifest's
   * `configSchema`), with the schema's defaults filled in. Never holds a field marked
   * `"secret": true`: those stay on the server. Updated before {@link CardContext.onConfigChanged}
   * listeners run.
   *
   * @example
   * ```ts
   * const zone = typeof card.config.timeZone === 'string' ? card.config.timeZone : 'UTC';
   * ```
   */
  readonly config: JsonObject;

  /**
   * Calls `cb` with the new configuration after an admin saved it (pushed live to every open
   * card and service of the plugin).
   *
   * @example
   * ```ts
   * card.onConfigChanged((config) => render(String(config.timeZone ?? 'UTC')));
   * ```
   */
  onConfigChanged(cb: (config: JsonObject) => void): Unsubscribe;

  /**
   * The plugin's key/value storage on the server (see {@link PluginStorage}): `user` scope is the
   * person's own, `workspace` scope is shared by everyone on this host. Needs `storage:read` /
   * `storage:write` (asked once per card like other capabilities); writing the workspace scope
   * also needs `storage:workspace-write`, which only an admin grants.
   *
   * @example
   * ```ts
   * const saved = await card.storage.get('layout');
   * await card.storage.set('layout', grid, { ifVersion: saved?.version ?? 0 });
   * ```
   */
  readonly storage: PluginStorage;

  /**
   * Writes to the plugin's log, which admins read on the plugin's page (last 1,000 lines, 10
   * lines per second per person). Arguments are joined into one line of at most 500 characters;
   * the host removes control characters and anything shaped like a credential. `error` lines are
   * counted in `/metrics`.
   *
   * @example
   * ```ts
   * card.log.info('loaded', items.length, 'items');
   * card.log.error('could not parse the saved state', e);
   * ```
   */
  readonly log: PluginLog;

  /**
   * Tells the host the person asked to export something (`exportRequested`), e.g. from the
   * card's own menu. Recorded by the host; nothing is returned.
   *
   * @example
   * ```ts
   * card.exportRequested('csv', { rows: 120 });
   * ```
   */
  exportRequested(kind: string, data?: JsonValue): void;

  /**
   * On a plugin page (manifest `pages[]`): which page this is and the query parameters of its
   * address (`/apps/{pluginId}/{path}?zone=utc` → `{ zone: 'utc' }`). `null` in a card.
   *
   * @example
   * ```ts
   * const zone = card.page?.params.zone ?? 'UTC';
   * ```
   */
  readonly page: PageInfo | null;

  /**
   * On a plugin page: goes to another page of the same plugin (`path` as in the manifest, `""`
   * for the home page), with optional query parameters. The host changes its own address (so
   * back/forward and deep links work) and mounts that page; a path the plugin does not declare,
   * or one the person may not open, is refused by the host. Throws in a card.
   *
   * @example
   * ```ts
   * link.onclick = () => card.navigate('reports/monthly', { year: '2026' });
   * ```
   */
  navigate(path: string, params?: Readonly<Record<string, string>>): void;
}

/** Where a plugin page is: its manifest path and its address's query parameters (strings). */
export interface PageInfo {
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
}

/** File Registry asset kinds; `fileRegistry:<type>` is the matching capability. */
export type AssetType = (typeof ASSET_TYPES)[number];

/**
 * What {@link CardContext.requestAsset} resolves and {@link CardContext.onAssetPushed} delivers:
 * an opaque, per-card, revocable token.
 */
export interface AssetHandle {
  readonly token: string;
  readonly name: string;
  readonly mediaType: string;
  readonly bytes: number;
}

/** What {@link CardContext.readAsset} resolves. */
export interface AssetData {
  readonly mediaType: string;
  readonly name: string;
  readonly data: ArrayBuffer;
}

/** Where a stored value lives: the person's own (`user`) or shared by everyone on this host (`workspace`). */
export type StorageScope = 'user' | 'workspace';

/** Options naming the scope; `user` when omitted. */
export interface StorageScopeOptions {
  scope?: StorageScope;
}

/** Options of {@link PluginStorage.set} and {@link PluginStorage.delete}. */
export interface StorageWriteOptions extends StorageScopeOptions {
  /**
   * Write only if the stored version is this one (`0`: only if the key does not exist yet);
   * otherwise the call rejects `storage.version_conflict` and nothing changes. Without it the
   * write always wins.
   */
  ifVersion?: number;
}

/** A stored value and its version (each write adds one). */
export interface StorageItem {
  readonly key: string;
  readonly value: JsonValue;
  readonly version: number;
  /** ISO 8601, UTC. */
  readonly updatedAt: string;
}

/** What {@link PluginStorage.set} resolves: the new version. */
export interface StorageWriteResult {
  readonly key: string;
  readonly version: number;
  readonly updatedAt: string;
}

/** One key of {@link PluginStorage.list}: its size in UTF-8 bytes of JSON, not its value. */
export interface StorageEntry {
  readonly key: string;
  readonly version: number;
  readonly bytes: number;
  readonly updatedAt: string;
}

/**
 * Per-plugin key/value storage on the server. Keys are 1–256 characters; a value is JSON of at
 * most 256 KiB (UTF-8); each scope of a plugin holds at most the host's quota (10 MiB unless an
 * admin changed it) — the person's own `user` scope counts for them alone. Rejects
 * {@link CardBridgeError} `not_requested`, `not_granted`, `storage.invalid`,
 * `storage.too_large`, `storage.quota_exceeded`, `storage.version_conflict`.
 *
 * @example
 * ```ts
 * const item = await storage.get('layout');                // null when unset
 * try {
 *   await storage.set('layout', next, { ifVersion: item?.version ?? 0 });
 * } catch (e) {
 *   if (e instanceof CardBridgeError && e.code === 'storage.version_conflict') reload();
 * }
 * for (const { key, bytes } of await storage.list('notes/')) console.debug(key, bytes);
 * ```
 */
export interface PluginStorage {
  get(key: string, options?: StorageScopeOptions): Promise<StorageItem | null>;
  set(key: string, value: JsonValue, options?: StorageWriteOptions): Promise<StorageWriteResult>;
  /** Resolves whether a value was deleted. */
  delete(key: string, options?: StorageWriteOptions): Promise<boolean>;
  /** Keys starting with `prefix` (all when empty), in key order, at most 1,000. */
  list(prefix?: string, options?: StorageScopeOptions): Promise<StorageEntry[]>;
}

/**
 * One ink stroke of a {@link SelectionSnapshot}: points `[x, y, pressure]` in card-local board
 * units (y grows downward), pressure in 0..1; `color` is a CSS color, `width` the pen width.
 */
export interface InkStroke {
  readonly points: readonly (readonly [number, number, number])[];
  readonly color: string;
  readonly width: number;
}

/**
 * What the person shared by an explicit action (CSC §6.1 / §7): only the selected strokes and a
 * PNG of them. Frozen; the bootstrap drops a malformed snapshot whole (see `docs/api.md`).
 */
export interface SelectionSnapshot {
  /** Opaque id of this share. */
  readonly id: string;
  /** The selected strokes only, in drawing order. */
  readonly strokes: readonly InkStroke[];
  /** Their bounding box; (0,0) is its top-left corner, in board world units. */
  readonly width: number;
  readonly height: number;
  /** A PNG of the strokes (transferred). */
  readonly image: { readonly mediaType: 'image/png'; readonly data: ArrayBuffer };
  /** ISO 8601. */
  readonly createdAt: string;
}

/** Who sent a bus message: its plugin and card type, never its instance, board or state. */
export interface BusSender {
  readonly pluginId: string;
  readonly typeID: string;
}

/** Second argument of a {@link CardContext.subscribe} callback and of a responder. */
export interface TopicEvent {
  /** The concrete topic published (the subscription may have been a pattern). */
  readonly topic: string;
  readonly from: BusSender;
  /** The message id (the same in every tab that receives it). */
  readonly id: string;
  /** When the sender's page sent it (ms since the epoch). */
  readonly timestamp: number;
  /** The plugin it was targeted at, or null for everyone. */
  readonly target: string | null;
}

/** One message of {@link CardContext.history}. */
export interface BusHistoryEntry {
  readonly id: string;
  readonly topic: string;
  readonly payload: JsonValue;
  readonly from: BusSender;
  readonly target: string | null;
  readonly ts: number;
}

/** Options of {@link CardContext.publish}. */
export interface PublishOptions {
  /** Only this plugin's cards receive it. */
  target?: string;
}

/** Options of {@link CardContext.subscribe}. */
export interface SubscribeOptions {
  /** Higher first, −1000…1000, default 0; ties in subscription order. */
  priority?: number;
  /** End the subscription after its first message. */
  once?: boolean;
  /** Only messages sent by this plugin. */
  from?: string;
}

/** Options of {@link CardContext.respond}. */
export interface RespondOptions {
  /** The highest-priority responder answers; −1000…1000, default 0. */
  priority?: number;
}

/** Options of {@link CardContext.request}. */
export interface RequestOptions {
  /** Milliseconds to wait for the answer: default 5,000, at most 30,000. */
  timeout?: number;
  /** Only a responder of this plugin may answer. */
  target?: string;
}

/** A broker request: `path` is relative to the service's base URL (no absolute URLs). */
export interface NetworkRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  stream?: boolean;
}

/** Options of {@link CardContext.requestNetwork}. */
export interface NetworkOptions {
  /** Streamed text, in order (SSE stays SSE text). */
  onChunk?: (data: string) => void;
  /** Aborting cancels the request. */
  signal?: AbortSignal;
}

/** The broker's answer; `body` for non-streamed requests, `bytes` for streamed ones. */
export interface NetworkResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly bytes?: number;
}

/** Codes of {@link CardBridgeError}. */
export type CardBridgeErrorCode =
  | 'not_requested' | 'not_granted' | 'cancelled' | 'suspended' | 'token_invalid' | 'topic_not_declared'
  | 'denied' | 'revoked' | 'not_configured' | 'upstream_failed' | 'rate_limited' | 'too_large' | 'timeout'
  | 'invalid_request' | 'not_supported' | 'bus.no_responder' | 'bus.timeout' | 'bus.responder_failed'
  | ApiErrorCode | StorageErrorCode;

/** How a {@link PluginStorage} call fails beyond capabilities. */
export type StorageErrorCode = 'storage.invalid' | 'storage.too_large' | 'storage.quota_exceeded' | 'storage.version_conflict';

/** How a {@link CardContext.call} fails. */
export type ApiErrorCode =
  | 'api.not_granted' | 'api.unknown_method' | 'api.invalid_input' | 'api.invalid_output' | 'api.timeout'
  | 'api.provider_failed' | 'api.provider_unavailable' | 'api.rate_limited' | 'api.too_large' | 'api.invalid';

/** One schema problem of a call's input or output: a JSON pointer into the value and a sentence. */
export interface ApiProblem {
  readonly pointer: string;
  readonly message: string;
}

/** Options of {@link CardContext.call}. */
export interface CallOptions {
  /** Milliseconds to wait for the answer: default 5,000, at most 30,000. */
  timeout?: number;
}

/** `log.info/warn/error` of cards and services (see {@link CardContext.log}). */
export interface PluginLog {
  info(...parts: unknown[]): void;
  warn(...parts: unknown[]): void;
  error(...parts: unknown[]): void;
}

/**
 * Why a service starts: first use in this tab (`started`), its plugin enabled again after it ran
 * here (`enabled`), a new version (`upgraded`), a restart the person asked for or a crash
 * (`restarted`), or an admin changed the configuration of a service that had failed
 * (`configChanged`: a running service gets {@link ServiceContext.onConfigChanged} instead).
 */
export type ActivateReason = 'started' | 'enabled' | 'upgraded' | 'restarted' | 'configChanged';

/**
 * Why a service stops: nothing needed it for a while (`idle`), an admin disabled, killed or
 * uninstalled its plugin, the person stopped it in Running apps (`stopped`), a new version
 * replaces it (`upgraded`), or the tab closes (`closed`, best effort).
 */
export type DeactivateReason = 'idle' | 'disabled' | 'killed' | 'uninstalled' | 'stopped' | 'upgraded' | 'closed';

/** Which service this is. */
export interface ServiceIdentity {
  readonly pluginId: string;
  readonly version: string;
  /** `services[].id` in the manifest. */
  readonly serviceId: string;
}

/**
 * What a background service may do: the bus and plugin APIs, without a canvas, a person or their
 * board (CSC §14). Grants are the admin's (`services[].capabilities`), read-only here.
 */
export interface ServiceContext extends Pick<CardContext,
  'grantedCapabilities' | 'onGrantsChanged' | 'publish' | 'subscribe' | 'unsubscribe' | 'respond' | 'request' | 'history' | 'call' | 'log'
  | 'config' | 'onConfigChanged' | 'storage'> {
  readonly service: ServiceIdentity;
}

/** Who is calling an API method: a plugin id, never a card, a board or a person. */
export interface ApiCallInfo {
  readonly caller: string;
}

/** An API method's implementation; the host validated `input` already and validates what it returns. */
export type ApiHandler = (input: JsonValue, call: ApiCallInfo) => JsonValue | Promise<JsonValue>;

/**
 * A background service (`services[]` in the manifest): export it from the entry module as
 * `service`. Every member is optional. The host starts the service in a hidden frame on the
 * plugin's card origin when something needs it in a person's tab (one of its plugin's cards
 * opens, or a card or service calls its API), stops it when idle, restarts it with backoff after
 * a crash, and pings it like a card (5 s without an answer is a hang: it is restarted).
 *
 * @example
 * ```ts
 * import { defineService } from '@labyrinth/sdk';
 *
 * export const service = defineService({
 *   onActivate(ctx, { reason }) { ctx.log.info('started:', reason); },
 *   onDeactivate({ reason }) { console.debug('stopping:', reason); },
 *   onMessage: { 'timer:*:finished': (payload, e) => console.debug(e.from.pluginId, payload) },
 *   api: {
 *     formatTime: ({ epochMs, zone }) => ({ text: new Date(epochMs).toLocaleTimeString('en-GB', { timeZone: zone }) }),
 *   },
 * });
 * ```
 */
export interface ServiceDefinition {
  /** Runs once the frame is up, before any call is delivered; a throw or rejection is a crash (restarted with backoff). */
  onActivate?(ctx: ServiceContext, event: { reason: ActivateReason }): void | Promise<void>;
  /** Runs before the frame goes; at most 2 s. */
  onDeactivate?(event: { reason: DeactivateReason }): void | Promise<void>;
  /** Topic pattern (within `topics.subscribe`) → handler, subscribed after `onActivate`. */
  onMessage?: Readonly<Record<string, (payload: JsonValue, event: TopicEvent) => void>>;
  /** The methods of the manifest's `api.methods`, by name. */
  api?: Readonly<Record<string, ApiHandler>>;
}

/** The shape of a built service module (what the bootstrap imports). */
export interface ServiceModule {
  service: ServiceDefinition;
}

/**
 * What {@link MountPlugin} returns: a destroy function, or an object with `destroy` and,
 * optionally, `update`.
 *
 * If `update` is present the bootstrap calls it when the host changes props and the card keeps
 * its state (DOM, focus, counters). Without it the bootstrap destroys and remounts the card.
 */
export type MountResult = (() => void) | {
  /** Removes everything the card added to `target` and stops its timers/listeners. */
  destroy(): void;
  /** Applies new props in place. Optional. */
  update?(props: JsonObject): void;
} | void;

/**
 * The one export a JS card entry must have. `labyrinth-build` generates it for Svelte cards.
 *
 * - `target` is the frame's `#root` element (or `<body>`); own it completely.
 * - `props` are the validated props (also in `card.props`).
 * - `card` is the {@link CardContext}.
 *
 * Mount synchronously (do not return a promise). Throwing reports
 * `error { code: "mount_failed" }` to the host, and the frame shows the message.
 *
 * @example
 * ```ts
 * import type { MountPlugin } from '@labyrinth/sdk';
 *
 * export const mountPlugin: MountPlugin = (target, props, card) => {
 *   const h = document.createElement('h1');
 *   const render = (p: typeof props) => { h.textContent = `Hello, ${String(p.name ?? 'world')}!`; };
 *   render(props);
 *   target.append(h);
 *   return { update: render, destroy: () => h.remove() };
 * };
 * ```
 */
export type MountPlugin<P extends JsonObject = JsonObject> = (
  target: HTMLElement,
  props: P,
  card: CardContext,
) => MountResult;

/**
 * Props a Svelte card component built by `labyrinth-build` receives: the user props, plus
 * `card`. Declare them with `$props()`.
 *
 * @example
 * ```svelte
 * <script lang="ts">
 *   import type { CardProps } from '@labyrinth/sdk';
 *   let { name = 'world', card }: CardProps<{ name?: string }> = $props();
 * </script>
 * <h1>Hello, {name}!</h1>
 * ```
 */
export type CardProps<P extends object = JsonObject> = P & { card: CardContext };

/** The shape of a built JS card module (what the bootstrap imports). */
export interface CardModule {
  mountPlugin: MountPlugin;
  /** Svelte cards also export the component itself. */
  default?: unknown;
}

/** Card-reported error codes (`error` message). */
export type CardErrorCode = 'mount_failed' | 'load_failed' | 'runtime';

// ---------------------------------------------------------------------------------------------
// Bridge messages (docs/api.md, "Bridge protocol"). Sent over the MessagePort.
// ---------------------------------------------------------------------------------------------

/**
 * The one window message of the protocol: the bootstrap posts it to `window.parent` first thing,
 * transferring one end of the bridge channel. The host reads only the event's `source` and
 * `ports` (never its data, so a card cannot stall the host page with a huge message), takes the
 * first port its frame offers, and treats any later port from that frame as a navigation.
 */
export interface HelloMessage {
  type: 'labyrinth:hello';
  protocol: 2;
}

/** Error carried by a failed `response`. */
export interface BridgeError {
  code: string;
  message: string;
}

/**
 * The sizes a card's messages must keep, in UTF-8 bytes of their JSON, as the host publishes them
 * (`GET /api/cards/limits`); the card learns them in {@link InitMessage}.
 */
export interface CardLimits {
  /** Any message but card state and snapshots. */
  maxMessageBytes: number;
  /** Card state (`setPayload`). */
  maxPayloadBytes: number;
  /** A bus payload (`publish`, `request`, a reply). */
  maxPublishBytes: number;
  /** A closed card's picture, decoded image bytes. */
  maxSnapshotBytes: number;
}

/** Host → card: first message; carries everything needed to mount. */
export interface InitMessage {
  type: 'init';
  card: CardIdentity;
  props: JsonObject;
  payload: JsonValue | null;
  themeTokens: Record<string, string>;
  bounds: Bounds;
  active: boolean;
  grantedCapabilities: string[];
  limits: CardLimits;
  /** Set when the frame is a plugin page (props `{}`, payload `null`). */
  page?: PageInfo | null;
  /** The plugin's configuration without secret fields (see {@link CardContext.config}). */
  config: JsonObject;
}
export interface PropsChangedMessage { type: 'propsChanged'; props: JsonObject }
export interface SetActiveMessage { type: 'setActive'; active: boolean }
export interface SetBoundsMessage { type: 'setBounds'; bounds: Bounds }
export interface ThemeChangedMessage { type: 'themeChanged'; themeTokens: Record<string, string> }
/** Watchdog: answer with {@link PongMessage} carrying the same `seq`. */
export interface PingMessage { type: 'ping'; seq: number }
/**
 * Bus delivery to the card's subscription `sub`; with `rid` it is a request for the responder
 * `sub`, answered with {@link ReplyMessage}.
 */
export interface EventMessage {
  type: 'event'; sub: string; id: string; topic: string; payload: JsonValue; from: { pluginId: string; typeID: string };
  target: string | null; ts: number; rid?: string;
}
/** One piece of a streamed network answer, before its `response`. */
export interface NetworkChunkMessage { type: 'networkChunk'; id: string; data: string }
/** The card is closing: answer {@link SnapshotMessage} with an image of at most `maxBytes`. */
export interface CaptureSnapshotMessage { type: 'captureSnapshot'; id: string; maxBytes: number }
export interface GrantsChangedMessage { type: 'grantsChanged'; capabilities: string[] }
/**
 * The person entered the card (clicked into it, opened it, pressed Enter on it) or left it. Until
 * entered, the bootstrap keeps `focus()` from taking keyboard focus. Handled by the bootstrap.
 */
export interface SetFocusAllowedMessage { type: 'setFocusAllowed'; allowed: boolean }
/** The person dropped an asset on the open card (an explicit grant). */
export interface PushAssetMessage { type: 'pushAsset'; asset: AssetHandle }
/** Host → card, only after an explicit user action (CSC §6.1 pushSelectionSnapshot); `image.data` is transferred. */
export interface PushSelectionSnapshotMessage { type: 'pushSelectionSnapshot'; selection: SelectionSnapshot }
/** Host → card: the person revoked the share `id` (the permissions panel); the card drops it. */
export interface SelectionRevokedMessage { type: 'selectionRevoked'; id: string }
/** Answer to a card request carrying `id`. */
export type ResponseMessage =
  | { type: 'response'; id: string; ok: true; result?: JsonValue }
  | { type: 'response'; id: string; ok: false; error: BridgeError };

/** Host → service: first message of a service frame (instead of `init`). */
export interface InitServiceMessage { type: 'initService'; service: ServiceIdentity; reason: ActivateReason; grantedCapabilities: string[]; config: JsonObject }
/** Host → card or service: an admin saved the plugin's configuration (secret fields left out). */
export interface ConfigChangedMessage { type: 'configChanged'; config: JsonObject }
/** Host → service: a call of one of its API methods; answer with {@link ApiAnswerMessage}. `caller` is a plugin id. */
export interface ApiCallMessage { type: 'apiCall'; cid: string; method: string; input: JsonValue; caller: string }
/** Host → service: stop; answer {@link DeactivatedMessage} once `onDeactivate` settled. */
export interface DeactivateMessage { type: 'deactivate'; reason: DeactivateReason }

/** Every message the host may send on the port. */
export type HostToCardMessage =
  | InitMessage
  | PropsChangedMessage
  | SetActiveMessage
  | SetBoundsMessage
  | ThemeChangedMessage
  | PingMessage
  | ResponseMessage
  | EventMessage
  | NetworkChunkMessage
  | CaptureSnapshotMessage
  | GrantsChangedMessage
  | SetFocusAllowedMessage
  | PushAssetMessage
  | PushSelectionSnapshotMessage
  | SelectionRevokedMessage
  | InitServiceMessage
  | ApiCallMessage
  | DeactivateMessage
  | ConfigChangedMessage;

/** Card → host: mounted; `loadMs` = bootstrap start → mounted. Sent once. */
export interface ReadyMessage { type: 'ready'; loadMs: number }
/** ≤ `limits.maxPayloadBytes` (default 1 MiB) of UTF-8 JSON. */
export interface SetPayloadMessage { type: 'setPayload'; payload: JsonValue }
export interface SizePreferenceChangedMessage { type: 'sizePreferenceChanged'; width: number; height: number }
export interface InteractionEventMessage { type: 'interactionEvent'; name: string; detail?: JsonValue }
/** `message` ≤ 500 characters (the bootstrap truncates). */
export interface ErrorMessage { type: 'error'; code: CardErrorCode; message: string }
export interface PongMessage { type: 'pong'; seq: number }
/** Request ids: 1–64 of `[A-Za-z0-9_-]`, unique while pending. */
export interface RequestAssetMessage { type: 'requestAsset'; id: string; assetType: AssetType }
export interface ReadAssetMessage { type: 'readAsset'; id: string; token: string }
/** Payload ≤ 64 KiB serialized. */
export interface PublishMessage { type: 'publish'; topic: string; payload: JsonValue; target?: string }
/** `sub`: the card's own id for this subscription (request id rules); `responds` makes it a responder. */
export interface SubscribeMessage {
  type: 'subscribe'; id: string; topic: string; sub: string; priority?: number; once?: boolean; from?: string; responds?: boolean;
}
export interface UnsubscribeMessage { type: 'unsubscribe'; sub: string }
/** A bus request; the response carries the responder's answer. Payload ≤ 64 KiB. */
export interface BusRequestMessage { type: 'request'; id: string; topic: string; payload: JsonValue; target?: string; timeoutMs?: number }
/** A responder's answer to the request `rid` it was given (an {@link EventMessage} with `rid`). */
export type ReplyMessage =
  | { type: 'reply'; rid: string; ok: true; result: JsonValue }
  | { type: 'reply'; rid: string; ok: false; error: { message: string } };
/** Bus history; the response is `{ messages: BusHistoryEntry[] }`. */
export interface HistoryMessage { type: 'history'; id: string; topic: string; limit?: number }
export interface RequestNetworkMessage { type: 'requestNetwork'; id: string; service: string; request: NetworkRequest }
export interface CancelRequestMessage { type: 'cancelRequest'; id: string }
/**
 * A {@link PluginStorage} operation; the response is a {@link StorageItem} or null (`get`), a
 * {@link StorageWriteResult} (`set`), `{ deleted: boolean }` (`delete`) or
 * `{ entries: StorageEntry[] }` (`list`).
 */
export type StorageMessage =
  | { type: 'storage'; id: string; op: 'get'; scope: StorageScope; key: string }
  | { type: 'storage'; id: string; op: 'set'; scope: StorageScope; key: string; value: JsonValue; ifVersion?: number }
  | { type: 'storage'; id: string; op: 'delete'; scope: StorageScope; key: string; ifVersion?: number }
  | { type: 'storage'; id: string; op: 'list'; scope: StorageScope; prefix: string };
export interface CallMessage { type: 'call'; id: string; pluginId: string; method: string; input: JsonValue; timeoutMs?: number }
/** A log line: `message` ≤ 500 characters. */
export interface LogMessage { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
/** A service's answer to {@link ApiCallMessage} `cid`. */
export type ApiAnswerMessage =
  | { type: 'apiAnswer'; cid: string; ok: true; result: JsonValue }
  | { type: 'apiAnswer'; cid: string; ok: false; error: { message: string } };
/** The service finished `onDeactivate`. */
export interface DeactivatedMessage { type: 'deactivated' }
export interface ExportRequestedMessage { type: 'exportRequested'; kind: string; data?: JsonValue }
/** Answer to {@link CaptureSnapshotMessage}: `data:image/(png|jpeg|webp);base64,…`, ≤ 280,000 chars. */
export interface SnapshotMessage { type: 'snapshot'; id: string; dataUrl: string }
/** The bootstrap kept the card from taking focus it was not given (the host counts `focus_steal`). */
export interface FocusBlockedMessage { type: 'focusBlocked' }
/** The person pressed Escape in the card and the card did not handle it: focus goes back to the host. */
export interface FocusLeaveMessage { type: 'focusLeave' }
/** A plugin page asks the host to go to another of its plugin's pages (see {@link CardContext.navigate}). */
export interface NavigateMessage { type: 'navigate'; path: string; params?: Record<string, string> }

/** Every message a card may send on the port. */
export type CardToHostMessage =
  | ReadyMessage
  | SetPayloadMessage
  | SizePreferenceChangedMessage
  | InteractionEventMessage
  | ErrorMessage
  | PongMessage
  | RequestAssetMessage
  | ReadAssetMessage
  | PublishMessage
  | SubscribeMessage
  | UnsubscribeMessage
  | BusRequestMessage
  | ReplyMessage
  | HistoryMessage
  | RequestNetworkMessage
  | CancelRequestMessage
  | CallMessage
  | StorageMessage
  | ExportRequestedMessage
  | SnapshotMessage
  | LogMessage
  | ApiAnswerMessage
  | DeactivatedMessage
  | FocusBlockedMessage
  | FocusLeaveMessage
  | NavigateMessage;

/** Discriminant of {@link HostToCardMessage}. */
export type HostToCardType = HostToCardMessage['type'];
/** Discriminant of {@link CardToHostMessage}. */
export type CardToHostType = CardToHostMessage['type'];

// ---------------------------------------------------------------------------------------------
// Manifest (the subset labyrinth-build reads; the host validates the full document).
// ---------------------------------------------------------------------------------------------

/** `cards[].runtime` in `manifest.json`. */
export interface CardRuntime {
  kind: 'web';
  /** Output path inside `dist/`, e.g. `cards/hello.js` or `cards/page.html`. */
  entry: string;
  /** Source file for JS entries (`.svelte`, `.ts`, `.js`); stripped from `dist/manifest.json`. */
  source?: string;
}

/** One entry of `cards` in `manifest.json`. */
export interface CardManifest {
  typeID: string;
  name: string;
  icon?: string;
  runtime: CardRuntime;
  defaultSizePt: { width: number; height: number };
  minSizePt?: { width: number; height: number };
  capabilities?: string[];
  propsSchema?: JsonObject | null;
  /** Pub/sub topics (`<domain>:<entity>:<action>`); `subscribe` entries may use `*` segments. */
  topics?: { publish?: string[]; subscribe?: string[] };
}

/** One entry of `services` in `manifest.json`. */
export interface ServiceManifest {
  id: string;
  /** Output path inside `dist/`, e.g. `services/main.js`. */
  entry: string;
  /** Only `crossCard:pubsub` and `api:<pluginId>`; an admin grants them. */
  capabilities?: string[];
  topics?: { publish?: string[]; subscribe?: string[] };
}

/** One entry of `pages` in `manifest.json`: mounted at `/apps/{pluginId}/{path}`. */
export interface PageManifest {
  /** Lower-case segments separated by `/`; `""` is the plugin's home page. */
  path: string;
  title: string;
  icon?: string;
  /** Output path inside `dist/`, e.g. `pages/overview.js` (or an `.html` file). */
  entry: string;
  /** Source file for JS entries (`.svelte`, `.ts`, `.js`); stripped from `dist/manifest.json`. */
  source?: string;
  /** The navigation entry, or `null` for none. */
  nav?: { section: string; order?: number } | null;
  /** The host's guard: the role that may open the page, and the capabilities it uses (an admin grants them). */
  requires?: { role?: 'admin' | 'member'; capabilities?: string[] };
  topics?: { publish?: string[]; subscribe?: string[] };
}

/** `api` in `manifest.json`: methods with JSON Schemas (a draft-07 subset; see docs/plugin-authoring.md). */
export interface ApiManifest {
  version: string;
  service?: string;
  methods: Record<string, { description: string; input: JsonObject; output: JsonObject; examples?: { title?: string; input: JsonValue; output: JsonValue }[] }>;
}

/** `manifest.json` (build-relevant subset). */
export interface PluginManifest {
  id: string;
  name: string;
  version: string;
  minHostAPIVersion?: string;
  author?: string;
  description?: string;
  license?: string;
  cards: CardManifest[];
  services?: ServiceManifest[];
  pages?: PageManifest[];
  api?: ApiManifest;
}
