#!/usr/bin/env node
// labyrinth-build — builds a Labyrinth plugin (see docs/api.md "Plugin source layout and build
// output" and docs/plugin-authoring.md). Run in a plugin directory, or `--all <dir>`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const SDK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MOUNT_RUNTIME = path.join(SDK_DIR, 'runtime', 'mount.svelte.js');
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map)$/i;
const SCRIPT_SOURCE = /\.(svelte|ts|js|mjs)$/;

const HELP = `labyrinth-build — build a Labyrinth plugin into dist/

Usage:
  labyrinth-build [pluginDir] [--out dist] [--force]
  labyrinth-build --all <pluginsDir> [--force]

Reads manifest.json; for each card compiles runtime.source (.svelte, .ts, .js) into one
minified ES module at <out>/<runtime.entry> (a dynamic import() becomes a chunk beside it,
under chunks/, fetched only when the card runs that import), copies .html entries, public/**
(to the output root), assets/** and themes/** as they are (a plugin may ship only themes), writes <out>/manifest.json (without
runtime.source), <out>/build-manifest.json and precompressed .br/.gz siblings.

Options:
  --out <dir>   output directory relative to the plugin directory (default: dist)
  --all <dir>   build every subdirectory of <dir> that has a manifest.json
  --force       rebuild even when the outputs are newer than the inputs
  --quiet       print errors only
  --check-a11y  fail on Svelte a11y warnings, then render each JS card in happy-dom and fail
                on axe-core critical/serious violations (labyrinth plugin pack runs this)
  --watch       rebuild on every change (no precompression); with --events, one JSON line
                per build on stdout: {"event":"built"|"failed", ...} (labyrinth plugin dev)
  --json        print the result (or the problems) as one JSON object
  --help        show this help

Cards with a propsSchema get their props type generated at src/<typeID>.props.ts on every
build (json-schema-to-typescript); a Svelte card destructuring a prop its schema does not
declare fails the build.
`;

class BuildError extends Error {}

