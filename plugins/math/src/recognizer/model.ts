/**
 * The symbol classifier's forward pass in plain TypeScript: the card's CSP allows neither eval nor
 * WebAssembly, so no ML runtime can run in the frame. A small CNN (3 conv 3×3 + ReLU + 2×2 max
 * pool, then two dense layers over the pooled map and the shape features); weights are int8 with
 * a float scale per output channel, dequantised once at load.
 *
 * Blob layout (little endian): "LMR1", u16 layer count, then per layer u8 kind (0 conv 3×3 pad 1,
 * 1 dense), u16 out, u16 in, u8 kernel, f32 scale[out], f32 bias[out], i8 weight[out·in·k·k],
 * zero padding to a multiple of 4.
 */
import { CLASSES } from './classes.ts';
import { FEATURES, SIZE } from './raster.ts';

interface Layer { kind: 0 | 1; out: number; inp: number; k: number; w: Float32Array; b: Float32Array }

export interface Classifier {
  /** Class probabilities (softmax, in {@link CLASSES} order) for one encoded group. */
  classify(input: Float32Array, offset?: number): Float32Array;
}

export function decodeBase64(b64: string): Uint8Array {
  if (typeof atob === 'function') {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  return new Uint8Array((globalThis as unknown as { Buffer: { from(s: string, e: string): Uint8Array } }).Buffer.from(b64, 'base64'));
}

export function loadClassifier(blob: Uint8Array): Classifier {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (String.fromCharCode(blob[0]!, blob[1]!, blob[2]!, blob[3]!) !== 'LMR1') throw new Error('math model: bad magic');
  const count = view.getUint16(4, true);
  let p = 6;
  const layers: Layer[] = [];
  for (let l = 0; l < count; l++) {
    const kind = view.getUint8(p) as 0 | 1, out = view.getUint16(p + 1, true), inp = view.getUint16(p + 3, true), k = view.getUint8(p + 5);
    p += 6;
    const scale = new Float32Array(out), b = new Float32Array(out);
    for (let o = 0; o < out; o++) { scale[o] = view.getFloat32(p, true); p += 4; }
    for (let o = 0; o < out; o++) { b[o] = view.getFloat32(p, true); p += 4; }
    const per = inp * k * k;
    const w = new Float32Array(out * per);
    for (let o = 0; o < out; o++) for (let j = 0; j < per; j++) w[o * per + j] = view.getInt8(p + o * per + j) * scale[o]!;
    p += out * per;
    p = (p + 3) & ~3;
    layers.push({ kind, out, inp, k, w, b });
  }
  const convs = layers.filter((l) => l.kind === 0), dense = layers.filter((l) => l.kind === 1);
  if (convs.length !== 3 || dense.length !== 2 || convs[0]!.inp !== 1 || dense[1]!.out !== CLASSES.length) {
    throw new Error('math model: unexpected architecture');
  }
  const side3 = SIZE >> 3;
  if (dense[0]!.inp !== convs[2]!.out * side3 * side3 + FEATURES) throw new Error('math model: dense input mismatch');

  // Scratch buffers, reused: classify is called for every candidate group.
  const bufA = new Float32Array(convs.reduce((m, c) => Math.max(m, c.out), 1) * SIZE * SIZE);
  const bufB = new Float32Array(bufA.length);
  const padded = new Float32Array(convs.reduce((m, c) => Math.max(m, c.inp), 1) * (SIZE + 2) * (SIZE + 2));
  const hidden = new Float32Array(dense[0]!.out);

  return {
    classify(input, offset = 0) {
      let src = input.subarray(offset, offset + SIZE * SIZE);
      let side = SIZE;
      for (const c of convs) {
        conv3x3Relu(src, c, side, bufA, padded);
        maxPool(bufA, c.out, side, bufB);
        side >>= 1;
        src = bufB.subarray(0, c.out * side * side);
        // bufB is read by the next conv while it writes bufA: no aliasing.
      }
      const flat = src.length;
      const d0 = dense[0]!, d1 = dense[1]!;
      for (let o = 0; o < d0.out; o++) {
        let acc = d0.b[o]!;
        const row = o * d0.inp;
        for (let j = 0; j < flat; j++) acc += d0.w[row + j]! * src[j]!;
        for (let j = 0; j < FEATURES; j++) acc += d0.w[row + flat + j]! * input[offset + SIZE * SIZE + j]!;
        hidden[o] = acc > 0 ? acc : 0;
      }
      const logits = new Float32Array(d1.out);
      let max = -Infinity;
      for (let o = 0; o < d1.out; o++) {
        let acc = d1.b[o]!;
        const row = o * d1.inp;
        for (let j = 0; j < d1.inp; j++) acc += d1.w[row + j]! * hidden[j]!;
        logits[o] = acc;
        if (acc > max) max = acc;
      }
      let sum = 0;
      for (let o = 0; o < d1.out; o++) { const e = Math.exp(logits[o]! - max); logits[o] = e; sum += e; }
      for (let o = 0; o < d1.out; o++) logits[o] = logits[o]! / sum;
      return logits;
    },
  };
}

/**
 * 3×3 convolution (zero padding 1) + ReLU. The input planes are first copied into a zero border
 * (`padded`), so the inner loop has no bounds checks: nine multiply-adds per output pixel with
 * the weights in locals — the hot loop of recognition.
 */
function conv3x3Relu(src: Float32Array, c: Layer, side: number, dst: Float32Array, padded: Float32Array): void {
  const area = side * side, ps = side + 2, parea = ps * ps;
  padded.fill(0, 0, c.inp * parea);
  for (let i = 0; i < c.inp; i++) {
    for (let y = 0; y < side; y++) padded.set(src.subarray(i * area + y * side, i * area + (y + 1) * side), i * parea + (y + 1) * ps + 1);
  }
  const w = c.w;
  for (let o = 0; o < c.out; o++) {
    const ob = o * area;
    dst.fill(c.b[o]!, ob, ob + area);
    for (let i = 0; i < c.inp; i++) {
      const k = (o * c.inp + i) * 9;
      const w0 = w[k]!, w1 = w[k + 1]!, w2 = w[k + 2]!, w3 = w[k + 3]!, w4 = w[k + 4]!, w5 = w[k + 5]!, w6 = w[k + 6]!, w7 = w[k + 7]!, w8 = w[k + 8]!;
      const pb = i * parea;
      for (let y = 0; y < side; y++) {
        const r0 = pb + y * ps, r1 = r0 + ps, r2 = r1 + ps, orow = ob + y * side;
        for (let x = 0; x < side; x++) {
          dst[orow + x] = dst[orow + x]! + w0 * padded[r0 + x]! + w1 * padded[r0 + x + 1]! + w2 * padded[r0 + x + 2]!
            + w3 * padded[r1 + x]! + w4 * padded[r1 + x + 1]! + w5 * padded[r1 + x + 2]!
            + w6 * padded[r2 + x]! + w7 * padded[r2 + x + 1]! + w8 * padded[r2 + x + 2]!;
        }
      }
    }
    for (let j = ob; j < ob + area; j++) if (dst[j]! < 0) dst[j] = 0;
  }
}

function maxPool(src: Float32Array, channels: number, side: number, dst: Float32Array): void {
  const half = side >> 1;
  for (let c = 0; c < channels; c++) {
    const s = c * side * side, d = c * half * half;
    for (let y = 0; y < half; y++) for (let x = 0; x < half; x++) {
      const k = s + 2 * y * side + 2 * x;
      dst[d + y * half + x] = Math.max(src[k]!, src[k + 1]!, src[k + side]!, src[k + side + 1]!);
    }
  }
}
