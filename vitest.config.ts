import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// One vitest run covers web, frame, sdk and plugins. The Svelte plugin compiles `*.svelte.ts`
// state classes (runes) that the web tests import; files without runes pass through untouched.
export default defineConfig({
  plugins: [svelte()],
  test: {
    include: ['{web,sdk,plugins}/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Timeouts only catch hangs: a build test (esbuild + brotli of a fixture plugin) took over 5 s on
    // a loaded 2-core CI box, and no test asserts how long anything takes.
    testTimeout: 60_000,
  },
});