function parseArgs(argv) {
  const opts = { out: 'dist', force: false, quiet: false, all: null, dir: null, help: false, checkA11y: false, watch: false, events: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new BuildError(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--force') opts.force = true;
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--check-a11y') opts.checkA11y = true;
    else if (a === '--watch') opts.watch = true;
    else if (a === '--events') opts.events = true;
    else if (a === '--json') opts.json = true;
    else if (a === '--out') opts.out = value();
    else if (a.startsWith('--out=')) opts.out = a.slice(6);
    else if (a === '--all') opts.all = value();
    else if (a === '--plugins-only') { /* passed by the root `npm run build`; nothing to skip here */ }
    else if (a.startsWith('-')) throw new BuildError(`unknown option ${a} (see --help)`);
    else if (opts.dir === null) opts.dir = a;
    else throw new BuildError(`unexpected argument ${a}`);
  }
  return opts;
}

// ---- manifest ---------------------------------------------------------------------------------

/** A manifest path must stay inside its directory: relative, forward slashes, no dot segments. */
function checkRelPath(p, where) {
  if (typeof p !== 'string' || p === '' || p.startsWith('/') || p.includes('\\') || p.includes('\0')
    || p.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new BuildError(`${where}: "${p}" must be a relative path without "..", "." or backslashes`);
  }
  return p;
}

/** JSON pointer token (RFC 6901). */
const pointerToken = (key) => String(key).replaceAll('~', '~0').replaceAll('/', '~1');

const JSON_LITERAL = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/**
 * Reads a JSON file the way the host does (Labyrinth.Core StrictJson), so a plugin that builds
 * here is not refused at upload: UTF-8 without a BOM, no duplicate keys (JSON.parse keeps the
 * last, other readers the first), no unpaired surrogate escapes, no number beyond a double
 * (1e400 would be written back as null), at most `maxDepth` levels. Problems carry JSON pointers.
 */
export function readStrictJson(file, maxDepth) {
  let bytes;
  try { bytes = fs.readFileSync(file); } catch (e) { throw new BuildError(`${file}: ${e.code === 'ENOENT' ? 'not found' : e.message}`); }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new BuildError(`${file}: starts with a UTF-8 byte order mark (EF BB BF); save it as UTF-8 without a BOM`);
  }
  let text;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch {
    throw new BuildError(`${file}: is not valid UTF-8; save it as UTF-8`);
  }
  let value;
  try { value = JSON.parse(text); } catch (e) { throw new BuildError(`${file}: not valid JSON: ${e.message}`); }

  // JSON.parse accepted it, so the text is well-formed: this walk only has to find what it hides.
  const problems = [];
  let i = 0;
  const skipSpace = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const readString = () => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const walk = (pointer, depth) => {
    skipSpace();
    const c = text[i];
    if ((c === '{' || c === '[') && depth >= maxDepth) {
      problems.push(`${pointer}: nests objects and arrays more than ${maxDepth} levels deep here`);
      return false;
    }
    if (c === '{') {
      i++;
      const keys = new Set();
      skipSpace();
      if (text[i] === '}') { i++; return true; }
      for (;;) {
        skipSpace();
        const key = readString();
        const at = `${pointer}/${pointerToken(key)}`;
        if (!key.isWellFormed()) problems.push(`${at}: the key contains an escaped unpaired surrogate (like \\ud800), which is not text`);
        else if (keys.has(key)) problems.push(`${at}: the key "${key}" appears more than once in this object; JSON readers disagree on which copy wins`);
        keys.add(key);
        skipSpace();
        i++; // ':'
        if (!walk(at, depth + 1)) return false;
        skipSpace();
        if (text[i++] === '}') return true;
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') { i++; return true; }
      for (let n = 0; ; n++) {
        if (!walk(`${pointer}/${n}`, depth + 1)) return false;
        skipSpace();
        if (text[i++] === ']') return true;
      }
    }
    if (c === '"') {
      if (!readString().isWellFormed()) problems.push(`${pointer}: the string contains an escaped unpaired surrogate (like \\ud800), which is not text`);
      return true;
    }
    JSON_LITERAL.lastIndex = i;
    const literal = JSON_LITERAL.exec(text)[0];
    i += literal.length;
    if (/\d/.test(literal) && !Number.isFinite(Number(literal))) {
      problems.push(`${pointer}: the number ${literal.length > 40 ? `${literal.slice(0, 40)}…` : literal} is too large for a number`);
    }
    return true;
  };
  walk('', 0);
  if (problems.length) throw new BuildError(`${file}:\n${problems.map((p) => `  ${p || '(root)'}`).join('\n')}`);
  return value;
}

function readManifest(dir) {
  const file = path.join(dir, 'manifest.json');
  const manifest = readStrictJson(file, 64);
  if (!manifest || typeof manifest !== 'object') throw new BuildError(`${file}: must be a JSON object`);
  // A themes-only plugin (data, no code) has no cards: nothing to compile, themes/** is copied.
  const hasThemes = Array.isArray(manifest.themes) && manifest.themes.length > 0;
  const hasServices = Array.isArray(manifest.services) && manifest.services.length > 0;
  if (!(manifest.cards === undefined && (hasThemes || hasServices))
    && (!Array.isArray(manifest.cards) || (manifest.cards.length === 0 && !hasThemes && !hasServices))) {
    throw new BuildError(`${file}: "cards" must be a non-empty array (or declare "themes" or "services")`);
  }
  (manifest.services ?? []).forEach((service, i) => {
    const where = `${file} /services/${i}`;
    checkRelPath(service?.entry, `${where}/entry`);
    if (!service.entry.endsWith('.js')) throw new BuildError(`${where}/entry: "${service.entry}" must end in .js`);
    checkRelPath(service.source, `${where}/source`);
    if (!/\.(ts|js|mjs)$/.test(service.source)) throw new BuildError(`${where}/source: "${service.source}" must be .ts, .js or .mjs`);
  });
  (manifest.themes ?? []).forEach((theme, i) => {
    checkRelPath(theme?.path, `${file} /themes/${i}/path`);
    if (theme.preview !== undefined) checkRelPath(theme.preview, `${file} /themes/${i}/preview`);
  });
  for (const k of ['id', 'version']) {
    if (typeof manifest[k] !== 'string' || !manifest[k]) throw new BuildError(`${file}: "${k}" is required`);
  }
  const entries = new Set();
  (manifest.cards ?? []).forEach((card, i) => {
    const where = `${file} /cards/${i}/runtime`;
    const rt = card?.runtime;
    if (!rt || typeof rt !== 'object') throw new BuildError(`${where}: missing`);
    checkRelPath(rt.entry, `${where}/entry`);
    if (entries.has(rt.entry)) return; // several card types may share one entry
    entries.add(rt.entry);
    if (rt.entry.endsWith('.html')) {
      if (rt.source !== undefined) checkRelPath(rt.source, `${where}/source`);
    } else if (rt.entry.endsWith('.js')) {
      checkRelPath(rt.source, `${where}/source`);
      if (!SCRIPT_SOURCE.test(rt.source)) throw new BuildError(`${where}/source: "${rt.source}" must be .svelte, .ts, .js or .mjs`);
    } else {
      throw new BuildError(`${where}/entry: "${rt.entry}" must end in .js or .html`);
    }
  });
  return manifest;
}

function distManifest(manifest) {
  const copy = structuredClone(manifest);
  for (const card of copy.cards ?? []) delete card.runtime.source;
  for (const service of copy.services ?? []) delete service.source;
  return `${JSON.stringify(copy, null, 2)}\n`;
}

// ---- files ------------------------------------------------------------------------------------

function walk(dir, skip = () => false, base = dir, out = []) {
  let entries;
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, e.name);
    if (skip(full, e)) continue;
    if (e.isDirectory()) walk(full, skip, base, out);
    else if (e.isFile()) out.push(full);
  }
  return out;
}

