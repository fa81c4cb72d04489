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

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Flat `[x, y, p, …]` of one encoded stroke; throws on bytes the codec did not write. */
export function decodeStroke(b64: string): Float32Array {
  const data = fromBase64(b64);
  if (data.length < 2 || data[0] !== 1) throw new Error('Not an encoded stroke.');
  let at = 1;
  const varint = (): number => {
    let value = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (at >= data.length) throw new Error('Truncated stroke.');
      const b = data[at++]!;
      value += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return value;
      mul *= 128;
    }
    throw new Error('Bad varint.');
  };
  const n = varint();
  if (n > 100_000) throw new Error('Too many points.');
  const out = new Float32Array(n * 3);
  let x = 0;
  let y = 0;
  for (let i = 0; i < n; i++) {
    const dx = varint();
    const dy = varint();
    x += dx % 2 === 0 ? dx / 2 : -(dx + 1) / 2;
    y += dy % 2 === 0 ? dy / 2 : -(dy + 1) / 2;
    if (at >= data.length) throw new Error('Truncated stroke.');
    out[i * 3] = x / SCALE;
    out[i * 3 + 1] = y / SCALE;
    out[i * 3 + 2] = data[at++]! / 255;
  }
  return out;
}
