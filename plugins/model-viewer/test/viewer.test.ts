// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { Group } from 'three';
import { createMockHost } from '../../../sdk/src/mock-host.ts';
import type { LoadedModel } from '../src/gltf-load.ts';
import type { Renderer, RendererOptions } from '../src/renderer.ts';
import { ViewerState } from '../src/viewer.svelte.ts';
// @ts-expect-error plain ESM without types
import { makeSampleGlb } from '../scripts/make-sample.mjs';

/** A renderer that records draws; `failOnDraw` plays a WebGPU device that dies on the first draw. */
function fakeRenderer(kind: Renderer['kind'], options: RendererOptions, failOnDraw = false) {
  const draws: number[] = [];
  const r: Renderer & { draws: number[]; disposed: boolean } = {
    kind,
    canvas: document.createElement('canvas'),
    draws,
    disposed: false,
    setSize: () => {},
    render: () => {
      if (failOnDraw) options.onFailure?.(new RangeError('createBuffer failed'));
      else draws.push(draws.length);
    },
    dispose: () => { r.disposed = true; },
  };
  return r;
}

const loaded = (): LoadedModel => ({ root: new Group(), bounds: { center: [0, 0, 0], radius: 1 }, meshes: 2, triangles: 2496, textures: 1, dispose: () => {} });

async function frames(n = 3) {
  for (let i = 0; i < n; i++) await new Promise((r) => requestAnimationFrame(() => r(null)));
}

describe('ViewerState renderer choice', () => {
  it('WebGpuFailingOnDraw_FallsBackToWebGl2AndSaysSo', async () => {
    const requests: RendererOptions[] = [];
    const made: ReturnType<typeof fakeRenderer>[] = [];
    const host = createMockHost({
      capabilities: ['fileRegistry:3d-model'],
      payload: { model: { token: 'tok', name: 'Knot.glb' } },
      assets: { tok: { name: 'Knot.glb', mediaType: 'model/gltf-binary', data: new Uint8Array(makeSampleGlb()) } },
    });
    const viewer = new ViewerState(host.card, {
      createRenderer: async (o) => {
        requests.push(o);
        const r = fakeRenderer(o.webgl2Only ? 'webgl2' : 'webgpu', o, !o.webgl2Only);
        made.push(r);
        return r;
      },
      loadModel: async () => loaded(),
    });
    const viewport = document.createElement('div');
    document.body.replaceChildren(viewport);
    viewer.attach(viewport);
    await vi.waitFor(() => expect(viewer.status).toBe('ready'));
    await vi.waitFor(() => expect(viewer.renderer).toBe('webgl2'));
    await frames();

    expect(requests.map((o) => o.webgl2Only)).toEqual([false, true]);
    expect(viewer.webgpuFailed).toBe(true);
    expect(made[1]!.draws.length).toBeGreaterThan(0); // the model is drawn by WebGL2
    expect(viewport.querySelectorAll('canvas')).toHaveLength(1); // the failed canvas is gone
    viewer.destroy();
  });

  it('NoRendererAtAll_IsNoneAndTheModelIsStillReported', async () => {
    const host = createMockHost({
      payload: { model: { token: 'tok', name: 'Knot.glb' } },
      assets: { tok: { name: 'Knot.glb', mediaType: 'model/gltf-binary', data: new Uint8Array(makeSampleGlb()) } },
    });
    const viewer = new ViewerState(host.card, { createRenderer: async () => null, loadModel: async () => loaded() });
    viewer.attach(document.createElement('div'));
    await vi.waitFor(() => expect(viewer.renderer).toBe('none'));
    await vi.waitFor(() => expect(viewer.facts).toMatchObject({ meshes: 2, triangles: 2496 }));
    expect(viewer.webgpuFailed).toBe(false);
    viewer.destroy();
  });
});