const toPosix = (p) => p.split(path.sep).join('/');

function newestInput(dir, outDir) {
  const skip = (full, e) => full === outDir || e.name === 'node_modules' || e.name.startsWith('.');
  let newest = 0;
  for (const f of [...walk(dir, skip), ...walk(path.join(SDK_DIR, 'runtime')), fileURLToPath(import.meta.url)]) {
    newest = Math.max(newest, fs.statSync(f).mtimeMs);
  }
  return newest;
}

function upToDate(dir, outDir) {
  const bm = path.join(outDir, 'build-manifest.json');
  try {
    const stamp = fs.statSync(bm).mtimeMs;
    const { files } = JSON.parse(fs.readFileSync(bm, 'utf8'));
    if (!files.every((f) => fs.existsSync(path.join(outDir, f.path)))) return false;
    return stamp >= newestInput(dir, outDir);
  } catch {
    return false;
  }
}

// ---- compile ----------------------------------------------------------------------------------

let toolsPromise;
/** esbuild and svelte/compiler, resolved from the SDK (hoisted in the workspace). */
function tools() {
  toolsPromise ??= Promise.all([import('esbuild'), import('svelte/compiler')])
    .then(([esbuild, svelte]) => ({ esbuild: esbuild.default ?? esbuild, svelte }));
  return toolsPromise;
}

/** node_modules directories above the SDK, so `svelte` resolves for plugins outside the workspace. */
function sdkNodePaths() {
  const paths = [];
  for (let d = SDK_DIR; ; d = path.dirname(d)) {
    const nm = path.join(d, 'node_modules');
    if (fs.existsSync(nm)) paths.push(nm);
    if (path.dirname(d) === d) return paths;
  }
}

function svelteError(e, file, pluginDir) {
  const loc = e.start ?? e.position ?? null;
  return {
    text: `${e.code ? `${e.code}: ` : ''}${String(e.message ?? e).split('\n')[0]}`,
    location: {
      file: path.relative(pluginDir, file),
      line: loc?.line ?? 1,
      column: loc?.column ?? 0,
    },
  };
}

/** Names a component destructures from `$props()` (top level of its instance script), or null. */
function propsRead(svelte, source) {
  let ast;
  try { ast = svelte.parse(source, { modern: true }); } catch { return null; }
  for (const node of ast.instance?.content?.body ?? []) {
    if (node.type !== 'VariableDeclaration') continue;
    for (const d of node.declarations) {
      if (d.init?.type !== 'CallExpression' || d.init.callee?.name !== '$props' || d.id?.type !== 'ObjectPattern') continue;
      return d.id.properties.filter((p) => p.type === 'Property' && !p.computed)
        .map((p) => (p.key.type === 'Identifier' ? p.key.name : String(p.key.value)));
    }
  }
  return null;
}

