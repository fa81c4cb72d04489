// @vitest-environment happy-dom
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// @ts-expect-error plain ESM without types
import { buildPlugin } from '../../../sdk/bin/labyrinth-build.mjs';
import { createMockHost, type MockHostOptions } from '../../../sdk/src/mock-host.ts';
import type { CardModule, JsonValue } from '../../../sdk/src/types.ts';
// @ts-expect-error plain ESM without types
import { makeSampleGlb } from '../scripts/make-sample.mjs';
import { glb, triangleBin, triangleJson } from './glb.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MANIFEST = JSON.parse(fs.readFileSync(path.join(HERE, '../manifest.json'), 'utf8'));
const CAPABILITIES: string[] = MANIFEST.cards[0].capabilities;
const SAMPLE = new Uint8Array(makeSampleGlb());
const handle = (token: string, name = 'Labyrinth knot.glb') => ({ token, name, mediaType: 'model/gltf-binary', bytes: SAMPLE.length });

let out = '';
let viewer: CardModule;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(HERE, '.out-'));
  await buildPlugin(path.join(HERE, '..'), { force: true, out });
  viewer = (await import(/* @vite-ignore */ path.join(out, 'cards/model.js'))) as CardModule;
}, 180_000); // brotli 11 over ~1 MB of three.js on a shared 2-core machine
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

async function mount(options: MockHostOptions = {}) {
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  const host = createMockHost({ capabilities: CAPABILITIES, assets: { tok: { name: 'Labyrinth knot.glb', mediaType: 'model/gltf-binary', data: SAMPLE } }, ...options });
  const mounted = host.mount(viewer.mountPlugin, target);
  const q = (id: string) => target.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  const root = () => q('model-viewer')!;
  const settled = async (status: string) => {
    await vi.waitFor(() => expect(root().dataset.status).toBe(status), { timeout: 20_000 });
    await host.settle();
  };
  return { host, mounted, target, q, root, settled };
}

const savedCamera = (host: { payloads: JsonValue[] }) => (host.payloads.at(-1) as { camera: { yaw: number; distance: number } }).camera;

