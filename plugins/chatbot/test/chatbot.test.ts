// @vitest-environment happy-dom
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { buildPlugin } from '../../../sdk/bin/labyrinth-build.mjs';
import { createMockHost } from '../../../sdk/src/mock-host.ts';
import type { CardContext, CardModule, JsonObject, JsonValue } from '../../../sdk/src/types.ts';
import type { NetworkRequest, NetworkResponse } from '../../../sdk/src/types.ts';

// happy-dom replaces the global URL; resolve from the file path instead.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const PLUGIN = path.join(HERE, '..');
const tick = () => new Promise((r) => setTimeout(r, 0));
const event = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;

let chatbot: CardModule;
const outs: string[] = [];
beforeAll(async () => {
  const out = fs.mkdtempSync(path.join(HERE, '.out-'));
  outs.push(out);
  await buildPlugin(PLUGIN, { force: true, out, quiet: true });
  chatbot = await import(/* @vite-ignore */ path.join(out, 'cards/chatbot.js'));
});
afterAll(() => { for (const o of outs) fs.rmSync(o, { recursive: true, force: true }); });

interface Call {
  service: string;
  request: NetworkRequest;
  onChunk: (data: string) => void;
  signal: AbortSignal;
  resolve: (r: NetworkResponse) => void;
  reject: (e: unknown) => void;
}

/** A host whose `requestNetwork` is driven by the test: chunks and the end are pushed by hand. */
function setup(options: { payload?: JsonValue; props?: JsonObject } = {}) {
  const host = createMockHost({ payload: options.payload ?? null, props: options.props ?? {} });
  const calls: Call[] = [];
  const requestNetwork = (service: string, request: NetworkRequest, opts: { onChunk: (d: string) => void; signal: AbortSignal }) =>
    new Promise<NetworkResponse>((resolve, reject) => {
      calls.push({ service, request, onChunk: opts.onChunk, signal: opts.signal, resolve, reject });
      opts.signal.addEventListener('abort', () => reject({ code: 'cancelled', message: 'Cancelled.' }));
    });
  // The mock's own requestNetwork answers all chunks at once; this one lets the test push them one by one.
  const card = Object.create(host.card, { requestNetwork: { value: requestNetwork } }) as CardContext;
  const target = document.createElement('div');
  document.body.append(target);
  const mounted = chatbot.mountPlugin(target, card.props, card) as { destroy(): void };
  const q = <T extends Element>(testid: string) => target.querySelector<T>(`[data-testid="${testid}"]`);
  const replies = () => [...target.querySelectorAll('[data-testid="chat-message"][data-role="assistant"] p')].map((p) => p.textContent?.replace('▍', ''));
  async function type(text: string) {
    const area = q<HTMLTextAreaElement>('chat-input')!;
    area.value = text;
    area.dispatchEvent(new Event('input', { bubbles: true }));
    await tick();
  }
  async function send(text: string) {
    await type(text);
    q<HTMLButtonElement>('chat-send')!.click();
    await tick();
  }
  const cleanup = () => { mounted.destroy(); target.remove(); };
  return { host, calls, target, q, replies, type, send, cleanup };
}