/**
 * What the Svelte compiler made of each file, by path and exact text. A watch process rebuilds on
 * every save, and without this it would recompile Svelte's own `.svelte.js` runtime modules and
 * every unchanged component each time; esbuild asks the plugin again for every file on every build.
 */
const compiled = new Map();
function memo(kind, file, source, compile) {
  const key = `${kind}\0${file}`;
  const hit = compiled.get(key);
  if (hit && hit.source === source) return hit.value;
  const value = compile();
  compiled.set(key, { source, value });
  return value;
}

/**
 * A file's text, read again only when its size or modification time changed: Svelte's runtime is
 * a few hundred files that a watch build would otherwise open, read and close on every save.
 */
const texts = new Map();
async function readText(file) {
  const st = await fs.promises.stat(file);
  const hit = texts.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.text;
  const text = await fs.promises.readFile(file, 'utf8');
  texts.set(file, { mtimeMs: st.mtimeMs, size: st.size, text });
  return text;
}

function sveltePlugin(svelte, esbuild, pluginDir, found = { a11y: [], props: new Map() }) {
  // Filenames given to the compiler are relative, so output never depends on the checkout path.
  const rel = (file) => toPosix(path.relative(pluginDir, file));
  return {
    name: 'labyrinth-svelte',
    setup(build) {
      build.onLoad({ filter: /\.svelte$/ }, async (args) => {
        const source = await readText(args.path);
        const out = memo('component', args.path, source, () => {
          try {
            const { js, warnings } = svelte.compile(source, {
              filename: rel(args.path), generate: 'client', css: 'injected', runes: true, dev: false,
              discloseVersion: false,
            });
            return { js: js.code, warnings, props: propsRead(svelte, source) };
          } catch (e) {
            return { error: svelteError(e, args.path, pluginDir) };
          }
        });
        if (out.error) return { errors: [out.error] };
        for (const w of out.warnings) if (String(w.code).startsWith('a11y')) found.a11y.push(svelteError(w, args.path, pluginDir));
        found.props.set(args.path, out.props);
        return { contents: out.js, loader: 'js', warnings: out.warnings.map((w) => svelteError(w, args.path, pluginDir)) };
      });
      // esbuild does not inline constants across modules, so `if (DEV)` branches (long error
      // texts, dev checks) would stay in the runtime. Make DEV/BROWSER local constants instead.
      build.onLoad({ filter: /[\\/]node_modules[\\/]svelte[\\/]src[\\/].*\.js$/ }, async (args) => {
        const source = await readText(args.path);
        const contents = memo('runtime', args.path, source, () => source.replace(/^import \{([\w\s,]+)\} from 'esm-env';?$/m, (_, names) =>
          names.split(',').map((n) => n.trim()).filter(Boolean)
            .map((n) => `const ${n} = ${n === 'BROWSER'};`).join('\n')));
        return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
      });
      build.onLoad({ filter: /\.svelte\.(js|ts)$/ }, async (args) => {
        const text = await readText(args.path);
        const cached = compiled.get(`module\0${args.path}`);
        if (cached && cached.source === text) return cached.value;
        let source = text;
        let value;
        try {
          if (args.path.endsWith('.ts')) {
            source = (await esbuild.transform(source, { loader: 'ts', target: 'es2022', sourcefile: rel(args.path) })).code;
          }
          const { js, warnings } = svelte.compileModule(source, { filename: rel(args.path), generate: 'client', dev: false });
          value = { contents: js.code, loader: 'js', warnings: warnings.map((w) => svelteError(w, args.path, pluginDir)) };
        } catch (e) {
          if (Array.isArray(e.errors)) return { errors: e.errors }; // esbuild transform error
          return { errors: [svelteError(e, args.path, pluginDir)] };
        }
        compiled.set(`module\0${args.path}`, { source: text, value });
        return value;
      });
    },
  };
}

function formatMessages(messages, pluginDir) {
  return messages.map((m) => {
    const l = m.location;
    const where = l ? `${path.relative(pluginDir, path.resolve(pluginDir, l.file))}:${l.line}:${l.column}` : pluginDir;
    return `  ${where}: ${m.text}`;
  }).join('\n');
}

