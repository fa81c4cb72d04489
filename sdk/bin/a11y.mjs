// The accessibility gate's renderer: mounts each built JS card in happy-dom with a stand-in
// CardContext and runs axe-core on what it rendered. `labyrinth-build --check-a11y` (which
// `labyrinth plugin pack` runs) refuses critical and serious violations. Colour contrast is not
// measured here (no layout engine); the host checks theme contrast itself.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const SERIOUS = new Set(['critical', 'serious']);

/** A CardContext that answers every call harmlessly: enough to render a card's first screen. */
function stubContext(card, props) {
  const off = () => () => {};
  const never = () => new Promise(() => {});
  return Object.freeze({
    card: Object.freeze({ instanceId: 'w_a11y', typeID: card.typeID, pluginId: 'a11y', version: '0.0.0' }),
    payload: null, props, theme: {}, active: true, bounds: { width: card.defaultSizePt?.width ?? 320, height: card.defaultSizePt?.height ?? 240 },
    grantedCapabilities: [], selection: null,
    setPayload() {}, interaction() {}, requestSize() {}, publish() {}, unsubscribe() {}, exportRequested() {},
    onActive: off, onBounds: off, onThemeChanged: off, onPropsChanged: off, onGrantsChanged: off, onAssetPushed: off, onSelection: off,
    requestAsset: never, readAsset: never, requestNetwork: never, call: never, subscribe: async () => () => {},
  });
}

/** Installs a happy-dom window's globals for the duration of `work`. */
async function withDom(work) {
  const { Window } = await import('happy-dom');
  const window = new Window({ url: 'http://a11y.cards.localhost/', settings: { disableJavaScriptFileLoading: true, disableCSSFileLoading: true } });
  const installed = [];
  for (const key of Object.getOwnPropertyNames(window)) {
    if (key in globalThis || key === 'undefined') continue;
    try {
      Object.defineProperty(globalThis, key, { value: window[key], configurable: true, writable: true });
      installed.push(key);
    } catch { /* read-only on this Node: skip */ }
  }
  for (const key of ['window', 'document', 'navigator', 'location', 'getComputedStyle', 'requestAnimationFrame', 'cancelAnimationFrame']) {
    const had = Object.getOwnPropertyDescriptor(globalThis, key);
    Object.defineProperty(globalThis, key, { value: key === 'window' ? window : window[key], configurable: true, writable: true });
    installed.push(had ? [key, had] : key);
  }
  try {
    return await work(window);
  } finally {
    for (const entry of installed) {
      if (Array.isArray(entry)) Object.defineProperty(globalThis, entry[0], entry[1]);
      else delete globalThis[entry];
    }
    await window.happyDOM.abort();
    window.close();
  }
}

/**
 * Renders every JS card of the built plugin in `outDir` and returns axe-core's critical and
 * serious findings as `{ card, rule, impact, help, nodes }`.
 */
export async function checkBuiltCards(outDir, manifest) {
  const findings = [];
  const seen = new Set();
  for (const card of manifest.cards ?? []) {
    const entry = card.runtime?.entry;
    if (!entry?.endsWith('.js') || seen.has(entry)) continue;
    seen.add(entry);
    await withDom(async (window) => {
      const axe = (await import('axe-core')).default;
      const mod = await import(`${pathToFileURL(path.join(outDir, entry)).href}?a11y=${Date.now()}`);
      const target = window.document.createElement('main');
      target.id = 'root';
      window.document.body.append(target);
      window.document.documentElement.lang ||= 'en';
      window.document.title ||= card.name ?? card.typeID;
      let mounted;
      try {
        mounted = mod.mountPlugin(target, {}, stubContext(card, {}));
      } catch (e) {
        findings.push({ card: card.typeID, rule: 'mount', impact: 'critical', help: `mountPlugin threw: ${e?.message ?? e}`, nodes: [] });
        return;
      }
      await new Promise((r) => setTimeout(r, 0));
      const result = await axe.run(window.document, { resultTypes: ['violations'], rules: { 'color-contrast': { enabled: false } } });
      for (const v of result.violations) {
        if (!SERIOUS.has(v.impact)) continue;
        findings.push({ card: card.typeID, rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.html.slice(0, 200)) });
      }
      try { (typeof mounted === 'function' ? mounted : mounted?.destroy)?.call(mounted); } catch { /* the contract tests report this */ }
    });
  }
  return findings;
}
