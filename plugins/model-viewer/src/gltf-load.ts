/**
 * Turns a checked GLB (see gltf-check.ts) into three.js objects. Images are decoded with
 * `createImageBitmap` straight from their bytes: three.js's own image loaders would fetch a blob:
 * URL, which the card's CSP (`connect-src 'none'`) blocks, and we keep the CSP as it is.
 */
import { Box3, Sphere, type BufferGeometry, type Material, type Mesh, type Object3D, type Texture } from 'three';
import { GLTFLoader, type GLTFParser } from 'three/examples/jsm/loaders/GLTFLoader.js';
import type { Bounds } from './orbit.ts';

export interface LoadedModel {
  readonly root: Object3D;
  readonly bounds: Bounds;
  /** Meshes three.js built (one per glTF primitive drawn). */
  readonly meshes: number;
  readonly triangles: number;
  /** Textures decoded and attached to materials. */
  readonly textures: number;
  dispose(): void;
}

/** Longest the loader may take before the card gives up (a model that passed the checks loads in seconds). */
export const LOAD_TIMEOUT_MS = 30_000;

interface ImageDef { bufferView?: number; mimeType?: string }

/**
 * A GLTFLoader plugin: every texture's image comes from its buffer view through createImageBitmap,
 * with the options three.js's ImageBitmapLoader uses (no premultiplication, no colour conversion).
 */
class BitmapTextures {
  readonly name = 'LABYRINTH_bitmap_textures';
  readonly #parser: GLTFParser;

  constructor(parser: GLTFParser) {
    this.#parser = parser;
  }

  loadTexture(textureIndex: number): Promise<Texture | null> | null {
    const json = this.#parser.json as { textures?: { source?: number }[]; images?: ImageDef[] };
    const source = json.textures?.[textureIndex]?.source;
    const image = source === undefined ? undefined : json.images?.[source];
    if (source === undefined || image?.bufferView === undefined) return null;
    const parser = this.#parser;
    const bufferView = image.bufferView;
    // Shaped like ImageBitmapLoader: loadImageSource wraps the bitmap in a Texture. The URL it
    // creates for the bytes is never fetched here.
    const loader = {
      isImageBitmapLoader: true,
      load(_url: string, onLoad: (bitmap: ImageBitmap) => void, _progress: unknown, onError: (e: unknown) => void) {
        (parser.getDependency('bufferView', bufferView) as Promise<ArrayBuffer>)
          .then((bytes) => createImageBitmap(new Blob([bytes], { type: image.mimeType ?? 'image/png' }), {
            premultiplyAlpha: 'none', colorSpaceConversion: 'none',
          }))
          .then(onLoad, onError);
      },
    };
    return parser.loadTextureImage(textureIndex, source, loader as never) as Promise<Texture | null>;
  }
}

export async function loadModel(glb: ArrayBuffer, timeoutMs = LOAD_TIMEOUT_MS): Promise<LoadedModel> {
  const loader = new GLTFLoader();
  loader.register((parser) => new BitmapTextures(parser) as never);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gltf = await Promise.race([
    loader.parseAsync(glb, ''),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('The model took too long to load.')), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));

  const root = gltf.scene;
  let meshes = 0;
  let triangles = 0;
  const geometries = new Set<BufferGeometry>();
  const materials = new Set<Material>();
  const textures = new Set<Texture>();
  root.traverse((o) => {
    const mesh = o as Mesh & { isInstancedMesh?: boolean; count?: number };
    if (!(mesh as { isMesh?: boolean }).isMesh) return;
    meshes++;
    const g = mesh.geometry;
    geometries.add(g);
    const n = g.index ? g.index.count : (g.getAttribute('position')?.count ?? 0);
    triangles += Math.floor(n / 3) * (mesh.isInstancedMesh ? (mesh.count ?? 1) : 1);
    for (const m of Array.isArray(mesh.material) ? mesh.material : [mesh.material]) {
      materials.add(m);
      for (const v of Object.values(m)) if ((v as Texture | null)?.isTexture) textures.add(v as Texture);
    }
  });

  const sphere = new Box3().setFromObject(root).getBoundingSphere(new Sphere());
  const finite = Number.isFinite(sphere.radius) && sphere.radius > 0;
  return {
    root,
    bounds: { center: finite ? [sphere.center.x, sphere.center.y, sphere.center.z] : [0, 0, 0], radius: finite ? sphere.radius : 1 },
    meshes,
    triangles,
    textures: textures.size,
    dispose() {
      root.removeFromParent();
      for (const t of textures) {
        (t.image as ImageBitmap | undefined)?.close?.();
        t.dispose();
      }
      for (const m of materials) m.dispose();
      for (const g of geometries) g.dispose();
    },
  };
}