async function compileCard(pluginDir, card, outDir, warn, found) {
  const { esbuild, svelte } = await tools();
  const source = path.join(pluginDir, card.runtime.source);
  if (!fs.existsSync(source)) throw new BuildError(`${path.relative(process.cwd(), source) || source}: source file not found (cards[typeID=${card.typeID}].runtime.source)`);
  const isSvelte = source.endsWith('.svelte');
  // Code splitting: a dynamic import() becomes a chunk beside the entry (cards/chunks/…), loaded
  // only when the card asks for it (e.g. a renderer only some browsers can use). Chunks live under
  // the plugin's own path, so the frame's script-src already covers them.
  const entryDir = path.dirname(card.runtime.entry);
  const entryName = path.basename(card.runtime.entry, '.js');
  const svelteEntry = isSvelte ? {
    name: 'labyrinth-svelte-entry',
    setup(build) {
      build.onResolve({ filter: /^labyrinth:entry$/ }, () => ({ path: `${card.runtime.entry}?entry`, namespace: 'labyrinth-entry' }));
      build.onLoad({ filter: /.*/, namespace: 'labyrinth-entry' }, () => ({
        contents: [
          `import Component from ${JSON.stringify(source)};`,
          `import { mountSvelteCard } from ${JSON.stringify(MOUNT_RUNTIME)};`,
          'export default Component;',
          'export function mountPlugin(target, props, card) { return mountSvelteCard(Component, target, props, card); }',
        ].join('\n'),
        resolveDir: pluginDir,
        loader: 'js',
      }));
    },
  } : null;

  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: pluginDir,
      entryPoints: [{ in: isSvelte ? 'labyrinth:entry' : source, out: entryName }],
      outdir: path.join(outDir, entryDir),
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      treeShaking: true,
      legalComments: 'none',
      charset: 'utf8',
      sourcemap: false,
      write: false,
      metafile: true,
      logLevel: 'silent',
      conditions: ['svelte', 'browser', 'production'],
      define: { 'process.env.NODE_ENV': '"production"', 'import.meta.env.DEV': 'false' },
      nodePaths: sdkNodePaths(),
      loader: { '.svg': 'dataurl', '.png': 'dataurl', '.jpg': 'dataurl', '.gif': 'dataurl', '.webp': 'dataurl', '.woff2': 'dataurl' },
      plugins: [...(svelteEntry ? [svelteEntry] : []), sveltePlugin(svelte, esbuild, pluginDir, found)],
    });
  } catch (e) {
    if (Array.isArray(e.errors) && e.errors.length) {
      throw new BuildError(`${card.runtime.source}: compile failed (card "${card.typeID}")\n${formatMessages(e.errors, pluginDir)}`);
    }
    throw new BuildError(`${card.runtime.source}: ${e.message}`);
  }
  for (const w of result.warnings) warn(`${formatMessages([w], pluginDir)}`);

  if (isSvelte) checkPropsRead(card, found.props.get(source), pluginDir);
  const entryOutput = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  const required = card.typeID.startsWith('service:') ? 'service' : 'mountPlugin';
  if (!entryOutput?.exports?.includes(required)) {
    throw new BuildError(`${card.runtime.source}: must export "${required}" (${card.typeID.startsWith('service:') ? card.typeID : `card "${card.typeID}"`})`);
  }
  return result.outputFiles.map((f) => ({ rel: toPosix(path.relative(outDir, f.path)), bytes: Buffer.from(f.contents) }));
}

// ---- props types ------------------------------------------------------------------------------

const pascal = (typeID) => String(typeID).split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('') || 'Card';

/** Where a card's generated props type lives: beside its source, `<typeID>.props.ts`. */
export function propsTypeFile(pluginDir, card) {
  return path.join(pluginDir, path.dirname(card.runtime.source), `${card.typeID}.props.ts`);
}

const typeCache = new Map();
/**
 * Writes `<typeID>.props.ts` (interface `<TypeID>Props`) from the card's propsSchema, only when
 * its text changes (so a watcher does not see its own output as an edit).
 */