describe('chatbot card', () => {
  it('Chatbot_Send_RequestsOpenAiChatCompletionsStreaming', async () => {
    const t = setup();
    await t.send('Hi there');
    expect(t.calls).toHaveLength(1);
    const { service, request } = t.calls[0]!;
    expect(service).toBe('openai');
    expect(request).toMatchObject({ method: 'POST', path: '/chat/completions', headers: { 'content-type': 'application/json' }, stream: true });
    expect(JSON.parse(request.body!)).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi there' }], stream: true });
    t.cleanup();
  });

  it('Chatbot_Chunks_AppearTokenByTokenThenSendReturns', async () => {
    const t = setup();
    await t.send('Hi');
    const call = t.calls[0]!;
    expect(t.q('chat-stop')).not.toBeNull();
    expect(t.q('chat-send')).toBeNull();
    call.onChunk(event('Hel'));
    await tick();
    expect(t.replies()).toEqual(['Hel']);
    call.onChunk(event('lo') + 'data: [DO');
    await tick();
    expect(t.replies()).toEqual(['Hello']);
    call.onChunk('NE]\n\n');
    call.resolve({ status: 200, headers: {}, bytes: 80 });
    await tick();
    expect(t.replies()).toEqual(['Hello']);
    expect(t.q('chat-stop')).toBeNull();
    expect(t.q('chat-error')).toBeNull();
    expect(t.host.payloads.at(-1)).toEqual({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] });
    t.cleanup();
  });

  it('Chatbot_SecondSend_SendsHistory', async () => {
    const t = setup({ payload: { messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] } });
    await t.send('c');
    expect(JSON.parse(t.calls[0]!.request.body!).messages).toEqual([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
    ]);
    t.cleanup();
  });

  it('Chatbot_SavedPayload_RestoresConversationAndDropsJunk', async () => {
    const t = setup({ payload: { messages: [{ role: 'user', content: 'q' }, { role: 'system', content: 'x' }, { role: 'assistant', content: 'answer' }, 5] } });
    await tick();
    const shown = [...t.target.querySelectorAll('[data-testid="chat-message"]')].map((li) => li.getAttribute('data-role'));
    expect(shown).toEqual(['user', 'assistant']);
    expect(t.replies()).toEqual(['answer']);
    t.cleanup();
  });

  it('Chatbot_ModelProp_SentAsModel', async () => {
    const t = setup({ props: { model: 'llama3.1:8b' } });
    await t.send('x');
    expect(JSON.parse(t.calls[0]!.request.body!).model).toBe('llama3.1:8b');
    t.cleanup();
  });

  it.each([
    ['not_configured', 'OpenAI is not set up on this server yet, so nothing was sent.'],
    ['revoked', "Access to OpenAI was revoked for this card. Allow it again from the card's permissions."],
    ['denied', "Access to OpenAI was revoked for this card. Allow it again from the card's permissions."],
    ['rate_limited', 'Too many messages'],
    ['too_large', 'too long'],
    ['upstream_failed', 'could not be reached'],
    ['timeout', 'did not answer in time'],
  ])('Chatbot_Rejected_%s_ShowsClearMessage', async (code, text) => {
    const t = setup();
    await t.send('Hi');
    t.calls[0]!.reject({ code, message: 'from the bridge' });
    await tick();
    const err = t.q('chat-error')!;
    expect(err.getAttribute('data-code')).toBe(code);
    expect(err.textContent).toContain(text);
    expect(t.replies()).toEqual([]); // no empty reply bubble
    expect(t.q('chat-send')).not.toBeNull();
    t.cleanup();
  });

  it('Chatbot_Stop_AbortsRequestAndKeepsPartialReplyWithoutError', async () => {
    const t = setup();
    await t.send('Tell me a story');
    const call = t.calls[0]!;
    call.onChunk(event('Once upon'));
    await tick();
    t.q<HTMLButtonElement>('chat-stop')!.click();
    await tick();
    expect(call.signal.aborted).toBe(true);
    expect(t.replies()).toEqual(['Once upon']);
    expect(t.q('chat-error')).toBeNull();
    t.cleanup();
  });

  it('Chatbot_UpstreamErrorStatus_ShowsUpstreamFailed', async () => {
    const t = setup();
    await t.send('Hi');
    t.calls[0]!.onChunk('{"error":{"message":"bad key"}}');
    t.calls[0]!.resolve({ status: 401, headers: {}, bytes: 30 });
    await tick();
    expect(t.q('chat-error')?.getAttribute('data-code')).toBe('upstream_failed');
    t.cleanup();
  });

  it('Chatbot_EmptyDraft_SendDisabledAndNothingRequested', async () => {
    const t = setup();
    await t.type('   ');
    expect(t.q<HTMLButtonElement>('chat-send')!.disabled).toBe(true);
    expect(t.calls).toHaveLength(0);
    t.cleanup();
  });

  it('Chatbot_MockHostScriptedChunks_ReplyAssembledAndSaved', async () => {
    const chunks = [event('Hi'), event(' there') + 'data: [DO', 'NE]\n\n'];
    const host = createMockHost({ capabilities: ['network:openai'], network: () => ({ status: 200, chunks }) });
    const target = document.createElement('div');
    document.body.append(target);
    const mounted = host.mount(chatbot.mountPlugin, target);
    const area = target.querySelector<HTMLTextAreaElement>('[data-testid="chat-input"]')!;
    area.value = 'Hello?';
    area.dispatchEvent(new Event('input', { bubbles: true }));
    await tick();
    target.querySelector<HTMLButtonElement>('[data-testid="chat-send"]')!.click();
    await host.settle();
    await tick();
    expect(host.networkRequests.map((r) => [r.service, r.request.path, r.request.stream])).toEqual([['openai', '/chat/completions', true]]);
    expect(target.querySelector('[data-role="assistant"] p')?.textContent).toBe('Hi there');
    expect(host.payloads.at(-1)).toEqual({ messages: [{ role: 'user', content: 'Hello?' }, { role: 'assistant', content: 'Hi there' }] });
    mounted.destroy();
    target.remove();
  });

  it('Chatbot_MockHostWithoutBroker_ShowsNotConfigured', async () => {
    const host = createMockHost({ capabilities: ['network:openai'] });
    const target = document.createElement('div');
    document.body.append(target);
    const mounted = host.mount(chatbot.mountPlugin, target);
    const area = target.querySelector<HTMLTextAreaElement>('[data-testid="chat-input"]')!;
    area.value = 'Hello?';
    area.dispatchEvent(new Event('input', { bubbles: true }));
    await tick();
    target.querySelector<HTMLButtonElement>('[data-testid="chat-send"]')!.click();
    await host.settle();
    await tick();
    expect(target.querySelector('[data-testid="chat-error"]')?.textContent).toBe('OpenAI is not set up on this server yet, so nothing was sent.');
    mounted.destroy();
    target.remove();
  });

  it('Chatbot_Clear_EmptiesAndSavesEmptyConversation', async () => {
    const t = setup({ payload: { messages: [{ role: 'user', content: 'a' }] } });
    t.q<HTMLButtonElement>('chat-clear')!.click();
    await tick();
    expect(t.target.querySelectorAll('[data-testid="chat-message"]')).toHaveLength(0);
    expect(t.host.payloads.at(-1)).toEqual({ messages: [] });
    t.cleanup();
  });
});
