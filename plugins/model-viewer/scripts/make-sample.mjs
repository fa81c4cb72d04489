#!/usr/bin/env node
// Writes the sample model the assets page offers ("Add sample model"): a torus knot wrapped in a
// maze texture (an embedded PNG) on a pedestal, two lit PBR meshes in one GLB. The bytes are
// deterministic: geometry from three.js's generators, a seeded maze, and a PNG whose pixels are
// stored uncompressed (zlib's compressed output can differ between zlib builds).
//
//   node plugins/model-viewer/scripts/make-sample.mjs          # writes web/public/samples/labyrinth-knot.glb
//   node plugins/model-viewer/scripts/make-sample.mjs --check  # exits 1 when the committed file differs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CylinderGeometry, TorusKnotGeometry } from 'three';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SAMPLE_PATH = path.resolve(HERE, '../../../web/public/samples/labyrinth-knot.glb');

// ---- the texture: a 16 × 16 maze, 8 pixels per cell, 1-bit palette PNG ----------------------------

const CELLS = 16;
const CELL_PX = 8;
const SIZE = CELLS * CELL_PX;

/** mulberry32: a tiny seeded PRNG, so the maze is the same on every run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pixels (true = path) of a maze carved by an iterative depth-first search. */
function mazePixels() {
  const rand = random(0x1ab7);
  const grid = CELLS * 2 + 1; // walls between cells
  const open = Array.from({ length: grid }, () => new Array(grid).fill(false));
  const seen = Array.from({ length: CELLS }, () => new Array(CELLS).fill(false));
  const stack = [[0, 0]];
  seen[0][0] = true;
  open[1][1] = true;
  while (stack.length) {
    const [x, y] = stack[stack.length - 1];
    const next = [[1, 0], [-1, 0], [0, 1], [0, -1]]
      .map(([dx, dy]) => [x + dx, y + dy])
      .filter(([nx, ny]) => nx >= 0 && ny >= 0 && nx < CELLS && ny < CELLS && !seen[ny][nx]);
    if (!next.length) { stack.pop(); continue; }
    const [nx, ny] = next[Math.floor(rand() * next.length)];
    seen[ny][nx] = true;
    open[y + ny + 1][x + nx + 1] = true; // the wall between the two cells
    open[ny * 2 + 1][nx * 2 + 1] = true;
    stack.push([nx, ny]);
  }
  // Scale the (2n+1)² grid onto SIZE² pixels: walls 2 px, paths 6 px.
  const edge = (i) => {
    const cell = Math.floor(i / CELL_PX);
    const at = i % CELL_PX;
    return at < 2 ? cell * 2 : cell * 2 + 1;
  };
  return (x, y) => open[edge(y)][edge(x)];
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** zlib stream of stored (uncompressed) deflate blocks. */
function zlibStored(raw) {
  const parts = [Buffer.from([0x78, 0x01])];
  for (let at = 0; at < raw.length || at === 0; at += 65535) {
    const block = raw.subarray(at, at + 65535);
    const last = at + 65535 >= raw.length;
    const head = Buffer.alloc(5);
    head[0] = last ? 1 : 0;
    head.writeUInt16LE(block.length, 1);
    head.writeUInt16LE(~block.length & 0xffff, 3);
    parts.push(head, block);
    if (last) break;
  }
  let a = 1;
  let b = 0;
  for (const byte of raw) { a = (a + byte) % 65521; b = (b + a) % 65521; }
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((b << 16) | a) >>> 0);
  parts.push(adler);
  return Buffer.concat(parts);
}

