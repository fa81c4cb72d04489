/**
 * The WebGPU renderer, in its own chunk: `renderer.ts` imports this file only when the browser
 * offered a WebGPU adapter, so browsers without WebGPU never download it.
 */
import { WebGPURenderer } from 'three/webgpu';
import type { Renderer } from './renderer.ts';

/** Null when WebGPU does not start (three.js would silently fall back to its own WebGL backend). */
export async function createWebGPURenderer(canvas: HTMLCanvasElement): Promise<Renderer | null> {
  const r = new WebGPURenderer({ canvas, antialias: true, powerPreference: 'low-power' });
  await r.init();
  if (!(r.backend as { isWebGPUBackend?: boolean }).isWebGPUBackend) {
    r.dispose();
    return null;
  }
  r.setPixelRatio(Math.min(globalThis.devicePixelRatio || 1, 2));
  return {
    kind: 'webgpu',
    canvas,
    setSize: (w, h) => r.setSize(w, h, false),
    render: (scene, camera) => {
      void r.render(scene, camera);
    },
    dispose: () => r.dispose(),
  };
}