async function writePropsTypes(pluginDir, manifest) {
  const written = [];
  for (const card of manifest.cards ?? []) {
    const schema = card.propsSchema;
    if (!schema || typeof schema !== 'object' || !card.runtime?.source || !SCRIPT_SOURCE.test(card.runtime.source)) continue;
    const key = JSON.stringify([card.typeID, schema]);
    let text = typeCache.get(key);
    if (text === undefined) {
      const { compile } = await import('json-schema-to-typescript');
      const banner = `// Generated by labyrinth-build from manifest.json (cards[typeID=${card.typeID}].propsSchema). Do not edit:\n// change the schema, and the next build rewrites this file.`;
      try {
        text = await compile(structuredClone(schema), `${pascal(card.typeID)}Props`, { bannerComment: banner, format: false, additionalProperties: false, strictIndexSignatures: true });
      } catch (e) {
        throw new BuildError(`manifest.json cards[typeID=${card.typeID}].propsSchema: cannot generate a type from it: ${e.message}`);
      }
      typeCache.set(key, text);
    }
    const file = propsTypeFile(pluginDir, card);
    let current = null;
    try { current = fs.readFileSync(file, 'utf8'); } catch { /* first build */ }
    if (current !== text) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      written.push(file);
    }
  }
  return written;
}

/** A Svelte card may read only the props its schema declares (plus `card`). */
function checkPropsRead(card, names, pluginDir) {
  const declared = card.propsSchema?.properties;
  if (!names || !declared || typeof declared !== 'object') return;
  const unknown = names.filter((n) => n !== 'card' && !Object.hasOwn(declared, n));
  if (unknown.length === 0) return;
  throw new BuildError(`${card.runtime.source}: $props() reads ${unknown.map((n) => `"${n}"`).join(', ')}, which cards[typeID=${card.typeID}].propsSchema does not declare `
    + `(it declares ${Object.keys(declared).map((n) => `"${n}"`).join(', ') || 'nothing'}). Add it to the schema or remove it from the component; the host drops undeclared props.`);
}

// ---- one plugin -------------------------------------------------------------------------------

function sha256(buf) { return createHash('sha256').update(buf).digest('hex'); }

function compress(buf) {
  return {
    br: zlib.brotliCompressSync(buf, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
      },
    }),
    // Node writes mtime 0 and a fixed OS byte in the gzip header: output is deterministic.
    gz: zlib.gzipSync(buf, { level: 9 }),
  };
}

/**
 * Builds the plugin in `dir`. Returns `{ skipped, files }` where files are the build-manifest
 * entries plus compressed sizes, for reporting.
 */
