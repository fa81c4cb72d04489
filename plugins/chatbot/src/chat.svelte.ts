import { debounce, type JsonValue } from '@labyrinth/sdk';
import { errorCode, errorMessage } from './errors.ts';
import { ChatStreamParser, completionContent } from './sse.ts';
import type { ChatCard, ChatError, ChatMessage } from './types.ts';

export const SERVICE = 'openai';
/** How many earlier turns go with each request (keeps requests under the service's size cap). */
export const HISTORY_TURNS = 40;
/** The payload limit is 1 MiB; stay well below it by dropping the oldest turns. */
const MAX_PAYLOAD_CHARS = 512 * 1024;

function restore(payload: JsonValue | null): ChatMessage[] {
  const raw = (payload as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(raw)) return [];
  const out: ChatMessage[] = [];
  for (const m of raw) {
    if (!m || typeof m !== 'object') continue;
    const { role, content } = m as { role?: unknown; content?: unknown };
    if ((role === 'user' || role === 'assistant') && typeof content === 'string') out.push({ role, content });
  }
  return out;
}

/**
 * The conversation and its one request at a time. Tokens are appended to the last message as
 * they stream in; the conversation is saved in the card's payload (debounced while streaming,
 * at once when a reply ends) and restored when the card opens.
 */
export class ChatState {
  messages = $state<ChatMessage[]>([]);
  draft = $state('');
  streaming = $state(false);
  error = $state<ChatError | null>(null);

  readonly #card: ChatCard;
  readonly #model: () => string;
  #controller: AbortController | null = null;
  readonly #save: ReturnType<typeof debounce<[]>>;

  constructor(card: ChatCard, model: () => string, saveDelayMs = 400) {
    this.#card = card;
    this.#model = model;
    this.messages = restore(card.payload);
    this.#save = debounce(() => this.#persist(), saveDelayMs);
  }

  get canSend(): boolean {
    return !this.streaming && this.draft.trim().length > 0;
  }

  async send(): Promise<void> {
    const text = this.draft.trim();
    if (!text || this.streaming) return;
    const requestNetwork = this.#card.requestNetwork?.bind(this.#card);
    this.error = null;
    if (!requestNetwork) {
      this.error = { code: 'not_supported', message: errorMessage('not_supported') };
      return;
    }
    this.draft = '';
    this.messages.push({ role: 'user', content: text });
    const history = this.messages.slice(-HISTORY_TURNS).map((m) => ({ role: m.role, content: m.content }));
    this.messages.push({ role: 'assistant', content: '' });
    const reply = this.messages[this.messages.length - 1]!;
    this.#save();

    const controller = new AbortController();
    this.#controller = controller;
    this.streaming = true;
    const parser = new ChatStreamParser();
    const append = (pieces: string[]) => {
      for (const p of pieces) reply.content += p;
      if (pieces.length) this.#save();
    };
    try {
      const res = await requestNetwork(
        SERVICE,
        {
          method: 'POST',
          path: '/chat/completions',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: this.#model(), messages: history, stream: true }),
          stream: true,
        },
        { onChunk: (data) => append(parser.feed(data)), signal: controller.signal },
      );
      append(parser.end());
      if (!reply.content && typeof res.body === 'string') reply.content = completionContent(res.body) ?? '';
      if (res.status >= 400) this.#fail('upstream_failed');
      else if (!reply.content) this.#fail('upstream_failed');
    } catch (e) {
      const code = controller.signal.aborted ? 'cancelled' : errorCode(e);
      if (code !== 'cancelled') this.#fail(code);
    } finally {
      // A reply that never got a token is not part of the conversation.
      const last = this.messages[this.messages.length - 1];
      if (last && last.role === 'assistant' && !last.content) this.messages.pop();
      this.streaming = false;
      this.#controller = null;
      this.#save();
      this.#save.flush();
    }
  }

  /** Stops the running reply; what arrived so far stays. */
  stop(): void {
    this.#controller?.abort();
  }

  clear(): void {
    this.stop();
    this.messages = [];
    this.error = null;
    this.#save();
    this.#save.flush();
  }

  /** Saves what is pending now (card closing). */
  flush(): void {
    this.#save.flush();
  }

  destroy(): void {
    this.stop();
    this.flush();
  }

  #fail(code: string): void {
    this.error = { code, message: errorMessage(code) };
  }

  #persist(): void {
    let messages = this.messages.map((m) => ({ role: m.role, content: m.content }));
    while (messages.length > 1 && JSON.stringify(messages).length > MAX_PAYLOAD_CHARS) messages = messages.slice(2);
    try {
      this.#card.setPayload({ messages });
    } catch {
      // A single huge message: keep it on screen, do not save it.
    }
  }
}
