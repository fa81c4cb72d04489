/**
 * What one model may cost the card. The person's file is untrusted: every count below is checked
 * against the file's own declarations before anything is allocated or decoded, so a hostile GLB
 * (huge accessor counts, lying buffer views, a decompression-bomb texture, a node cycle) is refused
 * with a sentence instead of hanging or crashing the card.
 */
export interface ModelBudget {
  /** Bytes of the file itself (the host caps uploads too; this protects the card on its own). */
  readonly maxFileBytes: number;
  /** The glTF JSON (GLB JSON chunk or a .gltf file). */
  readonly maxJsonBytes: number;
  /** Triangles drawn per frame, counting every node that shows a mesh and every GPU instance. */
  readonly maxTriangles: number;
  /** Vertex and index data the loader may allocate (accessor elements × element size, all accessors). */
  readonly maxAccessorBytes: number;
  /** Longest side of one texture, in pixels. */
  readonly maxTextureSide: number;
  /** Pixels of all textures together. */
  readonly maxTexturePixels: number;
  readonly maxImages: number;
  readonly maxNodes: number;
  /** Depth of the node tree (three.js walks it recursively). */
  readonly maxNodeDepth: number;
  readonly maxMeshes: number;
  readonly maxPrimitives: number;
  readonly maxAccessors: number;
  readonly maxBufferViews: number;
  readonly maxMaterials: number;
  /** Punctual lights: each one is a shader uniform block; hundreds would stall shader compilation. */
  readonly maxLights: number;
  /** Morph targets per primitive. */
  readonly maxMorphTargets: number;
  readonly maxAnimations: number;
  readonly maxSkins: number;
  readonly maxJointsPerSkin: number;
}

export const DEFAULT_BUDGET: ModelBudget = Object.freeze({
  maxFileBytes: 64 * 1024 * 1024,
  maxJsonBytes: 8 * 1024 * 1024,
  maxTriangles: 2_000_000,
  maxAccessorBytes: 256 * 1024 * 1024,
  maxTextureSide: 4096,
  maxTexturePixels: 32 * 1024 * 1024,
  maxImages: 64,
  maxNodes: 10_000,
  maxNodeDepth: 128,
  maxMeshes: 4_096,
  maxPrimitives: 16_384,
  maxAccessors: 65_536,
  maxBufferViews: 65_536,
  maxMaterials: 4_096,
  maxLights: 8,
  maxMorphTargets: 8,
  maxAnimations: 256,
  maxSkins: 256,
  maxJointsPerSkin: 1024,
});
