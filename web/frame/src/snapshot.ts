/**
 * Snapshot rasteriser (docs/api.md "Open / close / cap"): when the host asks (`captureSnapshot`)
 * the frame renders its own DOM to an image the closed card shows as its background.
 *
 * How: clone the card's DOM with computed styles inlined (at most {@link MAX_ELEMENTS}
 * elements), replace each `<canvas>` by an `<img>` of its pixels, serialise the clone into an SVG
 * `<foreignObject>`, draw that SVG (a `data:` URL, allowed by the frame CSP's `img-src data:`)
 * into a canvas of the card's size, and export WebP (PNG where WebP encoding is missing),
 * lowering quality, then scale, until the image fits the byte budget.
 */

export const MAX_ELEMENTS = 3000;
const XHTML = 'http://www.w3.org/1999/xhtml';
const SKIP = new Set(['SCRIPT', 'NOSCRIPT', 'TEMPLATE', 'STYLE', 'LINK', 'META', 'IFRAME', 'OBJECT', 'EMBED']);

/** Decoded size of a `data:…;base64,` URL. */
export function dataUrlBytes(dataUrl: string): number {
  const b64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}

/** Encodes the rendered card at `scale` (of its CSS size) with `type` and `quality`. */
export type Encode = (scale: number, type: 'image/webp' | 'image/png', quality: number) => string;

const QUALITIES = [0.9, 0.75, 0.6, 0.45, 0.3];
const SCALES = [1, 0.75, 0.5, 0.35, 0.25];

/**
 * The size loop: tries WebP at falling quality, then smaller scales; without WebP support
 * (`toDataURL` answers PNG) only the scale falls. Returns the first image within `maxBytes`,
 * or null when even the smallest is too large.
 */
export function fitSnapshot(encode: Encode, maxBytes: number): string | null {
  for (const scale of SCALES) {
    const first = encode(scale, 'image/webp', QUALITIES[0]!);
    const webp = first.startsWith('data:image/webp;');
    if (dataUrlBytes(first) <= maxBytes) return first;
    if (!webp) continue; // PNG has no quality knob
    for (const q of QUALITIES.slice(1)) {
      const url = encode(scale, 'image/webp', q);
      if (dataUrlBytes(url) <= maxBytes) return url;
    }
  }
  return null;
}

/** Inherited properties: a child whose value equals its parent's needs no copy of it. */
const INHERITED = new Set([
  'color', 'cursor', 'direction', 'font-family', 'font-feature-settings', 'font-kerning', 'font-size', 'font-stretch',
  'font-style', 'font-variant', 'font-variant-caps', 'font-variant-ligatures', 'font-variant-numeric', 'font-weight',
  'letter-spacing', 'line-height', 'list-style-image', 'list-style-position', 'list-style-type', 'quotes', 'tab-size',
  'text-align', 'text-indent', 'text-rendering', 'text-shadow', 'text-transform', 'visibility', 'white-space',
  'word-break', 'word-spacing', 'overflow-wrap', 'writing-mode', '-webkit-font-smoothing', 'caret-color',
]);

/**
 * Copies the computed style onto the clone's inline style (the clone has no stylesheets),
 * leaving out inherited values equal to the parent's to keep the SVG small.
 */
function inlineStyle(cs: CSSStyleDeclaration, parent: CSSStyleDeclaration | null, to: Element): void {
  let text = '';
  for (let i = 0; i < cs.length; i++) {
    const name = cs[i]!;
    const value = cs.getPropertyValue(name);
    if (parent && INHERITED.has(name) && parent.getPropertyValue(name) === value) continue;
    text += `${name}:${value};`;
  }
  to.setAttribute('style', text);
}

function canvasImage(doc: Document, canvas: HTMLCanvasElement): Element {
  const img = doc.createElementNS(XHTML, 'img');
  try {
    img.setAttribute('src', canvas.toDataURL('image/png'));
  } catch {
    // A tainted canvas cannot be read; the snapshot shows an empty box there.
  }
  return img;
}

/**
 * Clones `source` (usually `<body>`) into XHTML elements with inline computed styles. Stops
 * adding elements after `max`; scripts, styles and nested frames are left out.
 */
export function cloneForSnapshot(win: Window, source: Element, max = MAX_ELEMENTS): Element {
  const doc = win.document;
  let count = 0;
  const copy = (node: Element, parent: CSSStyleDeclaration | null): Element | null => {
    if (SKIP.has(node.tagName.toUpperCase()) || count >= max) return null;
    count++;
    const tag = node.tagName.toUpperCase();
    const out = tag === 'CANVAS'
      ? canvasImage(doc, node as HTMLCanvasElement)
      : node.namespaceURI === XHTML || node.namespaceURI === null
        ? doc.createElementNS(XHTML, node.localName)
        : doc.createElementNS(node.namespaceURI, node.localName);
    if (tag !== 'CANVAS') {
      for (const a of Array.from(node.attributes)) {
        // Event handlers would never run in an image; src/href of other origins would not load.
        if (a.name.startsWith('on') || a.name === 'style') continue;
        try { out.setAttribute(a.name, a.value); } catch { /* invalid in XML: drop */ }
      }
    }
    const cs = win.getComputedStyle(node);
    inlineStyle(cs, parent, out);
    if (tag === 'INPUT') out.setAttribute('value', (node as HTMLInputElement).value);
    if (tag === 'TEXTAREA') { out.textContent = (node as HTMLTextAreaElement).value; return out; }
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === 3) out.appendChild(doc.createTextNode(child.nodeValue ?? ''));
      else if (child.nodeType === 1) {
        const c = copy(child as Element, cs);
        if (c) out.appendChild(c);
      }
    }
    return out;
  };
  return copy(source, null) ?? doc.createElementNS(XHTML, 'div');
}

/** The clone as an SVG document of `width`×`height` CSS pixels. */
export function svgFor(win: Window, clone: Element, width: number, height: number): string {
  const html = win.document.documentElement;
  const bg = win.getComputedStyle(html).backgroundColor || 'transparent';
  const body = new XMLSerializer().serializeToString(clone);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`
    + `<foreignObject x="0" y="0" width="100%" height="100%">`
    + `<div xmlns="${XHTML}" style="width:${width}px;height:${height}px;overflow:hidden;background:${bg}">${body}</div>`
    + '</foreignObject></svg>';
}

function loadImage(doc: Document, src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = doc.createElement('img');
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('snapshot image did not load'));
    img.src = src;
  });
}

/** Renders the frame's document to a `data:image/…` URL within `maxBytes`, or null. */
export async function rasterise(win: Window, maxBytes: number): Promise<string | null> {
  const doc = win.document;
  const width = Math.max(1, Math.round(win.innerWidth));
  const height = Math.max(1, Math.round(win.innerHeight));
  const svg = svgFor(win, cloneForSnapshot(win, doc.body), width, height);
  const img = await loadImage(doc, `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
  const canvas = doc.createElement('canvas');
  const g = canvas.getContext('2d');
  if (!g) return null;
  const encode: Encode = (scale, type, quality) => {
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.drawImage(img, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL(type, quality);
  };
  return fitSnapshot(encode, maxBytes);
}
