import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { buildPlugin } from '../bin/labyrinth-build.mjs';

function writeThemesPlugin(manifest: object, files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'labyrinth-themes-'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

const manifest = {
  id: 'dev.labyrinth.dusk', name: 'Dusk', version: '1.0.0', minHostAPIVersion: '1.0.0',
  themes: [{ themeID: 'dusk', path: 'themes/dusk.json', preview: 'themes/dusk.png' }],
};

describe('labyrinth-build themes', () => {
  it('Build_ThemesOnlyPlugin_CopiesThemesAndManifestWithoutCards', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const dir = writeThemesPlugin(manifest, {
      'themes/dusk.json': '{ "themeID": "dusk", "name": "Dusk", "tokens": {} }\n',
      'themes/dusk.png': png,
      'scripts/make-previews.mjs': '// not packaged\n',
    });

    const result = await buildPlugin(dir, { force: true });

    const dist = path.join(dir, 'dist');
    expect(result.files.map((f: { path: string }) => f.path)).toEqual(['manifest.json', 'themes/dusk.json', 'themes/dusk.png']);
    expect(fs.readFileSync(path.join(dist, 'themes/dusk.png')).equals(png)).toBe(true);
    const built = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
    expect(built).not.toHaveProperty('cards');
    expect(built.themes).toEqual(manifest.themes);
  });

  it('Build_NoCardsAndNoThemes_Fails', async () => {
    const dir = writeThemesPlugin({ ...manifest, themes: [] }, {});

    await expect(buildPlugin(dir, { force: true })).rejects.toThrow(/"cards" must be a non-empty array \(or declare "themes", "services" or "pages"\)/);
  });

  it('Build_ThemePathEscapingPluginDir_Fails', async () => {
    const dir = writeThemesPlugin({ ...manifest, themes: [{ themeID: 'x', path: '../x.json' }] }, {});

    await expect(buildPlugin(dir, { force: true })).rejects.toThrow(/\/themes\/0\/path/);
  });

  it('Build_ThemeWithDuplicateKey_IsRefusedWithPointerAsTheHostDoes', async () => {
    const dir = writeThemesPlugin({ ...manifest, themes: [{ themeID: 'dusk', path: 'themes/dusk.json' }] }, {
      'themes/dusk.json': '{ "themeID": "dusk", "name": "Dusk", "tokens": { "ui.border": "#000", "ui.border": "#fff" } }\n',
    });

    await expect(buildPlugin(dir, { force: true })).rejects.toThrow(/themes\/dusk\.json:\n {2}\/tokens\/ui\.border: the key "ui\.border" appears more than once/);
  });
});
