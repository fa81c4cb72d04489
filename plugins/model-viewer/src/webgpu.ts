/**
 * The WebGPU renderer, in its own chunk: `renderer.ts` imports this file only when the browser
 * offered a WebGPU adapter, so browsers without WebGPU never download it.
 */
import { WebGPURenderer } from 'three/webgpu';
import type { Renderer } from './renderer.ts';

/**
 * Null when WebGPU does not start (three.js would silently fall back to its own WebGL backend).
 * After it started, a draw that throws or a lost device calls `onFailure` once and stops drawing.
 */
export async function createWebGPURenderer(canvas: HTMLCanvasElement, onFailure: (error: unknown) => void): Promise<Renderer | null> {
  const r = new WebGPURenderer({ canvas, antialias: true, powerPreference: 'low-power' });
  await r.init();
  const backend = r.backend as {
    isWebGPUBackend?: boolean;
    device?: { lost?: Promise<unknown>; popErrorScope?: () => Promise<unknown> };
  };
  if (!backend.isWebGPUBackend) {
    r.dispose();
    return null;
  }
  let failed = false;
  let disposed = false;
  const fail = (e: unknown) => {
    if (failed || disposed) return;
    failed = true;
    onFailure(e);
  };
  const device = backend.device;
  void device?.lost?.then((info) => fail(info));
  // When the GPU process drops the device, three.js's pending popErrorScope() calls reject and
  // nothing in three.js catches them: an unhandled rejection the host would report as a card
  // crash. On this device only, a rejected popErrorScope() becomes this renderer's failure (the
  // card falls back to WebGL2) and answers "no error" to three.js.
  if (device?.popErrorScope) {
    const pop = device.popErrorScope.bind(device);
    device.popErrorScope = () => pop().catch((e: unknown) => {
      fail(e);
      return null;
    });
  }
  r.setPixelRatio(Math.min(globalThis.devicePixelRatio || 1, 2));
  return {
    kind: 'webgpu',
    canvas,
    setSize: (w, h) => r.setSize(w, h, false),
    render: (scene, camera) => {
      if (failed) return;
      try {
        r.render(scene, camera);
      } catch (e) {
        fail(e);
      }
    },
    dispose: () => {
      disposed = true;
      // A failed renderer is left to the frame's end: destroying its device now would only
      // make more of three.js's pending calls fail.
      if (!failed) r.dispose();
    },
  };
}
