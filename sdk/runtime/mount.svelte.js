// Mounts a compiled Svelte 5 card component with reactive props, so `update(props)` changes
// them in place (no remount: DOM, focus and component state survive). `labyrinth-build`
// bundles this file (compiled with svelte/compiler compileModule) into every Svelte card.
//
// Component props are the user props plus `card` (the CardContext). `card` is kept outside
// the $state proxy: it is a frozen object with getters and must not be deep-proxied.
import { mount, unmount } from 'svelte';

export function mountSvelteCard(Component, target, initial, card) {
  const state = $state({ props: { ...initial } });
  const has = (k) => typeof k === 'string' && (k === 'card' || Object.hasOwn(state.props, k));
  const read = (k) => (k === 'card' ? card : state.props[k]);
  const props = new Proxy({}, {
    get: (t, k) => (typeof k === 'string' ? read(k) : t[k]),
    has: (t, k) => has(k) || k in t,
    ownKeys: () => [...Object.keys(state.props).filter((k) => k !== 'card'), 'card'],
    getOwnPropertyDescriptor: (_, k) =>
      has(k) ? { value: read(k), enumerable: true, configurable: true, writable: true } : undefined,
    set: () => true,
  });
  const instance = mount(Component, { target, props });
  return {
    update(next) {
      const p = state.props;
      for (const k of Object.keys(p)) if (!Object.hasOwn(next, k)) delete p[k];
      for (const k of Object.keys(next)) if (k !== 'card') p[k] = next[k];
    },
    destroy() { unmount(instance); },
  };
}
