// Builds web/frame/src/bootstrap.ts → web/frame/dist/bootstrap.js (+ .br/.gz), served by the
// host as /_frame/bootstrap.js. Works from any cwd: `node web/frame/build.mjs` or `node frame/build.mjs`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.join(here, 'dist', 'bootstrap.js');

const result = await esbuild.build({
  entryPoints: [path.join(here, 'src', 'bootstrap.ts')],
  absWorkingDir: here,
  outfile,
  bundle: true,
  // A classic script (the host injects it first in <head>, before any plugin script): an IIFE keeps
  // its names out of the global scope, where a plain-HTML card's own scripts could collide with them.
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  write: false,
  logLevel: 'warning',
});

const js = Buffer.from(result.outputFiles[0].contents);
const br = zlib.brotliCompressSync(js, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } });
const gz = zlib.gzipSync(js, { level: 9 });
fs.mkdirSync(path.dirname(outfile), { recursive: true });
fs.writeFileSync(outfile, js);
fs.writeFileSync(`${outfile}.br`, br);
fs.writeFileSync(`${outfile}.gz`, gz);
console.log(`frame: ${path.relative(process.cwd(), outfile)} ${js.length} B (gzip ${gz.length} B, br ${br.length} B)`);
