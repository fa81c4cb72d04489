#!/usr/bin/env node
// Copies KaTeX's stylesheet and woff2 fonts into public/katex/ (packaged as plugin files: the
// card's CSP loads fonts and styles only from the plugin's own origin). The woff/ttf fallbacks
// are dropped from the stylesheet: every browser the host supports takes woff2. MathLive uses the
// same KaTeX_* font files. Run after upgrading katex; the output is committed.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const katex = path.dirname(createRequire(import.meta.url).resolve('katex/package.json'));
const out = path.join(root, 'public/katex');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'fonts'), { recursive: true });
const css = fs.readFileSync(path.join(katex, 'dist/katex.min.css'), 'utf8')
  .replace(/,url\(fonts\/[^)]+\.woff\) format\("woff"\)/g, '')
  .replace(/,url\(fonts\/[^)]+\.ttf\) format\("truetype"\)/g, '');
fs.writeFileSync(path.join(out, 'katex.min.css'), css);
for (const f of fs.readdirSync(path.join(katex, 'dist/fonts')).filter((f) => f.endsWith('.woff2'))) {
  fs.copyFileSync(path.join(katex, 'dist/fonts', f), path.join(out, 'fonts', f));
}
fs.copyFileSync(path.join(katex, 'LICENSE'), path.join(out, 'LICENSE.txt'));
console.log(`public/katex: katex.min.css + ${fs.readdirSync(path.join(out, 'fonts')).length} woff2 fonts`);
