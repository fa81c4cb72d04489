import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGET, type ModelBudget } from '../src/budget.ts';
import { checkModel, ModelRefusal, type RefusalCode } from '../src/gltf-check.ts';
// @ts-expect-error plain ESM without types
import { makeSampleGlb } from '../scripts/make-sample.mjs';
import { base64, glb, pngHeader, triangle, triangleBin, triangleJson } from './glb.ts';

const budget = (over: Partial<ModelBudget>): ModelBudget => ({ ...DEFAULT_BUDGET, ...over });

function refusal(data: ArrayBuffer, b: ModelBudget = DEFAULT_BUDGET): ModelRefusal {
  try {
    checkModel(data, b);
  } catch (e) {
    if (e instanceof ModelRefusal) return e;
    throw e;
  }
  throw new Error('the model was accepted');
}

function expectRefused(data: ArrayBuffer, code: RefusalCode, text: string | RegExp, b?: ModelBudget): void {
  const r = refusal(data, b);
  expect(r.code, r.message).toBe(code);
  expect(r.message).toMatch(text);
}

/** The JSON chunk of a GLB the checker wrote. */
function jsonOf(out: ArrayBuffer): Record<string, any> {
  const v = new DataView(out);
  expect(v.getUint32(0, true)).toBe(0x46546c67);
  return JSON.parse(new TextDecoder().decode(new Uint8Array(out, 20, v.getUint32(12, true))));
}

const bytes = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe('checkModel: files that are fine', () => {
  it('Sample_IsAcceptedWithItsTwoMeshesTrianglesAndTexture', () => {
    const { facts } = checkModel(bytes(makeSampleGlb()));
    expect(facts).toMatchObject({ primitives: 2, triangles: 2304 + 192, images: 1, texturePixels: 128 * 128 });
  });

  it('Triangle_IsAcceptedAndRewrittenAsOneGlb', () => {
    const { glb: out, facts } = checkModel(triangle());
    expect(facts.triangles).toBe(1);
    expect(jsonOf(out).buffers).toEqual([{ byteLength: 48 }]);
  });

  it('GltfJsonWithDataUris_BecomesAGlbWithImagesInBufferViews', () => {
    const json = triangleJson();
    json.buffers = [{ byteLength: 44, uri: `data:application/octet-stream;base64,${base64(triangleBin())}` }];
    json.images = [{ uri: `data:image/png;base64,${base64(pngHeader(4, 4))}` }];
    json.textures = [{ source: 0 }];
    const text = new TextEncoder().encode(JSON.stringify(json));
    const out = jsonOf(checkModel(bytes(text)).glb);
    expect(out.buffers).toHaveLength(1);
    expect(out.buffers[0].uri).toBeUndefined();
    expect(out.images[0]).toMatchObject({ bufferView: 2, mimeType: 'image/png' });
    expect(out.images[0].uri).toBeUndefined();
  });

  it('WebpExtension_TextureUsesTheWebpSourceAndTheExtensionIsGone', () => {
    const json = triangleJson();
    const png = pngHeader(2, 2);
    const webp = new Uint8Array(30);
    webp.set(new TextEncoder().encode('RIFF'), 0);
    webp.set(new TextEncoder().encode('WEBPVP8X'), 8);
    json.images = [{ uri: `data:image/png;base64,${base64(png)}` }, { uri: `data:image/webp;base64,${base64(webp)}` }];
    json.textures = [{ source: 0, extensions: { EXT_texture_webp: { source: 1 } } }];
    json.extensionsUsed = ['EXT_texture_webp'];
    const out = jsonOf(checkModel(glb(json, triangleBin())).glb);
    expect(out.textures[0]).toEqual({ source: 1, extensions: {} });
    expect(out.images[1].mimeType).toBe('image/webp');
    expect(out.extensionsUsed).toEqual([]);
  });
});

describe('checkModel: containers', () => {
  it('RandomBytes_AreNotGltf', () => {
    expectRefused(bytes(new Uint8Array([1, 2, 3, 4, 5])), 'not_gltf', /not a glTF model/);
  });

  it('GlbVersion1_IsRefusedNamingTheVersion', () => {
    expectRefused(glb(triangleJson(), triangleBin(), { version: 1 }), 'not_gltf', /version 1/);
  });

  it('GlbHeaderLongerThanTheFile_IsMalformed', () => {
    expectRefused(glb(triangleJson(), triangleBin(), { length: 1_000_000 }), 'malformed', /header says 1,000,000 bytes/);
  });

  it('JsonChunkRunningPastTheEnd_IsMalformed', () => {
    const data = new Uint8Array(triangle());
    new DataView(data.buffer).setUint32(12, 0x7fffffff, true);
    expectRefused(data.buffer, 'malformed', /JSON chunk runs past/);
  });

  it('JsonChunkThatIsNotJson_IsNotGltf', () => {
    const data = new Uint8Array(triangle());
    data[20] = 0x5b; // '[' then the object: not valid JSON
    expectRefused(data.buffer, 'not_gltf', /not valid JSON/);
  });

  it('Glb_Gltf1Asset_IsRefused', () => {
    expectRefused(glb({ ...triangleJson(), asset: { version: '1.0' } }, triangleBin()), 'not_gltf', /glTF 1\.0/);
  });
});