export function makeMazePng() {
  const isPath = mazePixels();
  const stride = SIZE / 8 + 1; // filter byte + 1 bit per pixel
  const raw = Buffer.alloc(stride * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      if (isPath(x, y)) raw[y * stride + 1 + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 3; // palette
  const palette = Buffer.from([0x3d, 0x36, 0xb8, 0xf4, 0xe9, 0xd0]); // walls indigo, paths cream
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('PLTE', palette), chunk('IDAT', zlibStored(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- the GLB ------------------------------------------------------------------------------------

const FLOAT = 5126;
const USHORT = 5123;

export function makeSampleGlb() {
  const knot = new TorusKnotGeometry(0.8, 0.28, 96, 12);
  const uv = knot.getAttribute('uv');
  for (let i = 0; i < uv.count; i++) uv.setX(i, uv.getX(i) * 6); // the maze repeats along the tube
  const pedestal = new CylinderGeometry(1.15, 1.3, 0.3, 48);

  const bin = [];
  let binLength = 0;
  const bufferViews = [];
  const accessors = [];
  const addView = (bytes, target) => {
    const at = binLength;
    bin.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    binLength += bytes.byteLength;
    const pad = (4 - (binLength % 4)) % 4;
    if (pad) { bin.push(Buffer.alloc(pad)); binLength += pad; }
    bufferViews.push({ buffer: 0, byteOffset: at, byteLength: bytes.byteLength, ...(target ? { target } : {}) });
    return bufferViews.length - 1;
  };
  const addAccessor = (array, type, componentType, target, withBounds = false) => {
    const size = { SCALAR: 1, VEC2: 2, VEC3: 3 }[type];
    const accessor = { bufferView: addView(array, target), componentType, count: array.length / size, type };
    if (withBounds) {
      accessor.min = [Infinity, Infinity, Infinity];
      accessor.max = [-Infinity, -Infinity, -Infinity];
      for (let i = 0; i < array.length; i++) {
        accessor.min[i % 3] = Math.min(accessor.min[i % 3], array[i]);
        accessor.max[i % 3] = Math.max(accessor.max[i % 3], array[i]);
      }
    }
    accessors.push(accessor);
    return accessors.length - 1;
  };
  const primitive = (g, material) => ({
    attributes: {
      POSITION: addAccessor(new Float32Array(g.getAttribute('position').array), 'VEC3', FLOAT, 34962, true),
      NORMAL: addAccessor(new Float32Array(g.getAttribute('normal').array), 'VEC3', FLOAT, 34962),
      TEXCOORD_0: addAccessor(new Float32Array(g.getAttribute('uv').array), 'VEC2', FLOAT, 34962),
    },
    indices: addAccessor(new Uint16Array(g.index.array), 'SCALAR', USHORT, 34963),
    material,
  });

  const meshes = [
    { name: 'Knot', primitives: [primitive(knot, 0)] },
    { name: 'Pedestal', primitives: [primitive(pedestal, 1)] },
  ];
  const png = makeMazePng();
  const image = { name: 'Maze', mimeType: 'image/png', bufferView: addView(png) };

  const json = {
    asset: { version: '2.0', generator: 'Labyrinth make-sample.mjs', copyright: 'Labyrinth sample, MIT' },
    scene: 0,
    scenes: [{ name: 'Sample', nodes: [0, 1] }],
    nodes: [
      { name: 'Knot', mesh: 0, translation: [0, 1.45, 0] },
      { name: 'Pedestal', mesh: 1, translation: [0, 0.15, 0] },
    ],
    meshes,
    materials: [
      { name: 'Maze', pbrMetallicRoughness: { baseColorTexture: { index: 0 }, metallicFactor: 0, roughnessFactor: 0.55 } },
      { name: 'Slate', pbrMetallicRoughness: { baseColorFactor: [0.2, 0.22, 0.28, 1], metallicFactor: 0, roughnessFactor: 0.8 } },
    ],
    textures: [{ name: 'Maze', source: 0, sampler: 0 }],
    samplers: [{ magFilter: 9728, minFilter: 9987, wrapS: 10497, wrapT: 10497 }],
    images: [image],
    accessors,
    bufferViews,
    buffers: [{ byteLength: binLength }],
  };

  const text = Buffer.from(JSON.stringify(json), 'utf8');
  const jsonChunk = Buffer.concat([text, Buffer.alloc((4 - (text.length % 4)) % 4, 0x20)]);
  const binChunk = Buffer.concat(bin);
  const header = Buffer.alloc(12);
  const total = 12 + 8 + jsonChunk.length + 8 + binChunk.length;
  header.write('glTF', 0, 'latin1');
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(total, 8);
  const chunkHead = (length, type) => {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(length, 0);
    b.writeUInt32LE(type, 4);
    return b;
  };
  return Buffer.concat([header, chunkHead(jsonChunk.length, 0x4e4f534a), jsonChunk, chunkHead(binChunk.length, 0x004e4942), binChunk]);
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const glb = makeSampleGlb();
  if (process.argv.includes('--check')) {
    const same = fs.existsSync(SAMPLE_PATH) && fs.readFileSync(SAMPLE_PATH).equals(glb);
    console.log(same ? `${SAMPLE_PATH}: up to date` : `${SAMPLE_PATH}: differs; run make-sample.mjs`);
    process.exitCode = same ? 0 : 1;
  } else {
    fs.mkdirSync(path.dirname(SAMPLE_PATH), { recursive: true });
    fs.writeFileSync(SAMPLE_PATH, glb);
    console.log(`${path.relative(process.cwd(), SAMPLE_PATH)}: ${glb.length} bytes`);
  }
}
