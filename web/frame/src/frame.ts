/**
 * The card-frame bootstrap's logic (docs/api.md, "Bridge protocol"). `bootstrap.ts` runs it in
 * the real frame; tests run it against a fake window. Holds the only reference to the port.
 */
import { assetHandleOf, configOf, createCardContext, selectionIdOf, selectionSnapshotOf, mountCard, type CardContextController, type MountedCard } from '../../../sdk/src/context.ts';
import { cardLimitsOf, DEFAULT_CARD_LIMITS, pageParamsOf } from '../../../sdk/src/protocol.ts';
import type { CardContext, CardLimits, CardToHostMessage, JsonObject, MountPlugin, ServiceDefinition } from '../../../sdk/src/types.ts';
import { startService, type ServiceRuntime } from './service';

/** Globals that would open network channels CSP `connect-src` does not govern. */
export const WEBRTC_GLOBALS = [
  'RTCPeerConnection', 'webkitRTCPeerConnection', 'RTCDataChannel', 'RTCSessionDescription', 'RTCIceCandidate',
] as const;

/** Removes the WebRTC constructors and pins them to `undefined` (non-writable, non-configurable). */
export function neutraliseWebRTC(win: object): void {
  for (const name of WEBRTC_GLOBALS) {
    try { delete (win as Record<string, unknown>)[name]; } catch { /* non-configurable: overwrite below */ }
    try {
      Object.defineProperty(win, name, { value: undefined, writable: false, configurable: false, enumerable: false });
    } catch { /* already pinned */ }
  }
}

/**
 * Keeps a card from taking keyboard focus while the person has not entered it: the element and
 * window `focus()` methods do nothing then, and each blocked attempt calls `blocked` (the host
 * counts `focus_steal`). Sandboxed frames already lose `autofocus`. This is the courteous half: a
 * card that goes around it (a fresh realm's `focus`) is caught by the host page, which takes focus
 * back (docs/security-model.md, "Focus").
 */
export function guardFocus(win: Window, allowed: () => boolean, blocked: () => void): void {
  const w = win as Window & Record<string, { prototype: { focus?: (...a: unknown[]) => void } } | undefined>;
  const wrap = (original: (...a: unknown[]) => void) =>
    function focus(this: unknown, ...args: unknown[]): void {
      if (allowed()) return Reflect.apply(original, this, args) as void;
      blocked();
    };
  for (const name of ['HTMLElement', 'SVGElement', 'MathMLElement']) {
    const proto = w[name]?.prototype;
    const original = proto?.focus;
    if (!proto || typeof original !== 'function') continue;
    Object.defineProperty(proto, 'focus', { value: wrap(original), writable: false, configurable: false, enumerable: true });
  }
  const winFocus = (win as { focus?: () => void }).focus;
  if (typeof winFocus === 'function') {
    Object.defineProperty(win, 'focus', { value: wrap(winFocus.bind(win)), writable: false, configurable: false, enumerable: true });
  }
}

/** Blocked focus attempts are reported at most this often (one report counts one violation). */
const FOCUS_REPORT_INTERVAL_MS = 1000;

const MAX_MESSAGE = 500;
const MAX_RUNTIME_ERRORS = 10;