describe('checkModel: hostile sizes are refused before anything is allocated', () => {
  it('AccessorWithHugeCount_IsOverBudget', () => {
    const json = triangleJson();
    json.accessors[0].count = 2 ** 30;
    expectRefused(glb(json, triangleBin()), 'over_budget', /more than 256\.0 MB|more than 256 MB/);
  });

  it('AccessorWithoutBufferView_HugeZeroFilled_IsOverBudget', () => {
    const json = triangleJson();
    json.accessors.push({ componentType: 5126, count: 100_000_000, type: 'VEC3' });
    expectRefused(glb(json, triangleBin()), 'over_budget', /memory/);
  });

  it('AccessorReadingPastItsBufferView_IsMalformed', () => {
    const json = triangleJson();
    json.accessors[0].count = 4;
    expectRefused(glb(json, triangleBin()), 'malformed', /accessor 0 reads past the end of buffer view 0/);
  });

  it('AccessorMisaligned_IsMalformed', () => {
    const json = triangleJson();
    json.accessors[0].byteOffset = 2;
    expectRefused(glb(json, triangleBin()), 'malformed', /misaligned/);
  });

  it('BufferViewPastTheBuffer_IsMalformed', () => {
    const json = triangleJson();
    json.bufferViews[1].byteLength = 4096;
    expectRefused(glb(json, triangleBin()), 'malformed', /buffer view 1 runs past the end/);
  });

  it('BufferLongerThanTheBinaryChunk_IsMalformed', () => {
    const json = triangleJson();
    json.buffers[0].byteLength = 1 << 30;
    expectRefused(glb(json, triangleBin()), 'malformed', /says it has 1,073,741,824 bytes but only 44/);
  });

  it('ManyOverlappingBufferViews_AreOverBudget', () => {
    const json = triangleJson();
    const bin = new Uint8Array(1 << 20);
    bin.set(triangleBin());
    json.buffers[0].byteLength = bin.length;
    for (let i = 0; i < 20; i++) json.bufferViews.push({ buffer: 0, byteLength: bin.length });
    expectRefused(glb(json, bin), 'over_budget', /buffer views/, budget({ maxAccessorBytes: 10 << 20 }));
  });

  it('SparseIndicesPastTheirView_AreMalformed', () => {
    const json = triangleJson();
    json.accessors[0].sparse = { count: 3, indices: { bufferView: 1, componentType: 5125 }, values: { bufferView: 0 } };
    expectRefused(glb(json, triangleBin()), 'malformed', /sparse indices read past/);
  });

  it('TrianglesOverBudget_AreRefusedWithBothNumbers', () => {
    const json = triangleJson();
    json.nodes = Array.from({ length: 11 }, () => ({ mesh: 0 }));
    json.scenes = [{ nodes: json.nodes.map((_: unknown, i: number) => i) }];
    expectRefused(glb(json, triangleBin()), 'over_budget', /11 triangles; the viewer draws models with up to 10/, budget({ maxTriangles: 10 }));
  });

  it('GpuInstancing_CountsEveryInstanceAgainstTheBudget', () => {
    const json = triangleJson();
    json.accessors.push({ componentType: 5126, count: 1000, type: 'VEC3' });
    json.nodes[0].extensions = { EXT_mesh_gpu_instancing: { attributes: { TRANSLATION: 2 } } };
    expectRefused(glb(json, triangleBin()), 'over_budget', /1,000 triangles/, budget({ maxTriangles: 999 }));
  });

  it('TooManyNodes_AreOverBudget', () => {
    const json = triangleJson();
    json.nodes = Array.from({ length: 10_001 }, () => ({}));
    expectRefused(glb(json, triangleBin()), 'over_budget', /10,001 nodes/);
  });

  it('NodeCycle_IsMalformed', () => {
    const json = triangleJson();
    json.nodes = [{ mesh: 0, children: [1] }, { children: [2] }, { children: [0] }];
    expectRefused(glb(json, triangleBin()), 'malformed', /cycle/);
  });

  it('NodeWithTwoParents_IsMalformed', () => {
    const json = triangleJson();
    json.nodes = [{ mesh: 0, children: [2] }, { children: [2] }, {}];
    json.scenes = [{ nodes: [0, 1] }];
    expectRefused(glb(json, triangleBin()), 'malformed', /node 2 has more than one parent/);
  });

  it('NodeTreeDeeperThanTheLimit_IsOverBudget', () => {
    const json = triangleJson();
    json.nodes = Array.from({ length: 200 }, (_, i) => (i < 199 ? { children: [i + 1] } : { mesh: 0 }));
    expectRefused(glb(json, triangleBin()), 'over_budget', /200 levels deep/);
  });

  it('TooManyLights_AreOverBudget', () => {
    const json = triangleJson();
    json.extensions = { KHR_lights_punctual: { lights: [{ type: 'point' }] } };
    json.extensionsUsed = ['KHR_lights_punctual'];
    for (let i = 0; i < 9; i++) json.nodes.push({ extensions: { KHR_lights_punctual: { light: 0 } } });
    expectRefused(glb(json, triangleBin()), 'over_budget', /9 lights/);
  });

  it('TextureDeclaringHugeSize_IsRefusedBeforeDecoding', () => {
    const json = triangleJson();
    json.images = [{ uri: `data:image/png;base64,${base64(pngHeader(60_000, 60_000))}` }];
    json.textures = [{ source: 0 }];
    expectRefused(glb(json, triangleBin()), 'over_budget', /60,000 × 60,000 pixels/);
  });

  it('TexturesTogetherOverThePixelBudget_AreRefused', () => {
    const json = triangleJson();
    json.images = Array.from({ length: 3 }, () => ({ uri: `data:image/png;base64,${base64(pngHeader(4096, 4096))}` }));
    expectRefused(glb(json, triangleBin()), 'over_budget', /million pixels/);
  });

  it('ImageThatIsNotAnImage_IsRefused', () => {
    const json = triangleJson();
    json.images = [{ uri: `data:image/png;base64,${base64(new TextEncoder().encode('<svg onload=alert(1)>'))}` }];
    expectRefused(glb(json, triangleBin()), 'malformed', /not a PNG, JPEG or WebP/);
  });

  it('MaterialPointingToAMissingTexture_IsMalformed', () => {
    const json = triangleJson();
    json.materials = [{ pbrMetallicRoughness: { baseColorTexture: { index: 7 } } }];
    json.meshes[0].primitives[0].material = 0;
    expectRefused(glb(json, triangleBin()), 'malformed', /material 0 uses a texture that does not exist/);
  });

  it('FileOverTheByteBudget_IsRefusedFirst', () => {
    expectRefused(triangle(), 'over_budget', /the viewer opens models up to/, budget({ maxFileBytes: 16 }));
  });
});

