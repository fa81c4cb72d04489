/**
 * Reads a person's glTF 2.0 file (GLB or self-contained .gltf JSON) as hostile input: every index,
 * count, offset and size is checked against the bytes that exist and against a {@link ModelBudget}
 * before three.js sees the file, and the file is rewritten as one GLB whose images all live in
 * buffer views (so the loader never fetches a URL: the card's CSP has `connect-src 'none'`).
 *
 * Refusals are {@link ModelRefusal}s with a sentence a person understands.
 */
import { DEFAULT_BUDGET, type ModelBudget } from './budget.ts';
import { readImageHeader } from './images.ts';

export type RefusalCode = 'not_gltf' | 'malformed' | 'unsupported_extension' | 'external_resource' | 'over_budget';

export class ModelRefusal extends Error {
  override readonly name = 'ModelRefusal';
  constructor(readonly code: RefusalCode, message: string) {
    super(message);
  }
}

/** What the checked file declares; the card shows what three.js actually built. */
export interface ModelFacts {
  /** Triangles drawn in the default scene (instances and repeated nodes counted). */
  readonly triangles: number;
  /** Mesh primitives drawn in the default scene (each becomes one three.js mesh). */
  readonly primitives: number;
  readonly images: number;
  readonly texturePixels: number;
  readonly nodes: number;
  readonly extensionsUsed: readonly string[];
}

export interface CheckedModel {
  /** A GLB with one buffer (the BIN chunk) and every image in a buffer view. */
  readonly glb: ArrayBuffer;
  readonly facts: ModelFacts;
}

/** Extensions whose decoders need eval or WebAssembly compilation, which the card's CSP forbids. */
export const DECODER_EXTENSIONS: Readonly<Record<string, string>> = {
  KHR_draco_mesh_compression: 'Draco mesh compression',
  KHR_texture_basisu: 'KTX2 / Basis Universal textures',
  EXT_meshopt_compression: 'meshopt compression',
  KHR_meshopt_compression: 'meshopt compression',
};

/** Extensions three.js's GLTFLoader handles with no decoder; a model may require any of them. */
export const SUPPORTED_EXTENSIONS: ReadonlySet<string> = new Set([
  'KHR_lights_punctual', 'KHR_materials_anisotropy', 'KHR_materials_clearcoat', 'KHR_materials_diffuse_roughness',
  'KHR_materials_dispersion', 'KHR_materials_emissive_strength', 'KHR_materials_ior', 'KHR_materials_iridescence',
  'KHR_materials_sheen', 'KHR_materials_specular', 'KHR_materials_transmission', 'KHR_materials_unlit',
  'KHR_materials_volume', 'KHR_mesh_quantization', 'KHR_texture_transform', 'EXT_materials_bump',
  'EXT_mesh_gpu_instancing', 'EXT_texture_webp',
]);

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;
const COMPONENT_BYTES: Readonly<Record<number, number>> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_COMPONENTS: Readonly<Record<string, number>> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };
const INDEX_TYPES = new Set([5121, 5123, 5125]);
const LIGHT_TYPES = new Set(['directional', 'point', 'spot']);

type Json = Record<string, unknown>;

const refuse = (code: RefusalCode, message: string): never => { throw new ModelRefusal(code, message); };
const malformed = (message: string): never => refuse('malformed', `The file is not a valid glTF model: ${message}`);
const fmt = (n: number) => n.toLocaleString('en-US');
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Checks `data` against `budget` and returns it as a clean GLB with its facts, or throws
 * {@link ModelRefusal}. Never allocates more than the file's size before the budget is checked.
 */