export interface FrameEnv {
  /** The frame's window (or a fake with the same members in tests). */
  win: Window;
  /** A fresh channel; `new MessageChannel()` in the real frame. */
  createChannel?: () => MessageChannel;
  /** Loads the entry module; `(url) => import(url)` in the real frame. */
  importEntry: (url: string) => Promise<Partial<{ mountPlugin: MountPlugin; service: ServiceDefinition }>>;
  /** Clock for `loadMs`; `performance.now` by default. */
  now?: () => number;
  /**
   * Renders the card to a `data:image/…` URL of at most `maxBytes` decoded bytes, or null.
   * The rasteriser (`snapshot.ts`) in the real frame; a stub in tests.
   */
  snapshot?: (maxBytes: number) => Promise<string | null>;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const capabilities = (v: unknown): string[] => (Array.isArray(v) ? v.filter((c): c is string => typeof c === 'string') : []);

function messageOf(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : typeof e === 'string' ? e : (() => {
    try { return JSON.stringify(e) ?? String(e); } catch { return String(e); }
  })();
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/**
 * Starts the bootstrap: creates the bridge channel and hands one end to the parent at once, before
 * any plugin script exists (docs/api.md, "Bridge protocol"). The host takes the first port this
 * frame's window offers, so only the document it loaded can ever hold the bridge: a document the
 * frame navigates to later offers a second port, which the host treats as a navigation.
 */
export function startFrame({ win, importEntry, now = () => performance.now(), snapshot, createChannel }: FrameEnv): void {
  const start = now();
  const doc = win.document;
  // Captured before plugin code runs, so a card patching MessagePort.prototype cannot see or
  // redirect what the bootstrap sends.
  const post = (win as Window & { MessagePort: typeof MessagePort }).MessagePort.prototype.postMessage;
  const apply = Reflect.apply;

  const channel = createChannel ? createChannel() : new (win as Window & { MessageChannel: typeof MessageChannel }).MessageChannel();
  const port: MessagePort = channel.port1;
  let controller: CardContextController | null = null;
  // The host's published limits, from `init`; the defaults until then.
  let limits: CardLimits = DEFAULT_CARD_LIMITS;
  // A background service's frame gets `initService` instead of `init` (service.ts).
  let service: ServiceRuntime | null = null;
  let mounted: MountedCard | null = null;
  let runtimeErrors = 0;
  const themeKeys = new Set<string>();

  const entry = doc.querySelector('meta[name="labyrinth-entry"]')?.getAttribute('content') || null;
  let resolveReady: ((ctx: CardContext) => void) | undefined;
  if (!entry) {
    const ready = new Promise<CardContext>((r) => { resolveReady = r; });
    Object.defineProperty(win, 'labyrinth', { value: Object.freeze({ ready }), enumerable: false, configurable: false, writable: false });
  }

  function send(msg: CardToHostMessage): void {
    apply(post, port, [msg]);
  }

  // Focus belongs to the person: the host says when they entered the card. Once the frame has
  // lost focus (the person tabbed or clicked out), it may not take it back on its own even before
  // the host's "left" arrives: a card calling focus() in a loop would otherwise win that race and
  // catch the next keystrokes. It may again once it has focus again (the person came back).
  let focusAllowed = false;
  let frameBlurred = false;
  win.addEventListener('blur', () => { frameBlurred = true; });
  win.addEventListener('focus', () => { frameBlurred = false; });
  let lastFocusReport = -Infinity;
  guardFocus(win, () => focusAllowed && !frameBlurred, () => {
    const t = now();
    if (t - lastFocusReport < FOCUS_REPORT_INTERVAL_MS) return;
    lastFocusReport = t;
    send({ type: 'focusBlocked' });
  });

  function root(): HTMLElement {
    return doc.getElementById('root') ?? doc.body;
  }

  function fail(code: 'load_failed' | 'mount_failed', e: unknown): void {
    const message = messageOf(e);
    send({ type: 'error', code, message });
    const box = doc.createElement('div');
    box.setAttribute('role', 'alert');
    box.style.cssText = 'font:13px/1.4 system-ui,sans-serif;color:#8a1c1c;background:#fff4f4;'
      + 'border:1px solid #efb8b8;border-radius:6px;margin:8px;padding:8px 10px;white-space:pre-wrap;overflow-wrap:anywhere';
    box.textContent = `This card could not be ${code === 'load_failed' ? 'loaded' : 'started'}.\n${message}`;
    root().replaceChildren(box);
  }

  function runtimeError(e: unknown): void {
    if (++runtimeErrors <= MAX_RUNTIME_ERRORS) send({ type: 'error', code: 'runtime', message: messageOf(e) });
  }

  function applyTheme(tokens: unknown): Record<string, string> {
    const clean: Record<string, string> = {};
    if (isObject(tokens)) {
      for (const [name, value] of Object.entries(tokens)) {
        if (/^[A-Za-z0-9_-]{1,64}$/.test(name) && typeof value === 'string') clean[name] = value;
      }
    }
    const style = doc.documentElement.style;
    for (const name of themeKeys) if (!(name in clean)) style.removeProperty(`--lab-${name}`);
    themeKeys.clear();
    for (const [name, value] of Object.entries(clean)) {
      style.setProperty(`--lab-${name}`, value);
      themeKeys.add(name);
    }
    return Object.freeze(clean);
  }

  function ready(): void {
    send({ type: 'ready', loadMs: Math.round((now() - start) * 10) / 10 });
  }

  async function init(m: Record<string, unknown>): Promise<void> {
    const card = isObject(m.card) ? m.card : {};
    const bounds = isObject(m.bounds) ? m.bounds : {};
    controller = createCardContext({
      card: {
        instanceId: String(card.instanceId ?? ''), typeID: String(card.typeID ?? ''),
        pluginId: String(card.pluginId ?? ''), version: String(card.version ?? ''),
      },
      props: isObject(m.props) ? m.props : {},
      payload: (m.payload ?? null) as CardContext['payload'],
      theme: applyTheme(m.themeTokens),
      active: m.active === true,
      bounds: { width: Number(bounds.width) || 0, height: Number(bounds.height) || 0 },
      grantedCapabilities: capabilities(m.grantedCapabilities),
      limits: (limits = cardLimitsOf(m.limits)),
      page: isObject(m.page) && typeof m.page.path === 'string' ? { path: m.page.path, params: pageParamsOf(m.page.params) } : null,
      config: configOf(m.config),
    }, send);
    const ctx = controller.ctx;

    if (!entry) { resolveReady!(ctx); ready(); return; }

    let mod: Partial<{ mountPlugin: MountPlugin }>;
    try {
      mod = await importEntry(new URL(entry, doc.baseURI).href);
      if (typeof mod?.mountPlugin !== 'function') throw new TypeError(`${entry} does not export mountPlugin`);
    } catch (e) {
      fail('load_failed', e);
      return;
    }
    try {
      mounted = mountCard(mod.mountPlugin, root(), ctx.props, ctx);
    } catch (e) {
      fail('mount_failed', e);
      return;
    }
    ready();
  }

  function onPort(e: MessageEvent): void {
    const m: unknown = e.data;
    if (!isObject(m)) return;
    switch (m.type) {
      case 'initService':
        if (!controller && !service && entry) {
          service = startService(m, entry, {
            send, importEntry, baseURI: doc.baseURI, ready, fail, setTimeout: (fn, ms) => win.setTimeout(fn, ms),
          });
        }
        return;
      case 'init':
        if (!controller && !service) void init(m);
        return;
      case 'ping':
        send({ type: 'pong', seq: Number(m.seq) });
        return;
      case 'setFocusAllowed':
        focusAllowed = m.allowed === true;
        // Entering hands the frame focus right after this message: nothing to wait for.
        if (focusAllowed) frameBlurred = false;
        return;
    }
    if (service) { service.receive(m); return; }
    if (!controller) return;
    if (controller.receive(m)) return; // response, event, networkChunk
    switch (m.type) {
      case 'propsChanged':
        if (!isObject(m.props)) return;
        controller.setProps(m.props);
        if (mounted) {
          try { mounted.update(m.props); } catch (err) { fail('mount_failed', err); mounted = null; }
        }
        return;
      case 'setActive':
        controller.setActive(m.active === true);
        return;
      case 'setBounds':
        if (isObject(m.bounds)) controller.setBounds({ width: Number(m.bounds.width) || 0, height: Number(m.bounds.height) || 0 });
        return;
      case 'themeChanged':
        controller.setTheme(applyTheme(m.themeTokens));
        return;
      case 'grantsChanged':
        controller.setGrants(capabilities(m.capabilities));
        return;
      case 'configChanged':
        controller.setConfig(configOf(m.config));
        return;
      case 'pushAsset': {
        // The host page is trusted, but a malformed handle must not reach plugin code: drop it whole.
        const asset = assetHandleOf(m.asset);
        if (asset) controller.pushAsset(asset);
        return;
      }
      case 'pushSelectionSnapshot': {
        const selection = selectionSnapshotOf(m.selection);
        if (selection) controller.pushSelection(selection);
        return;
      }
      case 'selectionRevoked': {
        const id = selectionIdOf(m.id);
        if (id) controller.revokeSelection(id);
        return;
      }
      case 'captureSnapshot': {
        const id = m.id;
        const maxBytes = Math.min(Number(m.maxBytes) || 0, limits.maxSnapshotBytes);
        if (typeof id !== 'string' || !snapshot || maxBytes <= 0) return;
        // On any failure the card answers nothing: the host times out and keeps the old image.
        snapshot(maxBytes).then((dataUrl) => { if (dataUrl) send({ type: 'snapshot', id, dataUrl }); }, () => {});
        return;
      }
      // Anything else (unknown or future types) is ignored.
    }
  }

  port.onmessage = onPort;
  win.addEventListener('error', (e: ErrorEvent) => runtimeError(e.error ?? e.message));
  win.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => runtimeError(e.reason));
  // Escape that the card leaves unhandled hands the keyboard back to the host page.
  win.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Escape' && !e.defaultPrevented && focusAllowed) send({ type: 'focusLeave' });
  });
  // The host reads only `source` and `ports` of this message, never its data.
  win.parent.postMessage({ type: 'labyrinth:hello', protocol: PROTOCOL }, '*', [channel.port2]);
}

/** The bridge protocol version, sent in the hello (docs/api.md). */
export const PROTOCOL = 2;
