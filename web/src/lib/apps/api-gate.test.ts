import { describe, expect, it, vi } from 'vitest';
import { callApi, type ApiCaller, type ApiGateDeps } from './api-gate';
import { ApiSchemaCache } from './api-schemas';

const methods = {
  add: {
    input: { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] },
    output: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] },
  },
};

function setup(answer: unknown = { sum: 1 }, granted = true) {
  const deps: ApiGateDeps = { schemas: new ApiSchemaCache((id) => (id === 'dev.clock' ? methods : null)), ensureProvider: vi.fn(async () => true), hasApi: (id) => id === 'dev.clock' };
  const caller: ApiCaller = { requested: ['api:dev.clock'], ensureGranted: vi.fn(async () => granted), call: vi.fn(async () => answer) };
  return { deps, caller };
}

describe('callApi', () => {
  it('ValidCall_StartsTheProviderAndResolvesItsAnswer', async () => {
    const { deps, caller } = setup();
    await expect(callApi(deps, caller, 'dev.clock', 'add', { a: 1 }, 500)).resolves.toEqual({ sum: 1 });
    expect(deps.ensureProvider).toHaveBeenCalledWith('dev.clock');
    expect(caller.call).toHaveBeenCalledWith('dev.clock', 'add', { a: 1 }, 500);
  });

  it('NotRequested_NotGrantedWithoutAsking', async () => {
    const { deps, caller } = setup();
    await expect(callApi(deps, caller, 'dev.other', 'add', {}, null)).rejects.toMatchObject({ code: 'api.not_granted' });
    expect(caller.ensureGranted).not.toHaveBeenCalled();
  });

  it('PersonSaysNo_NotGranted', async () => {
    const { deps, caller } = setup(undefined, false);
    await expect(callApi(deps, caller, 'dev.clock', 'add', { a: 1 }, null)).rejects.toMatchObject({ code: 'api.not_granted' });
    expect(caller.call).not.toHaveBeenCalled();
  });

  it('BadInput_RefusedInThePageWithPointers_NothingStartsOrLeaves', async () => {
    const { deps, caller } = setup();
    await expect(callApi(deps, caller, 'dev.clock', 'add', { a: 'one' }, null)).rejects.toMatchObject({ code: 'api.invalid_input', problems: [{ pointer: '/a' }] });
    expect(deps.ensureProvider).not.toHaveBeenCalled();
    expect(caller.call).not.toHaveBeenCalled();
  });

  it('UnknownMethod_Refused', async () => {
    const { deps, caller } = setup();
    await expect(callApi(deps, caller, 'dev.clock', 'constructor', {}, null)).rejects.toMatchObject({ code: 'api.unknown_method' });
  });

  it('AnswerThatBreaksTheOutputSchema_InvalidOutput', async () => {
    const { deps, caller } = setup({ sum: 'one' });
    await expect(callApi(deps, caller, 'dev.clock', 'add', { a: 1 }, null)).rejects.toMatchObject({ code: 'api.invalid_output', problems: [{ pointer: '/sum' }] });
  });

  it('ProviderThatCannotStart_ProviderUnavailable', async () => {
    const { deps, caller } = setup();
    deps.ensureProvider = async () => false;
    await expect(callApi(deps, caller, 'dev.clock', 'add', { a: 1 }, null)).rejects.toMatchObject({ code: 'api.provider_unavailable' });
  });
});
