import { afterEach, describe, expect, it, vi } from 'vitest';
import { setFetch } from '../api/client';
import { ThemeValidatorState } from './validator.svelte';

afterEach(() => setFetch(null));

function capture(status = 200, answer: unknown = { valid: true }) {
  const calls: { url: string; body: unknown; contentType: string | undefined }[] = [];
  setFetch(vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), body: init?.body, contentType: (init?.headers as Record<string, string>)['Content-Type'] });
    return new Response(JSON.stringify(answer), { status });
  }));
  return calls;
}

describe('ThemeValidatorState', () => {
  it('Validate_TextWithDuplicateKeys_SentToTheHostAsWritten', async () => {
    const calls = capture();
    const v = new ThemeValidatorState();
    v.text = '{ "themeID": "a", "name": "A", "tokens": { "ui.border": "#000", "ui.border": "#fff" } }';

    await v.validate();

    expect(calls).toEqual([{ url: '/api/themes/validate', contentType: 'application/json', body: v.text }]);
  });

  it('ReadFile_SendsTheFileBytesNotTheDecodedText', async () => {
    const calls = capture();
    const v = new ThemeValidatorState();
    const file = new File([new Uint8Array([0xef, 0xbb, 0xbf]), '{}'], 'bom.json');

    await v.readFile(file);

    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).toBe(file);
  });

  it('Validate_HostRefusal_ShowsItsPointers', async () => {
    capture(400, {
      code: 'theme.invalid', detail: '/tokens/ui.border: The key "ui.border" appears more than once in this object.',
      problems: [{ pointer: '/tokens/ui.border', message: 'The key "ui.border" appears more than once in this object.' }],
    });
    const v = new ThemeValidatorState();
    v.text = '{}';

    await v.validate();

    expect(v.valid).toBe(false);
    expect(v.problems.map((p) => p.pointer)).toEqual(['/tokens/ui.border']);
  });
});
