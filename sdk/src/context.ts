/**
 * The one implementation of {@link CardContext}, shared by the frame bootstrap (`web/frame/`)
 * and the mock host, so unit tests exercise the same code a real frame runs.
 * DOM-free on purpose.
 */
import type {
  Bounds, CardContext, CardIdentity, CardToHostMessage, JsonObject, JsonValue, MountPlugin,
  MountResult, ThemeTokens, Unsubscribe,
} from './types.ts';

/** Mutable state behind a {@link CardContext}. */
export interface CardState {
  card: CardIdentity;
  props: JsonObject;
  payload: JsonValue | null;
  theme: ThemeTokens;
  active: boolean;
  bounds: Bounds;
}

/** The host side of a context: push state changes, listeners are called. */
export interface CardContextController {
  readonly ctx: CardContext;
  setProps(props: JsonObject): void;
  setActive(active: boolean): void;
  setBounds(bounds: Bounds): void;
  setTheme(tokens: ThemeTokens): void;
}

/** The host refuses payloads over 1 MiB serialized; fail early, where the author can see it. */
export const MAX_PAYLOAD_CHARS = 1024 * 1024;

type Listeners<T> = Set<(value: T) => void>;

function on<T>(set: Listeners<T>, cb: (value: T) => void): Unsubscribe {
  const wrapped = (v: T) => cb(v);
  set.add(wrapped);
  return () => { set.delete(wrapped); };
}

function emit<T>(set: Listeners<T>, value: T): void {
  for (const cb of [...set]) {
    // One failing listener must not starve the others; rethrow later so the frame's
    // global error handler still reports it as a runtime error.
    try { cb(value); } catch (e) { queueMicrotask(() => { throw e; }); }
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

  const ctx: CardContext = Object.freeze({
    card: Object.freeze({ ...state.card }),
    get payload() { return state.payload; },
    get props() { return state.props; },
    get theme() { return state.theme; },
    get active() { return state.active; },
    get bounds() { return state.bounds; },
    setPayload(payload: JsonValue) {
      const json = JSON.stringify(payload);
      if (json === undefined) throw new TypeError('setPayload: payload must be JSON (got undefined or a function)');
      if (json.length > MAX_PAYLOAD_CHARS) throw new RangeError(`setPayload: payload is ${json.length} characters serialized; the limit is 1 MiB`);
      state.payload = payload;
      send({ type: 'setPayload', payload });
    },
    onActive: (cb: (a: boolean) => void) => on(active, cb),
    onBounds: (cb: (b: Bounds) => void) => on(bounds, cb),
    onThemeChanged: (cb: (t: ThemeTokens) => void) => on(theme, cb),
    onPropsChanged: (cb: (p: JsonObject) => void) => on(props, cb),
    interaction(name: string, detail?: JsonValue) {
      send(detail === undefined ? { type: 'interactionEvent', name: String(name) }
        : { type: 'interactionEvent', name: String(name), detail });
    },
    requestSize(width: number, height: number) {
      send({ type: 'sizePreferenceChanged', width: Number(width), height: Number(height) });
    },
  });

  return {
    ctx,
    setProps(p) { state.props = p; emit(props, p); },
    setActive(a) { if (state.active !== a) { state.active = a; emit(active, a); } },
    setBounds(b) { state.bounds = b; emit(bounds, b); },
    setTheme(t) { state.theme = t; emit(theme, t); },
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