describe('3D model card', () => {
  it('NewCard_ShowsChooseModelAndNoPayload', async () => {
    const { q, host, mounted } = await mount();
    expect(q('model-empty')?.textContent).toContain('this card sees only the one you pick');
    expect(q('model-reset')).toHaveProperty('disabled', true);
    await host.settle();
    expect(host.payloads).toEqual([]);
    mounted.destroy();
  });

  it('ChooseModel_ReadsThePickedBytes_ReportsMeshesTrianglesAndSavesTheToken', async () => {
    const picks: string[] = [];
    const { q, root, host, settled, mounted } = await mount({ pickAsset: (type) => { picks.push(type); return handle('tok'); } });
    q('model-choose')!.click();
    await settled('ready');
    expect(picks).toEqual(['3d-model']);
    expect(host.messages.filter((m) => m.type === 'readAsset')).toEqual([expect.objectContaining({ token: 'tok' })]);
    expect(root().dataset.meshes).toBe('2');
    expect(root().dataset.triangles).toBe('2496');
    expect(q('model-facts')?.textContent).toMatch(/Labyrinth knot\.glb\s*· 2 meshes · 2,496 triangles/);
    expect(host.payloads.at(-1)).toMatchObject({ v: 1, model: { token: 'tok', name: 'Labyrinth knot.glb' }, lighting: 'studio', camera: { yaw: expect.any(Number) } });
    mounted.destroy();
  });

  it('NoWebGL_SaysSoButStillReportsTheModel', async () => {
    // happy-dom has no WebGL2 context and no WebGPU: the card must say it cannot draw.
    const { q, root, settled, mounted } = await mount({ payload: { model: { token: 'tok', name: 'Labyrinth knot.glb' } } });
    await settled('ready');
    await vi.waitFor(() => expect(root().dataset.renderer).toBe('none'));
    expect(q('model-renderer')?.textContent).toBe('No 3D');
    mounted.destroy();
  });

  it('Reopen_WithSavedTokenCameraAndLighting_ReadsTheModelAgainAndKeepsThem', async () => {
    const payload = { v: 1, model: { token: 'tok', name: 'Labyrinth knot.glb' }, camera: { yaw: 1, pitch: 0.2, distance: 5, target: [0, 1, 0] }, lighting: 'outdoor' };
    const { q, root, host, settled, mounted } = await mount({ payload });
    await settled('ready');
    expect(root().dataset.triangles).toBe('2496');
    expect((q('model-lighting') as HTMLSelectElement).value).toBe('outdoor');
    // The saved view is kept (nothing to write back).
    expect(host.payloads).toEqual([]);
    mounted.destroy();
  });

  it('RevokedOrForeignToken_SaysSoAndOffersChooseModel', async () => {
    const { q, root, settled, mounted } = await mount({ payload: { model: { token: 'someone-elses', name: 'Knot.glb' } } });
    await settled('empty');
    expect(root().dataset.code).toBe('token_invalid');
    expect(q('model-error')?.textContent).toContain('no longer has access to “Knot.glb”');
    expect(q('model-error-choose')?.textContent).toBe('Choose model…');
    mounted.destroy();
  });

  it('RevokeWhileShowing_ClearsTheModelAndSaysSo', async () => {
    const { q, root, host, settled, mounted } = await mount({ payload: { model: { token: 'tok', name: 'Knot.glb' } }, grantedCapabilities: CAPABILITIES });
    await settled('ready');
    host.setGrants([]);
    await vi.waitFor(() => expect(root().dataset.code).toBe('revoked'));
    expect(root().dataset.status).toBe('empty');
    expect(root().dataset.meshes).toBe('');
    expect(q('model-error')?.textContent).toContain('Access to “Knot.glb” was revoked');
    mounted.destroy();
  });

  it('PickedModelWithDraco_IsRefusedNamingTheExtension', async () => {
    const draco = glb({ ...triangleJson(), extensionsUsed: ['KHR_draco_mesh_compression'] }, triangleBin());
    const { q, root, host, settled, mounted } = await mount({
      pickAsset: () => handle('draco', 'squashed.glb'),
      assets: { draco: { name: 'squashed.glb', mediaType: 'model/gltf-binary', data: new Uint8Array(draco) } },
    });
    q('model-choose')!.click();
    await vi.waitFor(() => expect(root().dataset.code).toBe('unsupported_extension'));
    await settled('empty');
    expect(q('model-error')?.textContent).toContain('KHR_draco_mesh_compression');
    expect(host.payloads).toEqual([]); // a refused pick is not saved
    mounted.destroy();
  });

  it('PickerCancelled_LeavesTheCardAsItWas', async () => {
    const { q, root, host, mounted } = await mount({ pickAsset: () => null });
    q('model-choose')!.click();
    await host.settle();
    expect(root().dataset.status).toBe('empty');
    expect(root().dataset.code).toBe('');
    mounted.destroy();
  });

  it('Keyboard_ArrowsOrbitPlusZoomsAndZeroResets_CameraSaved', async () => {
    const { q, host, settled, mounted } = await mount({ pickAsset: () => handle('tok') });
    q('model-choose')!.click();
    await settled('ready');
    const start = savedCamera(host);
    const viewport = q('model-viewport')!;
    const press = (key: string) => viewport.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    press('ArrowLeft');
    await vi.waitFor(() => expect(savedCamera(host).yaw).not.toBe(start.yaw), { timeout: 5_000 });
    press('+');
    await vi.waitFor(() => expect(savedCamera(host).distance).toBeLessThan(start.distance), { timeout: 5_000 });
    press('0');
    await vi.waitFor(() => expect(savedCamera(host)).toEqual(start), { timeout: 5_000 });
    mounted.destroy();
  });

  it('LightingPreset_IsSavedWithTheModel', async () => {
    const { q, host, settled, mounted } = await mount({ pickAsset: () => handle('tok') });
    q('model-choose')!.click();
    await settled('ready');
    const select = q('model-lighting') as HTMLSelectElement;
    select.value = 'flat';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => expect(host.payloads.at(-1)).toMatchObject({ lighting: 'flat', model: { token: 'tok' } }), { timeout: 5_000 });
    mounted.destroy();
  });

  it('Bundle_LoadsTheWebGpuRendererOnlyAsASeparateChunk', () => {
    const entry = fs.readFileSync(path.join(out, 'cards/model.js'), 'utf8');
    const chunks = fs.readdirSync(path.join(out, 'cards/chunks'));
    const webgpu = chunks.find((c) => c.startsWith('webgpu-'));
    expect(webgpu).toBeDefined();
    expect(entry.includes(`import("./chunks/${webgpu}")`)).toBe(true);
    // The WebGPU backend (it asks the adapter for a device) is only in that chunk.
    expect(entry.includes('requestDevice')).toBe(false);
  });
});
