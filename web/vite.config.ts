import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
// The dev server proxies everything the host owns, so `vite` can run next to `dotnet run`.
const host = process.env.LABYRINTH_HOST ?? 'http://localhost:5080';

export default defineConfig({
  root,
  base: '/',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The host CSP has no 'unsafe-inline' for scripts: the polyfill would be an inline script.
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': host,
      '/plugins': host,
      '/cards': host,
      '/_frame': host,
      '/healthz': host,
    },
  },
});
