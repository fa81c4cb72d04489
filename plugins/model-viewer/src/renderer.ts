/**
 * Picks the renderer: three.js's WebGPURenderer when the browser offers a WebGPU adapter (loaded as
 * a separate chunk, only then), WebGL2 otherwise. Each attempt gets its own canvas: a canvas that
 * once gave out a WebGPU context can never give a WebGL one.
 */
import { WebGLRenderer, type Camera, type Scene } from 'three';

export type RendererKind = 'webgpu' | 'webgl2';

/** The few things the view needs from either renderer. */
export interface Renderer {
  readonly kind: RendererKind;
  readonly canvas: HTMLCanvasElement;
  setSize(width: number, height: number): void;
  render(scene: Scene, camera: Camera): void;
  dispose(): void;
}

export interface RendererOptions {
  /** Skip WebGPU (it failed before in this card). */
  readonly webgl2Only?: boolean;
  /**
   * Called once if the WebGPU renderer fails after it started (a draw throws, the device is
   * lost): the owner drops it and starts WebGL2. A card must keep working, not crash.
   */
  readonly onFailure?: (error: unknown) => void;
}

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<unknown> };
}

/** Null when the browser can draw neither (no WebGPU adapter, no WebGL2 context). */
export async function createRenderer(options: RendererOptions = {}, doc: Document = document): Promise<Renderer | null> {
  const gpu = (navigator as Navigator & GpuNavigator).gpu;
  if (gpu && !options.webgl2Only) {
    try {
      if (await gpu.requestAdapter()) {
        const { createWebGPURenderer } = await import('./webgpu.ts');
        const r = await createWebGPURenderer(doc.createElement('canvas'), options.onFailure ?? (() => {}));
        if (r) return r;
      }
    } catch {
      // An adapter that fails to start is a browser without WebGPU for us: fall back.
    }
  }
  return createWebGL2Renderer(doc.createElement('canvas'));
}

function createWebGL2Renderer(canvas: HTMLCanvasElement): Renderer | null {
  let r: WebGLRenderer;
  try {
    // preserveDrawingBuffer: the host snapshots the card when it closes, reading the canvas
    // outside a frame; without it the picture would be blank.
    r = new WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true, powerPreference: 'low-power' });
  } catch {
    return null;
  }
  r.setPixelRatio(Math.min(globalThis.devicePixelRatio || 1, 2));
  return {
    kind: 'webgl2',
    canvas,
    setSize: (w, h) => r.setSize(w, h, false),
    render: (scene, camera) => r.render(scene, camera),
    dispose: () => {
      r.dispose();
      r.forceContextLoss();
    },
  };
}
