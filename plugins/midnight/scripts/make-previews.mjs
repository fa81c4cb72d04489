#!/usr/bin/env node
// Draws the small preview PNGs (themes/*.png) from the theme files, so a preview always shows the
// theme's real colors and grid axes. Run after changing a theme: node scripts/make-previews.mjs
// (the PNGs are committed; the build only copies them).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'themes');
const W = 160;
const H = 100;

function rgba(color) {
  if (Array.isArray(color)) return color.map((c) => c * 255).map((c, i) => (i === 3 ? c / 255 : c));
  const h = color.slice(1);
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  const n = (i) => parseInt(full.slice(i, i + 2), 16);
  return [n(0), n(2), n(4), full.length === 8 ? n(6) / 255 : 1];
}

function image(theme) {
  const px = new Float64Array(W * H * 3);
  const blend = (x, y, [r, g, b, a]) => {
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    const i = (y * W + x) * 3;
    px[i] = px[i] * (1 - a) + r * a;
    px[i + 1] = px[i + 1] * (1 - a) + g * a;
    px[i + 2] = px[i + 2] * (1 - a) + b * a;
  };
  const rect = (x0, y0, x1, y1, c) => { for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) blend(x, y, c); };
  const t = theme.tokens;
  rect(0, 0, W, H, rgba(t['canvas.clearColor']));
  // Grid: tile borders every 40 px, children every 20, grandchildren every 10 (finest drawn first).
  const spacing = { tileBorder: 40, child: 20, grandchild: 10 };
  for (const g of [...theme.fractalGrid.groups].reverse()) {
    const step = spacing[g.level];
    const c = rgba(g.color);
    const w = Math.max(1, Math.round(g.widthPx));
    if (g.axes !== 'vertical') for (let y = 0; y < H; y += step) rect(0, y, W, y + w, c);
    if (g.axes !== 'horizontal') for (let x = 0; x < W; x += step) rect(x, 0, x + w, H, c);
  }
  // A panel with a title line, two text lines and an accent button.
  rect(24, 22, 136, 82, rgba(t['ui.panel.background']).map((v, i) => (i === 3 ? 0.92 : v)));
  rect(24, 22, 136, 23, rgba(t['ui.border']));
  rect(34, 32, 96, 36, rgba(t['ui.text.primary']));
  rect(34, 42, 116, 44, rgba(t['ui.text.secondary']));
  rect(34, 48, 104, 50, rgba(t['ui.text.secondary']));
  rect(92, 62, 126, 74, rgba(t['ui.accent']));
  return px;
}

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function png(px) {
  const raw = Buffer.alloc((W * 3 + 1) * H);
  for (let y = 0; y < H; y++) {
    raw[y * (W * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < W * 3; x++) raw[y * (W * 3 + 1) + 1 + x] = Math.round(Math.min(255, Math.max(0, px[y * W * 3 + x])));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(W, 0);
  ihdr.writeUInt32BE(H, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolor RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const theme = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const out = path.join(dir, file.replace(/\.json$/, '.png'));
  fs.writeFileSync(out, png(image(theme)));
  console.log(`${path.relative(process.cwd(), out)}: ${fs.statSync(out).size} bytes`);
}
