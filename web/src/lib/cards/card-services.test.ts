import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { CardPermissionsDto } from '../api/types';
import { BridgeError } from '../bridge/card-host';
import { CardServices, parseSnapshotDataUrl, unavailable, type CardsHttp } from './card-services';
import { CardPrompts, type ConsentPrompt, type NoticePrompt, type PickerPrompt } from './prompts.svelte';

const consent = (p: CardPrompts) => p.current as ConsentPrompt;
const picker = (p: CardPrompts) => p.current as PickerPrompt;

function perms(caps: Array<[string, boolean]>): CardPermissionsDto {
  return {
    boardId: 'b',
    windowId: 'w',
    pluginId: 'p',
    version: '1.0.0',
    typeID: 't',
    cardName: 'Probe',
    capabilities: caps.map(([capability, granted]) => ({ capability, granted })),
    wantsMore: [],
    upgrade: null,
    assets: [],
    network: { services: [{ serviceId: 'openai', displayName: 'OpenAI', granted: false, configured: true, enabled: true, usesSecret: '' }], recent: [] },
  };
}

function http(p: CardPermissionsDto, over: Partial<CardsHttp> = {}): CardsHttp {
  return {
    permissions: vi.fn(async () => p),
    grant: vi.fn(async (_b, _w, capability: string) => ({ capability, granted: true })),
    grantAsset: vi.fn(async (_b, _w, assetId: string) => ({
      token: 'lab_ast_x',
      grant: { grantId: 'g', assetId, name: 'cat.png', type: 'image' as const, mediaType: 'image/png', bytes: 3, grantedAt: '', previewUrl: '' },
    })),
    readAsset: vi.fn(async () => ({ mediaType: 'image/png', name: 'cat.png', data: new ArrayBuffer(3) })),
    violations: vi.fn(async () => {}),
    putSnapshot: vi.fn(async () => {}),
    storage: vi.fn(async () => null),
    ...over,
  };
}

function services(h: CardsHttp, prompts = new CardPrompts(), broker = vi.fn(async () => ({ status: 200, headers: {}, body: 'ok' }))) {
  return new CardServices({ boardId: 'b', windowId: 'w', cardName: () => 'Probe', http: h, prompts, brokerFetch: broker });
}

const signal = () => new AbortController().signal;

