// The compact stroke encoding the server stores and sends as base64 (docs/api.md "Ink wire
// format"; Labyrinth.Core.Ink.StrokeCodec): format byte 1, varint point count, then per point the
// zigzag-varint deltas of x and y in steps of 1/16 unit and one pressure byte.

export const QUANTUM = 1 / 16;
const SCALE = 16;

/** Rounds a coordinate to the step the server stores, so what is drawn is what comes back. */
export function quantize(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v) * SCALE) / SCALE;
}

/** Rounds a pressure to the byte the server stores. */
export function quantizePressure(p: number): number {
  return Math.round(Math.min(1, Math.max(0, p)) * 255) / 255;
}

const B64 = (() => {
  const t = new Int16Array(128).fill(-1);
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < abc.length; i++) t[abc.charCodeAt(i)] = i;
  return t;
})();

/** Base64 → bytes without atob's intermediate string (a board decodes ~10,000 of these on load). */
function fromBase64(b64: string, into: Uint8Array): number {
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < b64.length; i++) {
    const c = b64.charCodeAt(i);
    if (c === 61) break; // '='
    const v = c < 128 ? B64[c]! : -1;
    if (v < 0) throw new Error('Not base64.');
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      into[n++] = (acc >> bits) & 0xff;
    }
  }
  return n;
}

let scratch = new Uint8Array(4096);

/** Flat `[x, y, p, …]` of one encoded stroke; throws on bytes the codec did not write. */
export function decodeStroke(b64: string): Float32Array {
  const max = Math.ceil((b64.length * 3) / 4);
  if (scratch.length < max) scratch = new Uint8Array(max * 2);
  const data = scratch;
  const len = fromBase64(b64, data);
  if (len < 2 || data[0] !== 1) throw new Error('Not an encoded stroke.');
  let at = 1;
  // Varints inline (no closure per value): count, then dx, dy per point.
  let n = 0;
  for (let shift = 0, mul = 1; ; shift += 7, mul *= 128) {
    if (at >= len || shift > 28) throw new Error('Truncated stroke.');
    const b = data[at++]!;
    n += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) break;
  }
  if (n > 100_000) throw new Error('Too many points.');
  const out = new Float32Array(n * 3);
  let x = 0;
  let y = 0;
  for (let i = 0; i < n; i++) {
    let dx = 0;
    for (let shift = 0, mul = 1; ; shift += 7, mul *= 128) {
      if (at >= len || shift > 28) throw new Error('Truncated stroke.');
      const b = data[at++]!;
      dx += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
    }
    let dy = 0;
    for (let shift = 0, mul = 1; ; shift += 7, mul *= 128) {
      if (at >= len || shift > 28) throw new Error('Truncated stroke.');
      const b = data[at++]!;
      dy += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
    }
    if (at >= len) throw new Error('Truncated stroke.');
    x += dx % 2 === 0 ? dx / 2 : -(dx + 1) / 2;
    y += dy % 2 === 0 ? dy / 2 : -(dy + 1) / 2;
    out[i * 3] = x / SCALE;
    out[i * 3 + 1] = y / SCALE;
    out[i * 3 + 2] = data[at++]! / 255;
  }
  return out;
}