export function checkModel(data: ArrayBuffer, budget: ModelBudget = DEFAULT_BUDGET): CheckedModel {
  if (data.byteLength > budget.maxFileBytes) {
    refuse('over_budget', `The file is ${mib(data.byteLength)}; the viewer opens models up to ${mib(budget.maxFileBytes)}.`);
  }
  const { json, bin } = readContainer(data, budget);
  return new Checker(json, bin, budget).run();
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

// ---- container ---------------------------------------------------------------------------------

function readContainer(data: ArrayBuffer, budget: ModelBudget): { json: Json; bin: Uint8Array | null } {
  const bytes = new Uint8Array(data);
  const view = new DataView(data);
  if (bytes.length >= 4 && view.getUint32(0, true) === GLB_MAGIC) {
    if (bytes.length < 20) malformed('the GLB header is cut short.');
    const version = view.getUint32(4, true);
    if (version !== 2) refuse('not_gltf', `This is a GLB version ${version} file; the viewer opens glTF 2.0.`);
    const length = view.getUint32(8, true);
    if (length > bytes.length || length < 20) malformed(`the header says ${fmt(length)} bytes but the file has ${fmt(bytes.length)}.`);
    const jsonLength = view.getUint32(12, true);
    if (view.getUint32(16, true) !== CHUNK_JSON) malformed('the first chunk is not JSON.');
    if (jsonLength > length - 20) malformed('the JSON chunk runs past the end of the file.');
    if (jsonLength > budget.maxJsonBytes) refuse('over_budget', `The model's description is ${mib(jsonLength)}; at most ${mib(budget.maxJsonBytes)} is read.`);
    const json = parseJson(bytes.subarray(20, 20 + jsonLength));
    let bin: Uint8Array | null = null;
    const next = 20 + align4(jsonLength);
    if (next + 8 <= length && view.getUint32(next + 4, true) === CHUNK_BIN) {
      const binLength = view.getUint32(next, true);
      if (binLength > length - next - 8) malformed('the binary chunk runs past the end of the file.');
      bin = bytes.subarray(next + 8, next + 8 + binLength);
    }
    return { json, bin };
  }
  if (bytes.length > budget.maxJsonBytes) refuse('over_budget', `The model file is ${mib(bytes.length)}; a .gltf file is read up to ${mib(budget.maxJsonBytes)} (use GLB for larger models).`);
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  while (start < bytes.length && (bytes[start] === 0x20 || bytes[start] === 0x0a || bytes[start] === 0x0d || bytes[start] === 0x09)) start++;
  if (bytes[start] !== 0x7b) refuse('not_gltf', 'This file is not a glTF model (GLB or .gltf).');
  return { json: parseJson(bytes.subarray(start)), bin: null };
}

function parseJson(bytes: Uint8Array): Json {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    refuse('not_gltf', 'The model description is not valid JSON.');
  }
  if (!isObject(value) || !isObject(value.asset) || typeof value.asset.version !== 'string') {
    refuse('not_gltf', 'This file is not a glTF model: it has no asset version.');
  }
  const json = value as Json;
  const asset = json.asset as Json;
  const version = asset.version as string;
  const min = typeof asset.minVersion === 'string' ? asset.minVersion : version;
  if (!/^2\.\d+$/.test(version) || !/^2\.0$/.test(min)) {
    refuse('not_gltf', `This is glTF ${String(min === version ? version : min).slice(0, 12)}; the viewer opens glTF 2.0.`);
  }
  return json;
}

const align4 = (n: number) => (n + 3) & ~3;

// ---- the checks --------------------------------------------------------------------------------

interface Accessor { count: number; elementBytes: number; def: Json }

class Checker {
  readonly #json: Json;
  readonly #bin: Uint8Array | null;
  readonly #budget: ModelBudget;
  /** Bytes of each buffer after data: uris are decoded (the GLB's BIN for buffer 0 without uri). */
  #buffers: Uint8Array[] = [];
  #accessors: Accessor[] = [];
  #allocated = 0;
  /** Checked top-level lists by name (looked up for every reference, so checked once). */
  readonly #lists = new Map<string, Json[]>();

  constructor(json: Json, bin: Uint8Array | null, budget: ModelBudget) {
    this.#json = json;
    this.#bin = bin;
    this.#budget = budget;
  }

  run(): CheckedModel {
    const used = this.#extensions();
    this.#readBuffers();
    this.#checkBufferViews();
    this.#checkAccessors();
    const imageFacts = this.#checkImages();
    this.#checkSamplersAndTextures();
    this.#checkMaterials();
    const meshes = this.#checkMeshes();
    this.#checkSkinsAndCameras();
    const drawn = this.#checkNodesAndScenes(meshes);
    this.#checkAnimations();
    return {
      glb: this.#rewrite(),
      facts: { ...drawn, ...imageFacts, nodes: this.#list('nodes', this.#budget.maxNodes).length, extensionsUsed: used },
    };
  }

  /** A top-level array (empty when absent), refused when it is not an array or is longer than `max`. */
  #list(name: string, max: number, what = name): Json[] {
    const known = this.#lists.get(name);
    if (known) return known;
    const v = this.#json[name];
    if (v === undefined) {
      const empty: Json[] = [];
      this.#lists.set(name, empty);
      return empty;
    }
    if (!Array.isArray(v)) malformed(`"${name}" is not a list.`);
    const list = v as unknown[];
    if (list.length > max) refuse('over_budget', `The model has ${fmt(list.length)} ${what}; the viewer opens models with at most ${fmt(max)}.`);
    list.forEach((item, i) => { if (!isObject(item)) malformed(`${name}[${i}] is not an object.`); });
    this.#lists.set(name, list as Json[]);
    return list as Json[];
  }

