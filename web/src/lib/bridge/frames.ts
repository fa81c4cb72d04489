/**
 * The path of a plugin surface on a card origin: `/cap/<token>/` (the person's capability prefix,
 * `PluginDto.cardBases`) then `cards/frame/`, `cards/service/`, `cards/page/` or `plugins/`, and the
 * rest. Null for any other path.
 */
export function surfaceOf(pathname: string): { kind: 'frame' | 'service' | 'page' | 'file'; rest: string } | null {
  const m = /^\/cap\/[A-Za-z0-9_-]+\/(cards\/frame|cards\/service|cards\/page|plugins)\/(.*)$/.exec(pathname);
  if (!m) return null;
  const kinds = { 'cards/frame': 'frame', 'cards/service': 'service', 'cards/page': 'page', plugins: 'file' } as const;
  return { kind: kinds[m[1] as keyof typeof kinds], rest: m[2]! };
}

/**
 * A frame URL the host may load: on the card origin the server published for that plugin version
 * (`PluginDto.origins`), at a card frame or plugin file path under a capability prefix. Never the
 * host's own origin, never a URL assembled from anything a card said.
 */
export function isSafeFrameUrl(url: string, cardOrigin: string): boolean {
  let u: URL;
  let origin: URL;
  try {
    u = new URL(url);
    origin = new URL(cardOrigin);
  } catch {
    return false;
  }
  if (origin.origin !== cardOrigin || (origin.protocol !== 'https:' && origin.protocol !== 'http:')) return false;
  if (typeof location !== 'undefined' && location.origin === cardOrigin) return false;
  if (u.origin !== cardOrigin || u.username !== '' || u.password !== '') return false;
  return surfaceOf(u.pathname) !== null;
}

/**
 * Only JS-entry frames (`/cap/<token>/cards/frame/…`) may be pre-started: their document is the host's frame
 * document, which runs the bootstrap and at most preloads the entry, so no plugin code runs until
 * the card opens. An HTML entry's own scripts run as soon as it loads, so it loads only on open.
 */
export function isPoolableFrameUrl(url: string): boolean {
  try {
    return surfaceOf(new URL(url).pathname)?.kind === 'frame';
  } catch {
    return false;
  }
}

/** Sets exactly the attributes every card frame has; shared by warm (pooled) and cold starts. */
export function prepareCardFrame(f: HTMLIFrameElement, frameUrl: string): HTMLIFrameElement {
  // Exactly allow-scripts: an opaque origin, no storage, no popups, no top navigation.
  f.setAttribute('sandbox', 'allow-scripts');
  f.setAttribute('allow', '');
  f.setAttribute('referrerpolicy', 'no-referrer');
  f.setAttribute('loading', 'eager');
  f.className = 'card-frame';
  f.src = frameUrl;
  return f;
}

/** The window-message plumbing a {@link FrameWatch} needs; injectable for tests. */
export interface WatchEnv {
  addMessageListener(fn: (e: MessageEvent) => void): void;
  removeMessageListener(fn: (e: MessageEvent) => void): void;
}

/**
 * What the host page learns about one card frame without ever reading what the frame posts:
 * the first MessagePort its window offers (the bootstrap's hello, posted before any plugin script
 * exists), how many documents it loaded, and whether it posted anything else. Only `source` and
 * `ports` of a window message are read; `data` never is, so a 50 MB post costs the page nothing.
 *
 * A second `load`, or a second port offered, means the frame navigated to another document: the
 * owner tears the card down. The port always belongs to the document the host loaded.
 */
export class FrameWatch {
  readonly iframe: HTMLIFrameElement;
  #env: WatchEnv;
  port: MessagePort | null = null;
  loads = 0;
  /** Window messages from the frame other than its first hello (never read). */
  strayMessages = 0;
  navigated: string | null = null;
  onPort: ((port: MessagePort) => void) | null = null;
  onNavigated: ((why: string) => void) | null = null;
  onStrayMessage: (() => void) | null = null;

  constructor(iframe: HTMLIFrameElement, env: WatchEnv) {
    this.iframe = iframe;
    this.#env = env;
    iframe.addEventListener('load', this.#onLoad);
    env.addMessageListener(this.#onMessage);
  }

  stop(): void {
    this.iframe.removeEventListener('load', this.#onLoad);
    this.#env.removeMessageListener(this.#onMessage);
    this.onPort = this.onNavigated = this.onStrayMessage = null;
  }

  #navigate(why: string): void {
    if (this.navigated) return;
    this.navigated = why;
    this.onNavigated?.(why);
  }

  #onLoad = (): void => {
    if (++this.loads > 1) this.#navigate('its frame loaded another document');
  };

  #onMessage = (e: MessageEvent): void => {
    // Identity first, from the event itself: a message from any other window is not ours to touch.
    const source = e.source;
    if (source === null || source !== this.iframe.contentWindow) return;
    const ports = e.ports; // the transferred ports are not the (lazily deserialized) data
    if (this.port === null && ports.length === 1 && this.navigated === null) {
      this.port = ports[0]!;
      this.onPort?.(this.port);
      return;
    }
    if (ports.length > 0) {
      for (const p of ports) p.close();
      if (this.port !== null) {
        this.#navigate('another document in its frame offered a bridge port');
        return;
      }
    }
    this.strayMessages++;
    this.onStrayMessage?.();
  };
}