describe('CardServices', () => {
  it('load_GrantedAndNotGranted_GrantedListsOnlyGranted', async () => {
    const s = services(http(perms([['fileRegistry:image', true], ['crossCard:pubsub', false]])));
    expect(await s.load()).toEqual(['fileRegistry:image']);
  });

  it('load_ServerFails_GrantsNothing', async () => {
    const s = services(http(perms([]), { permissions: vi.fn(async () => Promise.reject(new Error('down'))) }));
    expect(await s.load()).toEqual([]);
  });

  it('requestAsset_TypeNotRequested_RejectsNotRequestedWithoutPicker', async () => {
    const prompts = new CardPrompts();
    const s = services(http(perms([['fileRegistry:pdf', false]])), prompts);
    await s.load();
    await expect(s.requestAsset('image', signal())).rejects.toMatchObject({ code: 'not_requested' });
    expect(prompts.queue).toHaveLength(0);
  });

  it('requestAsset_PersonPicks_GrantsAndReturnsToken', async () => {
    const prompts = new CardPrompts();
    const h = http(perms([['fileRegistry:image', false]]));
    const s = services(h, prompts);
    await s.load();
    const pending = s.requestAsset('image', signal());
    expect(prompts.current?.kind).toBe('picker');
    picker(prompts).resolve({ id: 'a1', type: 'image' } as never);
    await expect(pending).resolves.toMatchObject({ token: 'lab_ast_x', name: 'cat.png' });
    expect(h.grantAsset).toHaveBeenCalledWith('b', 'w', 'a1');
    expect(s.granted()).toContain('fileRegistry:image');
  });

  it('requestAsset_PersonCancels_RejectsCancelled', async () => {
    const prompts = new CardPrompts();
    const s = services(http(perms([['fileRegistry:image', false]])), prompts);
    await s.load();
    const pending = s.requestAsset('image', signal());
    picker(prompts).resolve(null);
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('requestAsset_CardCloses_PickerGoesAwayAndRejectsCancelled', async () => {
    const prompts = new CardPrompts();
    const s = services(http(perms([['fileRegistry:image', false]])), prompts);
    await s.load();
    const ctrl = new AbortController();
    const pending = s.requestAsset('image', ctrl.signal);
    ctrl.abort();
    await expect(pending).rejects.toBeInstanceOf(BridgeError);
    expect(prompts.queue).toHaveLength(0);
  });

  it('readAsset_Server404_RejectsTokenInvalid', async () => {
    const s = services(http(perms([]), { readAsset: vi.fn(async () => Promise.reject(new ApiError(404, 'asset.token_invalid', 'x'))) }));
    await expect(s.readAsset('lab_ast_other', signal())).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('requestNetwork_PersonDenies_RejectsDeniedAndNeverCallsBroker', async () => {
    const prompts = new CardPrompts();
    const broker = vi.fn(async () => ({ status: 200, headers: {}, body: '' }));
    const s = services(http(perms([['network:openai', false]])), prompts, broker);
    await s.load();
    const pending = s.requestNetwork('openai', { method: 'GET', path: '/models' }, () => {}, signal());
    expect(prompts.current?.kind === 'consent' && prompts.current.message).toBe('Allow Probe to use OpenAI via the host? It never sees your key.');
    consent(prompts).resolve(false);
    await expect(pending).rejects.toMatchObject({ code: 'denied' });
    expect(broker).not.toHaveBeenCalled();
  });

  it('requestNetwork_PersonAllows_GrantsThenCallsBroker', async () => {
    const prompts = new CardPrompts();
    const h = http(perms([['network:openai', false]]));
    const broker = vi.fn(async () => ({ status: 200, headers: {}, body: 'hi' }));
    const s = services(h, prompts, broker);
    await s.load();
    const pending = s.requestNetwork('openai', { method: 'GET', path: '/models' }, () => {}, signal());
    await prompts.allow(consent(prompts));
    await expect(pending).resolves.toMatchObject({ body: 'hi' });
    expect(h.grant).toHaveBeenCalledWith('b', 'w', 'network:openai');
  });

  it('ensureCrossCard_PersonAllows_GrantRecordedBeforeTheDialogCloses', async () => {
    const prompts = new CardPrompts();
    const h = http(perms([['crossCard:pubsub', false]]));
    const s = services(h, prompts);
    await s.load();
    const asked = s.ensureCrossCard();
    const prompt = consent(prompts);

    const clicked = prompts.allow(prompt);
    const queuedWhileGranting = prompts.queue.length;
    await clicked;

    expect(queuedWhileGranting).toBe(1);
    expect(await asked).toBe(true);
    expect(s.granted()).toContain('crossCard:pubsub');
    expect(prompts.queue).toHaveLength(0);
  });

  it('ensureCrossCard_AskedTwice_ShowsOnePrompt', async () => {
    const prompts = new CardPrompts();
    const s = services(http(perms([['crossCard:pubsub', false]])), prompts);
    await s.load();
    const a = s.ensureCrossCard();
    const b = s.ensureCrossCard();
    expect(prompts.queue).toHaveLength(1);
    consent(prompts).resolve(false);
    expect(await a).toBe(false);
    expect(await b).toBe(false);
    expect(await s.ensureCrossCard()).toBe(false);
    expect(prompts.queue).toHaveLength(0);
  });

  it('parseSnapshotDataUrl_SvgDataUrl_IsRefused', () => {
    expect(parseSnapshotDataUrl('data:image/svg+xml;base64,PHN2Zz4=')).toBeNull();
    expect(parseSnapshotDataUrl('data:image/png;base64,iVBORw0KGgo=')).toEqual({ mediaType: 'image/png', data: 'iVBORw0KGgo=' });
  });
});

describe('CardServices network service not set up', () => {
  function withService(over: Partial<CardPermissionsDto['network']['services'][number]>): CardPermissionsDto {
    const p = perms([['network:openai', false]]);
    p.network.services = [{ ...p.network.services[0]!, ...over }];
    return p;
  }

  it('requestNetwork_ServiceDisabledWithoutKey_SaysNotSetUpInsteadOfAskingAndNeverCallsBroker', async () => {
    const prompts = new CardPrompts();
    const broker = vi.fn(async () => ({ status: 200, headers: {}, body: 'ok' }));
    const h = http(withService({ enabled: false, configured: false }));
    const s = services(h, prompts, broker);
    await s.load();

    const pending = s.requestNetwork('openai', { method: 'POST', path: '/chat/completions' } as never, () => {}, signal());
    await vi.waitFor(() => expect(prompts.current?.kind).toBe('notice'));
    const notice = prompts.current as NoticePrompt;
    expect(notice.title).toBe('OpenAI is not set up yet');
    expect(notice.message).toContain('switched off and has no key');
    expect(notice.setupHref).toBe('/admin/services');
    notice.resolve();

    await expect(pending).rejects.toMatchObject({ code: 'not_configured' });
    expect(broker).not.toHaveBeenCalled();
    expect(h.grant).not.toHaveBeenCalled();
  });

  it('requestNetwork_ServiceSetUpSinceTheCardLoaded_AsksForConsent', async () => {
    const prompts = new CardPrompts();
    let current = withService({ enabled: false, configured: false });
    const h = http(current, { permissions: vi.fn(async () => current) });
    const s = services(h, prompts);
    await s.load();
    current = withService({ enabled: true, configured: true });

    void s.requestNetwork('openai', { method: 'POST', path: '/chat/completions' } as never, () => {}, signal()).catch(() => {});
    await vi.waitFor(() => expect(prompts.current?.kind).toBe('consent'));
  });

  it('unavailable_EnabledWithKey_IsNull', () => {
    expect(unavailable(withService({ enabled: true, configured: true }), 'openai')).toBeNull();
    expect(unavailable(withService({ enabled: true, configured: false }), 'openai')?.reason).toContain('no key');
    expect(unavailable(withService({ enabled: false, configured: true }), 'openai')?.reason).toContain('switched off');
  });
});
