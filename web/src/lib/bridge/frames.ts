/** The only frame URLs we load: same-origin absolute paths (the host CSP allows frame-src 'self'). */
export function isSafeFrameUrl(url: string): boolean {
  return url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\');
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