describe('checkModel: extensions', () => {
  it.each([
    ['KHR_draco_mesh_compression', 'Draco'],
    ['KHR_texture_basisu', 'KTX2'],
    ['EXT_meshopt_compression', 'meshopt'],
    ['KHR_meshopt_compression', 'meshopt'],
  ])('DecoderExtension_%s_IsRefusedByName', (name, what) => {
    const json = { ...triangleJson(), extensionsUsed: [name] };
    const r = refusal(glb(json, triangleBin()));
    expect(r.code).toBe('unsupported_extension');
    expect(r.message).toContain(name);
    expect(r.message).toContain(what);
  });

  it('UnknownRequiredExtension_IsRefusedByName', () => {
    const json = { ...triangleJson(), extensionsUsed: ['ACME_magic'], extensionsRequired: ['ACME_magic'] };
    expectRefused(glb(json, triangleBin()), 'unsupported_extension', /requires the glTF extension ACME_magic/);
  });

  it('UnknownOptionalExtension_IsIgnored', () => {
    const json = { ...triangleJson(), extensionsUsed: ['ACME_magic'] };
    expect(checkModel(glb(json, triangleBin())).facts.extensionsUsed).toEqual(['ACME_magic']);
  });

  it('ExternalBufferUri_IsRefused', () => {
    const json = triangleJson();
    json.buffers = [{ byteLength: 44, uri: 'https://example.com/leak.bin' }];
    expectRefused(glb(json), 'external_resource', /refers to another file/);
  });
});

describe('checkModel: damaged files never escape as anything but a refusal', () => {
  it('MutatedSampleBytes_AreAcceptedOrRefusedNeverThrowOtherwise', () => {
    const sample = new Uint8Array(makeSampleGlb());
    const jsonLength = new DataView(sample.buffer, sample.byteOffset).getUint32(12, true);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let refused = 0;
    for (let round = 0; round < 300; round++) {
      const copy = sample.slice();
      // Mostly the JSON (digits and structure), sometimes the header and chunk lengths.
      for (let k = 0; k < 3; k++) {
        const at = rand() < 0.2 ? Math.floor(rand() * 28) : 20 + Math.floor(rand() * jsonLength);
        copy[at] = rand() < 0.5 ? 0x30 + Math.floor(rand() * 10) : Math.floor(rand() * 256);
      }
      try {
        checkModel(copy.buffer);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelRefusal);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});
