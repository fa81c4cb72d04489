import { describe, expect, it } from 'vitest';
import { settingFields } from './plugin-settings.svelte';

const schema = {
  type: 'object',
  properties: {
    timeZone: { type: 'string', title: 'Time zone', description: 'IANA name', default: 'UTC' },
    refresh: { type: 'integer', minimum: 1, maximum: 60 },
    units: { type: 'string', enum: ['metric', 'imperial'] },
    tags: { type: 'array', items: { type: 'string', maxLength: 16 } },
    apiKey: { type: 'string', secret: true },
    display: { type: 'object', title: 'Display', properties: { 'a/b': { type: 'boolean' } } },
  },
};

describe('settingFields', () => {
  it('SettingFields_FromASchema_AreInOrderWithKindsLabelsAndPointers', () => {
    const fields = settingFields(schema);
    expect(fields.map((f) => [f.pointer, f.kind, f.label])).toEqual([
      ['/timeZone', 'text', 'Time zone'],
      ['/refresh', 'integer', 'refresh'],
      ['/units', 'choice', 'units'],
      ['/tags', 'list', 'tags'],
      ['/apiKey', 'secret', 'apiKey'],
      ['/display/a~1b', 'boolean', 'a/b'],
    ]);
    expect(fields[0]).toMatchObject({ help: 'IANA name', fallback: 'UTC' });
    expect(fields[3]!.maxLength).toBe(16);
    expect(fields[5]).toMatchObject({ group: 'display', groupTitle: 'Display' });
  });

  it('SettingFields_WithoutASchema_AreNone', () => {
    expect(settingFields(null)).toEqual([]);
  });
});
