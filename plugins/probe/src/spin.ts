import type { MountPlugin } from '@labyrinth/sdk';

/** Renders, then hangs its own process forever: the host must stay usable (watchdog test). */
export const mountPlugin: MountPlugin = (target) => {
  target.textContent = 'spinning';
  const timer = setTimeout(() => {
    // eslint-disable-next-line no-constant-condition
    while (true) { /* on purpose */ }
  }, 200);
  return () => clearTimeout(timer);
};
