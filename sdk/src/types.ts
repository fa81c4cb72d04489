/**
 * Types shared by plugin cards, the card-frame bootstrap (`web/frame/`) and the host UI.
 *
 * The wire protocol is specified in `docs/api.md` ("Bridge protocol"); this file is its
 * TypeScript form. Change the document first, then these types.
 *
 * @packageDocumentation
 */

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

/** Window message from the host page that transfers the port (exactly one, first only). */
export interface ConnectMessage {
  type: 'labyrinth:connect';
  protocol: 1;
}

/** Window message from the frame to its parent: "I can take the port now". */
export interface FrameReadyMessage {
  type: 'labyrinth:frame-ready';
}

/** Error carried by a failed `response`. */
export interface BridgeError {
  code: string;
  message: string;
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
}
export interface PropsChangedMessage { type: 'propsChanged'; props: JsonObject }
export interface SetActiveMessage { type: 'setActive'; active: boolean }
export interface SetBoundsMessage { type: 'setBounds'; bounds: Bounds }
export interface ThemeChangedMessage { type: 'themeChanged'; themeTokens: Record<string, string> }
/** Watchdog: answer with {@link PongMessage} carrying the same `seq`. */
export interface PingMessage { type: 'ping'; seq: number }
/** Answer to a card request carrying `id`. */
export type ResponseMessage =
  | { type: 'response'; id: string; ok: true; result?: JsonValue }
  | { type: 'response'; id: string; ok: false; error: BridgeError };

/** Every message the host may send on the port. */
export type HostToCardMessage =
  | InitMessage
  | PropsChangedMessage
  | SetActiveMessage
  | SetBoundsMessage
  | ThemeChangedMessage
  | PingMessage
  | ResponseMessage;

/** Card → host: mounted; `loadMs` = bootstrap start → mounted. Sent once. */
export interface ReadyMessage { type: 'ready'; loadMs: number }
/** ≤ 1 MiB serialized. */
export interface SetPayloadMessage { type: 'setPayload'; payload: JsonValue }
export interface SizePreferenceChangedMessage { type: 'sizePreferenceChanged'; width: number; height: number }
export interface InteractionEventMessage { type: 'interactionEvent'; name: string; detail?: JsonValue }
/** `message` ≤ 500 characters (the bootstrap truncates). */
export interface ErrorMessage { type: 'error'; code: CardErrorCode; message: string }
export interface PongMessage { type: 'pong'; seq: number }

/** Every message a card may send on the port. */
export type CardToHostMessage =
  | ReadyMessage
  | SetPayloadMessage
  | SizePreferenceChangedMessage
  | InteractionEventMessage
  | ErrorMessage
  | PongMessage;

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
}