export async function buildPlugin(dir, { out = 'dist', force = false, warn = () => {}, checkA11y = false, compressed = true } = {}) {
  const pluginDir = path.resolve(dir);
  const outDir = path.resolve(pluginDir, out);
  if (outDir === pluginDir || pluginDir.startsWith(outDir + path.sep)) {
    throw new BuildError(`--out ${out}: must not be the plugin directory or a parent of it`);
  }
  const manifest = readManifest(pluginDir);
  await writePropsTypes(pluginDir, manifest);
  if (!force && !checkA11y && upToDate(pluginDir, outDir)) {
    const bm = JSON.parse(fs.readFileSync(path.join(outDir, 'build-manifest.json'), 'utf8'));
    return { skipped: true, manifest, ...bm };
  }

  /** @type {Map<string, Buffer>} output path → bytes */
  const files = new Map();
  const put = (rel, bytes, origin) => {
    if (files.has(rel) && !files.get(rel).equals(bytes)) warn(`  ${origin}: overwrites ${rel}`);
    files.set(rel, bytes);
  };
  const copyTree = (from, prefix) => {
    for (const f of walk(from, (_, e) => e.name.startsWith('.'))) {
      put(prefix + toPosix(path.relative(from, f)), fs.readFileSync(f), toPosix(path.relative(pluginDir, f)));
    }
  };
  copyTree(path.join(pluginDir, 'public'), '');
  copyTree(path.join(pluginDir, 'assets'), 'assets/');
  // Theme files are read as the host reads them, so one with a duplicate key fails here, not at upload.
  for (const f of walk(path.join(pluginDir, 'themes'), (_, e) => e.name.startsWith('.'))) {
    if (f.endsWith('.json')) readStrictJson(f, 16);
  }
  copyTree(path.join(pluginDir, 'themes'), 'themes/');

  const built = new Set();
  const found = { a11y: [], props: new Map() };
  for (const card of manifest.cards ?? []) {
    const { entry, source } = card.runtime;
    if (built.has(entry)) continue;
    built.add(entry);
    if (entry.endsWith('.html')) {
      const candidates = [source, `public/${entry}`, entry].filter(Boolean).map((p) => path.join(pluginDir, p));
      const found = candidates.find((p) => fs.existsSync(p));
      if (!found) throw new BuildError(`${entry}: HTML entry not found (looked in ${candidates.map((p) => path.relative(pluginDir, p)).join(', ')})`);
      put(entry, fs.readFileSync(found), path.relative(pluginDir, found));
    } else {
      for (const f of await compileCard(pluginDir, card, outDir, warn, found)) put(f.rel, f.bytes, source);
    }
  }
  // A service module builds like a JS card entry: one ES module (plus chunks) under the plugin's path.
  for (const service of manifest.services ?? []) {
    if (built.has(service.entry)) continue;
    built.add(service.entry);
    const asCard = { typeID: `service:${service.id}`, runtime: { entry: service.entry, source: service.source } };
    for (const f of await compileCard(pluginDir, asCard, outDir, warn)) put(f.rel, f.bytes, service.source);
  }
  put('manifest.json', Buffer.from(distManifest(manifest)), 'manifest.json');
  if (files.has('build-manifest.json')) throw new BuildError('build-manifest.json is reserved');

  const sorted = [...files.keys()].sort();
  const buildManifest = { files: [], compressed: [] };
  const writes = [];
  for (const rel of sorted) {
    const bytes = files.get(rel);
    buildManifest.files.push({ path: rel, bytes: bytes.length, sha256: sha256(bytes) });
    writes.push([rel, bytes]);
    if (compressed && COMPRESSIBLE.test(rel)) {
      const { br, gz } = compress(bytes);
      buildManifest.compressed.push({ path: `${rel}.br`, encoding: 'br', bytes: br.length });
      buildManifest.compressed.push({ path: `${rel}.gz`, encoding: 'gzip', bytes: gz.length });
      writes.push([`${rel}.br`, br], [`${rel}.gz`, gz]);
    }
  }

  fs.rmSync(outDir, { recursive: true, force: true });
  for (const [rel, bytes] of writes) {
    const target = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, bytes);
  }
  // Written last: its mtime is the "outputs are newer than inputs" stamp.
  fs.writeFileSync(path.join(outDir, 'build-manifest.json'), `${JSON.stringify(buildManifest, null, 2)}\n`);
  let a11y;
  if (checkA11y) {
    const { checkBuiltCards } = await import('./a11y.mjs');
    a11y = [
      ...found.a11y.map((w) => {
        const [rule, ...help] = w.text.split(': ');
        return { card: null, rule, impact: 'serious', help: help.join(': '), nodes: [`${w.location.file}:${w.location.line}:${w.location.column}`] };
      }),
      ...await checkBuiltCards(outDir, manifest),
    ];
  }
  return { skipped: false, manifest, ...buildManifest, a11y };
}

// ---- CLI --------------------------------------------------------------------------------------

function report(dir, result, log) {
  const { manifest } = result;
  if (result.skipped) { log(`${manifest.id}@${manifest.version}: up to date (${dir})`); return; }
  log(`${manifest.id}@${manifest.version}: built ${result.files.length} files (${dir})`);
  const sizes = new Map(result.compressed.map((c) => [c.path, c.bytes]));
  for (const f of result.files) {
    const br = sizes.get(`${f.path}.br`);
    const gz = sizes.get(`${f.path}.gz`);
    log(`  ${f.path.padEnd(28)} ${String(f.bytes).padStart(8)} B${gz ? `  gzip ${gz} B  br ${br} B` : ''}`);
  }
}

