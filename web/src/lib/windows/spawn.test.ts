import { describe, expect, it } from 'vitest';
import type { CardTypeDto, PluginDto } from '../api/types';
import { BUILTIN_KINDS, spawnHint, spawnRequestFor } from './spawn';

const visible = { x: 0, y: 0, width: 1200, height: 900 };
const card: CardTypeDto = {
  typeID: 'hello',
  name: 'Hello',
  icon: '👋',
  defaultSize: { width: 100, height: 220 },
  minSize: { width: 200, height: 120 },
  propsSchema: null,
  frameUrl: '/cap/tok_en-1/cards/frame/p/1.0.0/hello',
  entryUrl: '/cap/tok_en-1/plugins/p/1.0.0/cards/hello.js',
  capabilities: [],
  topics: { publish: [], subscribe: [] },
};
const plugin = { id: 'p', version: '1.0.0', name: 'P', cards: [card] } as PluginDto;

describe('spawnRequestFor', () => {
  it('spawnRequestFor_Form_DefaultSizeAndEmptyData', () => {
    const r = spawnRequestFor({ kind: 'form' }, visible, []);
    expect(r).toMatchObject({ kind: 'form', title: 'Form', width: 360, height: 320, data: { fields: {}, saved: false } });
  });

  it('spawnRequestFor_Plugin_DefaultSizeRaisedToMinSize', () => {
    const r = spawnRequestFor({ kind: 'plugin', plugin, card }, visible, []);
    expect(r.width).toBe(200);
    expect(r.height).toBe(220);
    expect(r.plugin).toEqual({ pluginId: 'p', version: '1.0.0', typeID: 'hello', props: {} });
  });

  it('spawnRequestFor_Metadata_NoData', () => {
    expect(spawnRequestFor({ kind: 'metadata' }, visible, []).data).toBeUndefined();
  });
});

describe('spawn menu icons', () => {
  it('icons_BuiltinsAndExamplePluginCards_EachHaveTheirOwn', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const root = path.resolve(__dirname, '../../../../plugins');
    const cards = fs
      .readdirSync(root)
      .filter((d) => fs.existsSync(path.join(root, d, 'manifest.json')))
      // Test-only plugins never reach a person's menu.
      .filter((d) => {
        const pkg = path.join(root, d, 'package.json');
        return !fs.existsSync(pkg) || !JSON.parse(fs.readFileSync(pkg, 'utf8')).labyrinth?.testOnly;
      })
      .flatMap((d) => (JSON.parse(fs.readFileSync(path.join(root, d, 'manifest.json'), 'utf8')).cards ?? []) as { name: string; icon: string }[]);
    const icons = [...BUILTIN_KINDS.map((b) => [b.label, b.icon]), ...cards.map((c) => [c.name, c.icon])];
    const seen = new Map<string, string>();
    for (const [name, icon] of icons) {
      expect(seen.get(icon!), `${name} shares ${icon} with ${seen.get(icon!)}`).toBeUndefined();
      seen.set(icon!, name!);
    }
  });
});

describe('spawnHint', () => {
  const trusted = { signature: { status: 'trusted' } };

  it('spawnHint_PluginNamedLikeItsCard_LeftOut', () => {
    expect(spawnHint({ ...plugin, ...trusted, name: 'hello ' } as PluginDto, card)).toBe('');
  });

  it('spawnHint_PluginNamedOtherwise_NamesThePlugin', () => {
    expect(spawnHint({ ...plugin, ...trusted, name: 'Notes' } as PluginDto, { ...card, name: 'Note' })).toBe('Notes');
  });

  it('spawnHint_DevVersionOfSameName_SaysDevOnly', () => {
    const dev = { ...plugin, name: 'Hello', version: '1.0.0-dev.7', signature: { status: 'dev' } } as PluginDto;
    expect(spawnHint(dev, card)).toBe('dev 1.0.0-dev.7');
  });

  it('spawnHint_UnsignedWithA11yMark_SaysBoth', () => {
    const p = { ...plugin, signature: null, accessibility: {} } as unknown as PluginDto;
    expect(spawnHint(p, card)).toBe('P · ⚠ unsigned · ⚠ accessibility problems');
  });
});
