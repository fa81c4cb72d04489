import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { buildPlugin } from '../bin/labyrinth-build.mjs';
import { writeFixturePlugin } from './fixture.ts';

const BIN = fileURLToPath(new URL('../bin/labyrinth-build.mjs', import.meta.url));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full); else out[path.relative(dir, full)] = sha(fs.readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

describe('labyrinth-build', () => {
  it('Build_FixturePlugin_WritesEntriesManifestsAndCompressedSiblings', async () => {
    const dir = writeFixturePlugin();
    const result = await buildPlugin(dir, { force: true });
    expect(result.skipped).toBe(false);
    const dist = path.join(dir, 'dist');
    const bm = JSON.parse(fs.readFileSync(path.join(dist, 'build-manifest.json'), 'utf8'));
    expect(bm.files.map((f: { path: string }) => f.path)).toEqual([
      'assets/logo.svg', 'cards/counter.js', 'cards/page.html', 'cards/page.js', 'cards/plain.js', 'manifest.json',
    ]);
    for (const f of bm.files) {
      const bytes = fs.readFileSync(path.join(dist, f.path));
      expect(bytes.length).toBe(f.bytes);
      expect(sha(bytes)).toBe(f.sha256);
      const br = fs.readFileSync(path.join(dist, `${f.path}.br`));
      const gz = fs.readFileSync(path.join(dist, `${f.path}.gz`));
      expect(zlib.brotliDecompressSync(br).equals(bytes)).toBe(true);
      expect(zlib.gunzipSync(gz).equals(bytes)).toBe(true);
      expect(bm.compressed).toContainEqual({ path: `${f.path}.br`, encoding: 'br', bytes: br.length });
      expect(bm.compressed).toContainEqual({ path: `${f.path}.gz`, encoding: 'gzip', bytes: gz.length });
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
    expect(manifest.version).toBe('1.2.3');
    for (const card of manifest.cards) expect(card.runtime).not.toHaveProperty('source');
    // One self-contained module: no bare imports left, svelte runtime inside, CSS injected.
    const js = fs.readFileSync(path.join(dist, 'cards/counter.js'), 'utf8');
    expect(js).not.toMatch(/from\s*["'](svelte|@labyrinth)/);
    expect(js).toMatch(/export\s*\{[^}]*mountPlugin/);
    expect(js).toContain('--lab-text, #123456');
    expect(fs.readFileSync(path.join(dist, 'cards/page.html'), 'utf8')).toContain('page.js');
  });

  it('Build_SameProcessAfterEdits_ReflectsEveryEditAndError', async () => {
    // A watch process keeps compiled Svelte files between builds: an edit (same length, too) and a
    // broken save must never be served from that cache.
    const dir = writeFixturePlugin();
    const component = path.join(dir, 'src/Counter.svelte');
    const module = path.join(dir, 'src/counter.svelte.ts');
    const entry = () => fs.readFileSync(path.join(dir, 'dist/cards/counter.js'), 'utf8');
    await buildPlugin(dir, { force: true, compressed: false });
    const original = fs.readFileSync(component, 'utf8');

    fs.writeFileSync(component, `${original}\n<p>first edit</p>\n`);
    await buildPlugin(dir, { force: true, compressed: false });
    expect(entry()).toContain('first edit');

    fs.writeFileSync(component, `${original}\n<p>other edit</p>\n`);
    await buildPlugin(dir, { force: true, compressed: false });
    expect(entry()).toContain('other edit');
    expect(entry()).not.toContain('first edit');

    fs.writeFileSync(module, `${fs.readFileSync(module, 'utf8')}\nexport const marker = 'module edit';\nconsole.log(marker);\n`);
    await buildPlugin(dir, { force: true, compressed: false });
    expect(entry()).toContain('module edit');

    fs.writeFileSync(component, `${original}\n<p>{</p>\n`);
    await expect(buildPlugin(dir, { force: true, compressed: false })).rejects.toThrow(/Counter\.svelte/);
    fs.writeFileSync(component, original);
    await buildPlugin(dir, { force: true, compressed: false });
    expect(entry()).not.toContain('other edit');
  });

  it('Build_DynamicImport_BecomesAChunkBesideTheEntryLoadedOnlyWhenRun', async () => {
    const dir = writeFixturePlugin({
      'src/plain.ts': `import type { MountPlugin } from '@labyrinth/sdk';
import { greet } from './greet.ts';
export const mountPlugin: MountPlugin = (target) => {
  target.textContent = greet('entry');
  void import('./heavy.ts').then((m) => { target.textContent = m.heavy(); });
};
`,
      'src/heavy.ts': `import { greet } from './greet.ts';
export const heavy = (): string => greet('HEAVY-' + 'x'.repeat(3));
`,
    });
    await buildPlugin(dir, { force: true });
    const dist = path.join(dir, 'dist');
    const bm = JSON.parse(fs.readFileSync(path.join(dist, 'build-manifest.json'), 'utf8'));
    const chunks = bm.files.map((f: { path: string }) => f.path).filter((p: string) => p.startsWith('cards/chunks/'));
    const heavy = chunks.find((p: string) => /^cards\/chunks\/heavy-[A-Z0-9]+\.js$/.test(p));
    expect(heavy).toBeDefined();
    const entry = fs.readFileSync(path.join(dist, 'cards/plain.js'), 'utf8');
    // The entry imports the chunk relatively (under the plugin's own path) and does not contain it.
    expect(entry).toContain(`import("./${heavy.slice('cards/'.length)}")`);
    expect(entry).not.toContain('HEAVY-');
    expect(fs.readFileSync(path.join(dist, heavy), 'utf8')).toContain('HEAVY-');
    expect(fs.existsSync(path.join(dist, `${heavy}.br`))).toBe(true);
    // The Svelte card without a dynamic import is still one file.
    expect(chunks.every((p: string) => !p.includes('counter'))).toBe(true);
  });

  it('Build_SameInputInAnotherDirectory_ProducesIdenticalBytes', async () => {
    const a = writeFixturePlugin();
    const b = writeFixturePlugin();
    await buildPlugin(a, { force: true });
    await buildPlugin(b, { force: true, out: 'out' });
    const first = readTree(path.join(a, 'dist'));
    expect(readTree(path.join(b, 'out'))).toEqual(first);
    await buildPlugin(a, { force: true });
    expect(readTree(path.join(a, 'dist'))).toEqual(first);
  });

  it('Build_OutputsNewerThanInputs_IsSkippedUntilASourceChanges', async () => {
    const dir = writeFixturePlugin();
    expect((await buildPlugin(dir)).skipped).toBe(false);
    expect((await buildPlugin(dir)).skipped).toBe(true);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'src/greet.ts'), later, later);
    expect((await buildPlugin(dir)).skipped).toBe(false);
    expect((await buildPlugin(dir, { force: true })).skipped).toBe(false);
  });

  it('Build_SvelteCompileError_NamesTheFile', async () => {
    const dir = writeFixturePlugin({ 'src/Counter.svelte': '<script>\nlet x = $state(0)\n</script>\n{#if x}\n<p>open' });
    await expect(buildPlugin(dir, { force: true })).rejects.toThrow(/src\/Counter\.svelte/);
  });

  it('Build_TsEntryWithoutMountPlugin_Fails', async () => {
    const dir = writeFixturePlugin({ 'src/plain.ts': 'export const nothing = 1;\n' });
    await expect(buildPlugin(dir, { force: true })).rejects.toThrow(/must export "mountPlugin"/);
  });

  it('Build_EntryEscapingThePluginDirectory_IsRefused', async () => {
    const dir = writeFixturePlugin();
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    m.cards[1].runtime.entry = '../evil.js';
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    await expect(buildPlugin(dir, { force: true })).rejects.toThrow(/relative path/);
  });

  it('Build_ManifestWithDuplicateKey_IsRefusedWithPointerAsTheHostDoes', async () => {
    const dir = writeFixturePlugin();
    const text = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'manifest.json'), text.replace('"id": "dev.labyrinth.fixture",', '"id": "dev.labyrinth.fixture", "id": "dev.evil.other",'));
    await expect(buildPlugin(dir, { force: true })).rejects.toThrow(/\/id: the key "id" appears more than once/);
  });

  it('Build_DuplicateKeyDeepInACard_NamesItsPointer', async () => {
    const dir = writeFixturePlugin();
    const text = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'manifest.json'), text.replace('"typeID": "plain",', '"typeID": "plain", "typeID": "other",'));
    await expect(buildPlugin(dir, { force: true })).rejects.toThrow(/\/cards\/1\/typeID: the key "typeID"/);
  });

  it('Build_ManifestWithByteOrderMarkOrInvalidUtf8_IsRefused', async () => {
    const bom = writeFixturePlugin();
    const text = fs.readFileSync(path.join(bom, 'manifest.json'));
    fs.writeFileSync(path.join(bom, 'manifest.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]));
    await expect(buildPlugin(bom, { force: true })).rejects.toThrow(/byte order mark/);
    const latin1 = writeFixturePlugin();
    fs.writeFileSync(path.join(latin1, 'manifest.json'), Buffer.from(text.toString('utf8').replace('"Fixture"', '"Fixtur\u00e9"'), 'latin1'));
    await expect(buildPlugin(latin1, { force: true })).rejects.toThrow(/not valid UTF-8/);
  });

  it('Build_NumberBeyondADouble_IsRefusedInsteadOfWrittenAsNull', async () => {
    const dir = writeFixturePlugin();
    const text = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'manifest.json'), text.replace('"width": 300', '"width": 1e400'));
    await expect(buildPlugin(dir, { force: true })).rejects.toThrow(/\/cards\/0\/defaultSizePt\/width: the number 1e400 is too large/);
  });

  it('Cli_Help_ExitsZero_AndFailure_ExitsNonZeroWithFileName', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--out');
    const dir = writeFixturePlugin({ 'src/greet.ts': 'export const greet = (: string =>;\n' });
    const fail = spawnSync(process.execPath, [BIN, '--force'], { cwd: dir, encoding: 'utf8' });
    expect(fail.status).toBe(1);
    expect(fail.stderr).toContain('src/greet.ts');
  });

  it('Cli_All_BuildsEveryPluginDirectory', () => {
    const dir = writeFixturePlugin();
    const root = path.dirname(dir);
    const parent = fs.mkdtempSync(path.join(root, 'labyrinth-all-'));
    fs.renameSync(dir, path.join(parent, 'one'));
    fs.mkdirSync(path.join(parent, 'not-a-plugin'));
    const run = spawnSync(process.execPath, [BIN, '--all', parent], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('dev.labyrinth.fixture@1.2.3: built');
    expect(fs.existsSync(path.join(parent, 'one', 'dist', 'build-manifest.json'))).toBe(true);
  });
});