async function main(argv) {
  let opts;
  try { opts = parseArgs(argv); } catch (e) { console.error(`labyrinth-build: ${e.message}`); return 2; }
  if (opts.help) { process.stdout.write(HELP); return 0; }
  const log = opts.quiet ? () => {} : (s) => console.log(s);
  const warn = (s) => console.warn(`warning:\n${s}`);

  let dirs;
  if (opts.all) {
    const root = path.resolve(opts.all);
    if (!fs.existsSync(root)) { console.error(`labyrinth-build: --all ${opts.all}: directory not found`); return 2; }
    dirs = fs.readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, e.name, 'manifest.json')))
      .map((e) => path.join(root, e.name)).sort();
  } else {
    dirs = [path.resolve(opts.dir ?? '.')];
  }

  if (opts.watch) {
    if (dirs.length !== 1) { console.error('labyrinth-build: --watch builds one plugin directory, not --all'); return 2; }
    return watch(dirs[0], opts, log, warn);
  }

  let failed = 0;
  const results = [];
  for (const dir of dirs) {
    const where = path.relative(process.cwd(), dir) || '.';
    try {
      const result = await buildPlugin(dir, { out: opts.out, force: opts.force, warn, checkA11y: opts.checkA11y });
      results.push({ dir: where, ok: true, id: result.manifest.id, version: result.manifest.version, skipped: result.skipped, a11y: result.a11y });
      if (!opts.json) report(where, result, log);
      if (result.a11y?.length) {
        failed++;
        if (!opts.json) {
          console.error(`labyrinth-build: ${where}: ${result.a11y.length} accessibility problem${result.a11y.length === 1 ? '' : 's'}:`);
          for (const f of result.a11y) console.error(`  ${f.card ? `card "${f.card}": ` : ''}${f.rule} (${f.impact}): ${f.help}${f.nodes.length ? `\n      at ${f.nodes.join('\n      at ')}` : ''}`);
        }
      } else if (opts.checkA11y && !opts.json) {
        log(`${where}: accessibility: no Svelte a11y warnings, no critical or serious axe-core violations`);
      }
    } catch (e) {
      failed++;
      const msg = e instanceof BuildError ? e.message : (e?.stack ?? String(e));
      results.push({ dir: where, ok: false, error: msg });
      if (!opts.json) console.error(`labyrinth-build: ${where}: ${msg}`);
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(dirs.length === 1 ? results[0] : results)}\n`);
  return failed ? 1 : 0;
}

/**
 * Rebuilds on every change under the plugin directory, without precompression (the host
 * compresses what it serves). One build runs at a time; changes during a build queue exactly one
 * more. With --events each build is one JSON line on stdout; the process ends when stdin closes,
 * so it never outlives the `labyrinth plugin dev` that started it.
 */
async function watch(dir, opts, log, warn) {
  const outDir = path.resolve(dir, opts.out);
  let count = 0;
  let running = false;
  let again = false;
  const emit = (event) => {
    if (opts.events) { process.stdout.write(`${JSON.stringify(event)}\n`); return; }
    if (event.event === 'built') log(`built ${event.id}@${event.version} in ${event.ms} ms (#${event.build})`);
    else console.error(`build #${event.build} failed:\n${event.message}`);
  };
  const run = async () => {
    if (running) { again = true; return; }
    running = true;
    do {
      again = false;
      const started = performance.now();
      const build = ++count;
      const warnings = [];
      try {
        const result = await buildPlugin(dir, { out: opts.out, force: true, compressed: false, warn: (w) => { warnings.push(w); warn(w); } });
        emit({ event: 'built', build, ms: Math.round(performance.now() - started), id: result.manifest.id, version: result.manifest.version, outDir, warnings });
      } catch (e) {
        emit({ event: 'failed', build, ms: Math.round(performance.now() - started), message: e instanceof BuildError ? e.message : (e?.stack ?? String(e)) });
      }
    } while (again);
    running = false;
  };
  await run();
  let timer;
  const ignored = (rel) => rel.split(path.sep).some((s) => s === 'node_modules' || s.startsWith('.'))
    || path.resolve(dir, rel).startsWith(outDir + path.sep) || path.resolve(dir, rel) === outDir || rel.endsWith('.props.ts');
  fs.watch(dir, { recursive: true }, (_, file) => {
    if (!file || ignored(String(file))) return;
    // Editors write a file in several steps (truncate, write, rename): wait for them to finish.
    clearTimeout(timer);
    timer = setTimeout(() => { void run(); }, 25);
  });
  if (opts.events) {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();
  }
  return new Promise(() => {});
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
