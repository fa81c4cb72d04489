#!/usr/bin/env node
// Packs @labyrinth/sdk into an npm tarball that installs on a machine without this repository:
// compiled JavaScript + declarations (the repository itself imports the TypeScript sources), the
// build tool, runtime and schemas, and the dependencies pinned. The host serves the result at
// /sdk/labyrinth-sdk-<version>.tgz (docs/plugin-authoring.md, "From nothing to a card").
//
//   node sdk/scripts/pack.mjs --out web/dist/sdk
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SDK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outArg = args.indexOf('--out');
const out = path.resolve(outArg >= 0 ? args[outArg + 1] : path.join(SDK, 'pack'));

const pkg = JSON.parse(fs.readFileSync(path.join(SDK, 'package.json'), 'utf8'));
const rootPkg = JSON.parse(fs.readFileSync(path.join(SDK, '..', 'package.json'), 'utf8'));
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'labyrinth-sdk-pack-'));
try {
  // 1. src/*.ts → dist/*.js + *.d.ts, relative ".ts" imports rewritten to ".js".
  const sources = fs.readdirSync(path.join(SDK, 'src')).filter((f) => f.endsWith('.ts')).map((f) => path.join(SDK, 'src', f));
  const program = ts.createProgram(sources, {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'], types: [],
    strict: true, declaration: true, outDir: path.join(stage, 'dist'), rootDir: path.join(SDK, 'src'),
    allowImportingTsExtensions: true, rewriteRelativeImportExtensions: true, skipLibCheck: true, verbatimModuleSyntax: true,
  });
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length > 0) {
    throw new Error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => SDK, getNewLine: () => '\n' }));
  }
  // 2. What ships as it is.
  for (const dir of ['bin', 'runtime', 'schemas']) fs.cpSync(path.join(SDK, dir), path.join(stage, dir), { recursive: true });
  fs.copyFileSync(path.join(SDK, 'README.md'), path.join(stage, 'README.md'));
  // 3. package.json: exports point at dist; the build's own tools become pinned dependencies
  //    (in the repository they come hoisted from the workspace root).
  const pinned = (name) => pkg.dependencies?.[name] ?? pkg.devDependencies?.[name] ?? rootPkg.devDependencies?.[name]
    ?? (() => { throw new Error(`no pinned version for ${name}`); })();
  const exportsOf = (entry) => ({ types: `./dist/${entry}.d.ts`, default: `./dist/${entry}.js` });
  const packed = {
    name: pkg.name, version: pkg.version, description: pkg.description, type: 'module', license: 'MIT',
    bin: pkg.bin,
    exports: {
      '.': exportsOf('index'), './mock': exportsOf('mock-host'), './testing': exportsOf('testing'),
      './schemas/manifest.v1.json': './schemas/manifest.v1.json', './schemas/theme.v1.json': './schemas/theme.v1.json',
    },
    engines: { node: '>=20.19' },
    dependencies: Object.fromEntries(['esbuild', 'svelte', 'happy-dom', 'axe-core', 'json-schema-to-typescript'].map((n) => [n, pinned(n)])),
    files: ['bin', 'dist', 'runtime', 'schemas', 'README.md'],
  };
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(packed, null, 2)}\n`);
  fs.mkdirSync(out, { recursive: true });
  const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: stage, encoding: 'utf8' }).trim().split('\n').at(-1);
  // The host and `labyrinth plugin new` read this to name the tarball without guessing.
  fs.writeFileSync(path.join(out, 'index.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, file }, null, 2)}\n`);
  console.log(`sdk: ${path.relative(process.cwd(), path.join(out, file))} (${fs.statSync(path.join(out, file)).size} B)`);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