  #ref(value: unknown, list: string, max: number, where: string): number {
    if (!isIndex(value) || value >= this.#list(list, max).length) malformed(`${where} points to a ${list.replace(/s$/, '')} that does not exist.`);
    return value as number;
  }

  #spend(bytes: number, what: string): void {
    this.#allocated += bytes;
    if (this.#allocated > this.#budget.maxAccessorBytes) {
      refuse('over_budget', `Loading the model would take more than ${mib(this.#budget.maxAccessorBytes)} of memory (${what}).`);
    }
  }

  #extensions(): string[] {
    const list = (name: string): string[] => {
      const v = this.#json[name];
      if (v === undefined) return [];
      if (!Array.isArray(v) || v.some((e) => typeof e !== 'string') || v.length > 256) malformed(`"${name}" is not a list of names.`);
      return v as string[];
    };
    const used = list('extensionsUsed');
    const required = list('extensionsRequired');
    for (const name of [...required, ...used]) {
      const decoder = DECODER_EXTENSIONS[name];
      if (decoder) {
        refuse('unsupported_extension', `This model uses ${decoder} (${name}), which needs a decoder the card's sandbox does not allow. Export it without compression and try again.`);
      }
    }
    for (const name of required) {
      if (!SUPPORTED_EXTENSIONS.has(name)) {
        refuse('unsupported_extension', `This model requires the glTF extension ${name.slice(0, 80)}, which the viewer does not support.`);
      }
    }
    return [...new Set(used)].sort();
  }

  #readBuffers(): void {
    const buffers = this.#list('buffers', 1024);
    this.#buffers = buffers.map((b, i) => {
      const byteLength = b.byteLength;
      if (!isIndex(byteLength) || byteLength < 1) malformed(`buffer ${i} has no valid byteLength.`);
      let bytes: Uint8Array;
      if (b.uri === undefined) {
        if (i !== 0 || !this.#bin) malformed(`buffer ${i} has no data.`);
        bytes = this.#bin!;
      } else {
        bytes = decodeDataUri(b.uri, `buffer ${i}`);
      }
      if ((byteLength as number) > bytes.length) malformed(`buffer ${i} says it has ${fmt(byteLength as number)} bytes but only ${fmt(bytes.length)} are there.`);
      return bytes.subarray(0, byteLength as number);
    });
  }

  #checkBufferViews(): void {
    let total = 0;
    this.#list('bufferViews', this.#budget.maxBufferViews, 'buffer views').forEach((v, i) => {
      const where = `buffer view ${i}`;
      const buffer = this.#buffers[this.#ref(v.buffer, 'buffers', 1024, where)]!;
      const offset = v.byteOffset ?? 0;
      const length = v.byteLength;
      if (!isIndex(offset) || !isIndex(length) || length < 1) malformed(`${where} has an invalid offset or length.`);
      if ((offset as number) + (length as number) > buffer.length) malformed(`${where} runs past the end of its buffer.`);
      if (v.byteStride !== undefined && (!isIndex(v.byteStride) || v.byteStride < 4 || v.byteStride > 252 || v.byteStride % 4 !== 0)) {
        malformed(`${where} has an invalid byteStride.`);
      }
      total += length as number; // the loader copies each view it uses
    });
    this.#spend(total, 'buffer views');
  }

  #checkAccessors(): void {
    const views = this.#list('bufferViews', this.#budget.maxBufferViews);
    this.#accessors = this.#list('accessors', this.#budget.maxAccessors).map((a, i) => {
      const where = `accessor ${i}`;
      const componentBytes = COMPONENT_BYTES[a.componentType as number];
      const components = typeof a.type === 'string' ? TYPE_COMPONENTS[a.type] : undefined;
      if (!componentBytes || !components) malformed(`${where} has an unknown component type or type.`);
      const count = a.count;
      if (!isIndex(count) || count < 1 || count > 2 ** 31) malformed(`${where} has an invalid count.`);
      const elementBytes = componentBytes! * components!;
      this.#spend((count as number) * elementBytes, `accessor ${i} holds ${fmt(count as number)} elements`);
      if (a.bufferView !== undefined) {
        const view = views[this.#ref(a.bufferView, 'bufferViews', this.#budget.maxBufferViews, where)]!;
        const offset = a.byteOffset ?? 0;
        if (!isIndex(offset) || offset % componentBytes! !== 0) malformed(`${where} has an invalid or misaligned byteOffset.`);
        const stride = (view.byteStride as number | undefined) ?? elementBytes;
        if ((offset as number) + stride * ((count as number) - 1) + elementBytes > (view.byteLength as number)) {
          malformed(`${where} reads past the end of buffer view ${a.bufferView as number}.`);
        }
      } else if (a.byteOffset !== undefined && a.byteOffset !== 0) {
        malformed(`${where} has an offset but no buffer view.`);
      }
      if (a.sparse !== undefined) this.#checkSparse(a.sparse, count as number, elementBytes, where, views);
      return { count: count as number, elementBytes, def: a };
    });
  }

  #checkSparse(sparse: unknown, count: number, elementBytes: number, where: string, views: Json[]): void {
    if (!isObject(sparse) || !isIndex(sparse.count) || sparse.count < 1 || sparse.count > count
      || !isObject(sparse.indices) || !isObject(sparse.values)) {
      malformed(`${where} has an invalid sparse part.`);
    }
    const s = sparse as { count: number; indices: Json; values: Json };
    const part = (p: Json, bytesEach: number, name: string) => {
      const view = views[this.#ref(p.bufferView, 'bufferViews', this.#budget.maxBufferViews, `${where} sparse ${name}`)]!;
      const offset = p.byteOffset ?? 0;
      if (!isIndex(offset) || (offset as number) + s.count * bytesEach > (view.byteLength as number)) {
        malformed(`${where} sparse ${name} read past the end of their buffer view.`);
      }
    };
    if (!INDEX_TYPES.has(s.indices.componentType as number)) malformed(`${where} sparse indices have an invalid type.`);
    part(s.indices, COMPONENT_BYTES[s.indices.componentType as number]!, 'indices');
    part(s.values, elementBytes, 'values');
    this.#spend(count * elementBytes, `sparse accessor copy`);
  }

  #accessor(value: unknown, where: string): Accessor {
    return this.#accessors[this.#ref(value, 'accessors', this.#budget.maxAccessors, where)]!;
  }

  #checkImages(): { images: number; texturePixels: number } {
    const { maxImages, maxTextureSide, maxTexturePixels } = this.#budget;
    const views = this.#list('bufferViews', this.#budget.maxBufferViews);
    let pixels = 0;
    const images = this.#list('images', maxImages, 'images');
    images.forEach((img, i) => {
      const where = `image ${i}`;
      let bytes: Uint8Array;
      if (img.bufferView !== undefined) {
        const v = views[this.#ref(img.bufferView, 'bufferViews', this.#budget.maxBufferViews, where)]!;
        const offset = (v.byteOffset as number | undefined) ?? 0;
        bytes = this.#buffers[v.buffer as number]!.subarray(offset, offset + (v.byteLength as number));
      } else if (img.uri !== undefined) {
        bytes = decodeDataUri(img.uri, where);
      } else {
        malformed(`${where} has no data.`);
      }
      const head = readImageHeader(bytes!);
      if (!head) refuse('malformed', `Texture image ${i} is not a PNG, JPEG or WebP image.`);
      if (head!.width > maxTextureSide || head!.height > maxTextureSide) {
        refuse('over_budget', `Texture image ${i} is ${fmt(head!.width)} × ${fmt(head!.height)} pixels; the viewer opens textures up to ${fmt(maxTextureSide)} × ${fmt(maxTextureSide)}.`);
      }
      pixels += head!.width * head!.height;
      if (pixels > maxTexturePixels) {
        refuse('over_budget', `The model's textures add up to more than ${Math.round(maxTexturePixels / 1e6)} million pixels, the viewer's limit.`);
      }
      img.mimeType = head!.mediaType; // what the bytes are, not what the file claims
    });
    return { images: images.length, texturePixels: pixels };
  }

  #checkSamplersAndTextures(): void {
    const samplers = this.#list('samplers', 4096);
    samplers.forEach((s, i) => {
      for (const k of ['magFilter', 'minFilter', 'wrapS', 'wrapT']) {
        if (s[k] !== undefined && !isIndex(s[k])) malformed(`sampler ${i} has an invalid ${k}.`);
      }
    });
    this.#list('textures', 4096).forEach((t, i) => {
      const where = `texture ${i}`;
      if (t.sampler !== undefined) this.#ref(t.sampler, 'samplers', 4096, where);
      const webp = isObject(t.extensions) ? t.extensions.EXT_texture_webp : undefined;
      if (webp !== undefined) {
        if (!isObject(webp)) malformed(`${where} has an invalid EXT_texture_webp.`);
        // The card decodes every image itself (createImageBitmap), WebP included: use that source.
        t.source = this.#ref((webp as Json).source, 'images', this.#budget.maxImages, where);
        delete (t.extensions as Json).EXT_texture_webp;
      }
      if (isObject(t.extensions)) delete t.extensions.EXT_texture_avif; // keep the PNG/JPEG fallback
      if (t.source === undefined) malformed(`${where} has no image.`);
      this.#ref(t.source, 'images', this.#budget.maxImages, where);
    });
  }

  /** Every `{ index }` texture reference inside a material (core and extensions), to a bounded depth. */
  #checkMaterials(): void {
    const textures = this.#list('textures', 4096).length;
    const walk = (v: unknown, depth: number, where: string): void => {
      if (depth > 8 || !isObject(v)) return;
      for (const [k, child] of Object.entries(v)) {
        if (k === 'extras' || !isObject(child)) continue;
        if (k.endsWith('Texture') && (!isIndex(child.index) || child.index >= textures)) {
          malformed(`${where} uses a texture that does not exist (${k}).`);
        }
        walk(child, depth + 1, where);
      }
    };
    this.#list('materials', this.#budget.maxMaterials).forEach((m, i) => walk(m, 0, `material ${i}`));
  }

  /** Triangles and primitives per mesh. */
  #checkMeshes(): { triangles: number; primitives: number }[] {
    let primitiveCount = 0;
    return this.#list('meshes', this.#budget.maxMeshes).map((mesh, i) => {
      const where = `mesh ${i}`;
      if (!Array.isArray(mesh.primitives) || mesh.primitives.length === 0) malformed(`${where} has no primitives.`);
      const primitives = mesh.primitives as unknown[];
      primitiveCount += primitives.length;
      if (primitiveCount > this.#budget.maxPrimitives) {
        refuse('over_budget', `The model has more than ${fmt(this.#budget.maxPrimitives)} mesh primitives, the viewer's limit.`);
      }
      let triangles = 0;
      primitives.forEach((p, j) => {
        const at = `${where} primitive ${j}`;
        if (!isObject(p) || !isObject(p.attributes)) malformed(`${at} has no attributes.`);
        const prim = p as Json & { attributes: Json };
        for (const [name, ref] of Object.entries(prim.attributes)) this.#accessor(ref, `${at} ${name.slice(0, 40)}`);
        if (prim.attributes.POSITION === undefined) malformed(`${at} has no POSITION.`);
        const position = this.#accessor(prim.attributes.POSITION, `${at} POSITION`);
        if (position.def.type !== 'VEC3') malformed(`${at} POSITION is not a list of 3D points.`);
        let n = position.count;
        if (prim.indices !== undefined) {
          const indices = this.#accessor(prim.indices, `${at} indices`);
          if (indices.def.type !== 'SCALAR' || !INDEX_TYPES.has(indices.def.componentType as number)) malformed(`${at} indices are not unsigned integers.`);
          n = indices.count;
        }
        const mode = prim.mode ?? 4;
        if (!isIndex(mode) || mode > 6) malformed(`${at} has an unknown mode.`);
        if (mode === 4) triangles += Math.floor(n / 3);
        if (mode === 5 || mode === 6) {
          triangles += Math.max(0, n - 2);
          this.#spend(Math.max(0, n - 2) * 12, 'converting strips and fans to triangles');
        }
        if (prim.material !== undefined) this.#ref(prim.material, 'materials', this.#budget.maxMaterials, at);
        if (prim.targets !== undefined) {
          if (!Array.isArray(prim.targets) || prim.targets.length > this.#budget.maxMorphTargets) {
            refuse('over_budget', `${at} has more than ${this.#budget.maxMorphTargets} morph targets, the viewer's limit.`);
          }
          for (const target of prim.targets as unknown[]) {
            if (!isObject(target)) malformed(`${at} has an invalid morph target.`);
            for (const ref of Object.values(target as Json)) {
              if (this.#accessor(ref, `${at} morph target`).count !== position.count) malformed(`${at} has a morph target of another size.`);
            }
          }
        }
      });
      return { triangles, primitives: primitives.length };
    });
  }

  #checkSkinsAndCameras(): void {
    const nodes = this.#list('nodes', this.#budget.maxNodes).length;
    this.#list('skins', this.#budget.maxSkins).forEach((s, i) => {
      const where = `skin ${i}`;
      if (!Array.isArray(s.joints) || s.joints.length < 1 || s.joints.length > this.#budget.maxJointsPerSkin) {
        refuse('over_budget', `${where} has no joints or more than ${fmt(this.#budget.maxJointsPerSkin)}, the viewer's limit.`);
      }
      for (const j of s.joints as unknown[]) if (!isIndex(j) || j >= nodes) malformed(`${where} names a joint that does not exist.`);
      if (s.skeleton !== undefined && (!isIndex(s.skeleton) || s.skeleton >= nodes)) malformed(`${where} names a skeleton that does not exist.`);
      if (s.inverseBindMatrices !== undefined) {
        const m = this.#accessor(s.inverseBindMatrices, `${where} inverseBindMatrices`);
        if (m.def.type !== 'MAT4' || m.count < (s.joints as unknown[]).length) malformed(`${where} has too few inverse bind matrices.`);
      }
    });
    this.#list('cameras', 1024).forEach((c, i) => {
      if (c.type !== 'perspective' && c.type !== 'orthographic') malformed(`camera ${i} has an unknown type.`);
    });
  }

  #lights(): Json[] {
    const ext = this.#json.extensions;
    const lights = isObject(ext) && isObject(ext.KHR_lights_punctual) ? ext.KHR_lights_punctual.lights : undefined;
    if (lights === undefined) return [];
    if (!Array.isArray(lights) || lights.some((l) => !isObject(l) || !LIGHT_TYPES.has(l.type as string))) {
      malformed('the punctual lights are not valid.');
    }
    return lights as Json[];
  }

  /**
   * One parent per node, no cycles, a bounded depth; then what each scene draws. Iterative, so a
   * 10,000-deep chain cannot overflow this function's stack before it is refused.
   */
  #checkNodesAndScenes(meshes: { triangles: number; primitives: number }[]): { triangles: number; primitives: number } {
    const nodes = this.#list('nodes', this.#budget.maxNodes);
    const lights = this.#lights().length;
    const parent = new Int32Array(nodes.length).fill(-1);
    const weight = new Float64Array(nodes.length); // triangles drawn by the node itself
    const prims = new Float64Array(nodes.length);
    let lightNodes = 0;
    nodes.forEach((n, i) => {
      const where = `node ${i}`;
      if (n.children !== undefined) {
        if (!Array.isArray(n.children)) malformed(`${where} has invalid children.`);
        for (const c of n.children as unknown[]) {
          if (!isIndex(c) || c >= nodes.length || c === i) malformed(`${where} has a child that does not exist.`);
          if (parent[c as number] !== -1) malformed(`node ${c as number} has more than one parent.`);
          parent[c as number] = i;
        }
      }
      let instances = 1;
      const ext = isObject(n.extensions) ? n.extensions : {};
      if (ext.EXT_mesh_gpu_instancing !== undefined) {
        const inst = ext.EXT_mesh_gpu_instancing;
        if (!isObject(inst) || !isObject(inst.attributes)) malformed(`${where} has invalid instancing.`);
        const counts = Object.values((inst as Json & { attributes: Json }).attributes).map((r) => this.#accessor(r, `${where} instancing`).count);
        if (counts.length === 0 || counts.some((c) => c !== counts[0])) malformed(`${where} instancing attributes differ in length.`);
        instances = counts[0]!;
      }
      if (n.mesh !== undefined) {
        const m = meshes[this.#ref(n.mesh, 'meshes', this.#budget.maxMeshes, where)]!;
        weight[i] = m.triangles * instances;
        prims[i] = m.primitives;
      }
      if (n.skin !== undefined) this.#ref(n.skin, 'skins', this.#budget.maxSkins, where);
      if (n.camera !== undefined) this.#ref(n.camera, 'cameras', 1024, where);
      if (isObject(ext.KHR_lights_punctual)) {
        if (!isIndex(ext.KHR_lights_punctual.light) || ext.KHR_lights_punctual.light >= lights) malformed(`${where} uses a light that does not exist.`);
        lightNodes++;
      }
      for (const k of ['matrix', 'translation', 'rotation', 'scale'] as const) {
        const v = n[k];
        if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)))) malformed(`${where} has an invalid ${k}.`);
      }
    });
    if (lightNodes > this.#budget.maxLights) {
      refuse('over_budget', `The model has ${fmt(lightNodes)} lights; the viewer draws models with at most ${this.#budget.maxLights}.`);
    }

    // Depth of every node by walking up its parents; a walk longer than the node count is a cycle.
    const depth = new Int32Array(nodes.length).fill(-1);
    for (let i = 0; i < nodes.length; i++) {
      const path: number[] = [];
      let at = i;
      while (at !== -1 && depth[at] === -1) {
        path.push(at);
        if (path.length > nodes.length) malformed('its nodes form a cycle.');
        at = parent[at]!;
      }
      let d = at === -1 ? 0 : depth[at]! + 1;
      for (let k = path.length - 1; k >= 0; k--) depth[path[k]!] = d++;
    }
    const deepest = depth.reduce((a, b) => Math.max(a, b), 0);
    if (deepest >= this.#budget.maxNodeDepth) {
      refuse('over_budget', `The model's node tree is ${fmt(deepest + 1)} levels deep; the viewer opens trees up to ${this.#budget.maxNodeDepth} levels.`);
    }

    // Subtree totals, children before parents (deepest first).
    const order = [...depth.keys()].sort((a, b) => depth[b]! - depth[a]!);
    const subtreeTriangles = Float64Array.from(weight);
    const subtreePrims = Float64Array.from(prims);
    for (const i of order) {
      const p = parent[i]!;
      if (p !== -1) {
        subtreeTriangles[p]! += subtreeTriangles[i]!;
        subtreePrims[p]! += subtreePrims[i]!;
      }
    }

    const scenes = this.#list('scenes', 64);
    const drawn = scenes.map((s, i) => {
      let triangles = 0;
      let primitives = 0;
      if (s.nodes !== undefined) {
        if (!Array.isArray(s.nodes)) malformed(`scene ${i} has an invalid node list.`);
        for (const r of s.nodes as unknown[]) {
          if (!isIndex(r) || r >= nodes.length) malformed(`scene ${i} names a node that does not exist.`);
          triangles += subtreeTriangles[r as number]!;
          primitives += subtreePrims[r as number]!;
        }
      }
      return { triangles, primitives };
    });
    // Every scene is built by the loader; each costs what it draws.
    const total = drawn.reduce((a, d) => a + d.triangles, 0);
    if (total > this.#budget.maxTriangles) {
      refuse('over_budget', `The model has ${fmt(total)} triangles; the viewer draws models with up to ${fmt(this.#budget.maxTriangles)}.`);
    }
    if (drawn.reduce((a, d) => a + d.primitives, 0) > this.#budget.maxPrimitives) {
      refuse('over_budget', `The model draws more than ${fmt(this.#budget.maxPrimitives)} mesh parts, the viewer's limit.`);
    }
    const scene = this.#json.scene === undefined ? 0 : this.#json.scene;
    if (scenes.length > 0 && (!isIndex(scene) || scene >= scenes.length)) malformed('the default scene does not exist.');
    if (scenes.length === 0) refuse('malformed', 'The model has no scene to show.');
    return drawn[scene as number]!;
  }

  #checkAnimations(): void {
    const nodes = this.#list('nodes', this.#budget.maxNodes).length;
    this.#list('animations', this.#budget.maxAnimations).forEach((a, i) => {
      const where = `animation ${i}`;
      if (!Array.isArray(a.samplers) || !Array.isArray(a.channels)) malformed(`${where} has no samplers or channels.`);
      const samplers = a.samplers as unknown[];
      for (const s of samplers) {
        if (!isObject(s)) malformed(`${where} has an invalid sampler.`);
        this.#accessor((s as Json).input, `${where} input`);
        this.#accessor((s as Json).output, `${where} output`);
      }
      for (const c of a.channels as unknown[]) {
        if (!isObject(c) || !isIndex(c.sampler) || c.sampler >= samplers.length || !isObject(c.target)) malformed(`${where} has an invalid channel.`);
        const node = ((c as Json).target as Json).node;
        if (node !== undefined && (!isIndex(node) || node >= nodes)) malformed(`${where} animates a node that does not exist.`);
      }
    });
  }

  // ---- rewrite as one GLB ----------------------------------------------------------------------

  /**
   * Concatenates every buffer (16-byte aligned, so accessor alignment holds) and every data: image
   * into one BIN chunk; buffer views are re-pointed, images get buffer views.
   */
  #rewrite(): ArrayBuffer {
    const json = this.#json;
    const parts: Uint8Array[] = [];
    let size = 0;
    const place = (bytes: Uint8Array): number => {
      const at = size;
      parts.push(bytes);
      size = (size + bytes.length + 15) & ~15;
      return at;
    };
    const starts = this.#buffers.map(place);
    const views = this.#list('bufferViews', this.#budget.maxBufferViews);
    for (const v of views) {
      v.byteOffset = ((v.byteOffset as number | undefined) ?? 0) + starts[v.buffer as number]!;
      v.buffer = 0;
    }
    for (const img of this.#list('images', this.#budget.maxImages)) {
      if (img.uri === undefined) continue;
      const bytes = decodeDataUri(img.uri, 'image');
      const at = place(bytes);
      views.push({ buffer: 0, byteOffset: at, byteLength: bytes.length });
      json.bufferViews = views;
      img.bufferView = views.length - 1;
      delete img.uri;
    }
    json.buffers = size > 0 ? [{ byteLength: size }] : [];
    if (Array.isArray(json.extensionsUsed)) {
      json.extensionsUsed = (json.extensionsUsed as string[]).filter((e) => e !== 'EXT_texture_webp' && e !== 'EXT_texture_avif');
    }
    if (Array.isArray(json.extensionsRequired)) {
      json.extensionsRequired = (json.extensionsRequired as string[]).filter((e) => e !== 'EXT_texture_webp');
    }

    const text = new TextEncoder().encode(JSON.stringify(json));
    const jsonLength = align4(text.length);
    const binLength = align4(size);
    const total = 12 + 8 + jsonLength + (size > 0 ? 8 + binLength : 0);
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    view.setUint32(0, GLB_MAGIC, true);
    view.setUint32(4, 2, true);
    view.setUint32(8, total, true);
    view.setUint32(12, jsonLength, true);
    view.setUint32(16, CHUNK_JSON, true);
    out.set(text, 20);
    out.fill(0x20, 20 + text.length, 20 + jsonLength);
    if (size > 0) {
      const binStart = 20 + jsonLength;
      view.setUint32(binStart, binLength, true);
      view.setUint32(binStart + 4, CHUNK_BIN, true);
      let at = 0;
      for (const p of parts) {
        out.set(p, binStart + 8 + at);
        at = (at + p.length + 15) & ~15;
      }
    }
    return out.buffer;
  }
}

/** Bytes of a base64 `data:` uri; any other uri would be a fetch, which the card cannot and must not do. */
function decodeDataUri(uri: unknown, where: string): Uint8Array {
  if (typeof uri !== 'string') malformed(`${where} has an invalid uri.`);
  const s = uri as string;
  if (!/^data:/i.test(s)) {
    refuse('external_resource', `The model refers to another file (${where}); use a GLB or a .gltf with everything embedded.`);
  }
  const comma = s.indexOf(',');
  if (comma < 0 || !/;base64$/i.test(s.slice(0, comma))) malformed(`${where} is not base64 data.`);
  let binary: string;
  try {
    binary = atob(s.slice(comma + 1));
  } catch {
    malformed(`${where} is not valid base64.`);
  }
  const out = new Uint8Array(binary!.length);
  for (let i = 0; i < out.length; i++) out[i] = binary!.charCodeAt(i);
  return out;
}
