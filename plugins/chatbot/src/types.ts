import type { CardContext } from '@labyrinth/sdk';

export type { NetworkRequest, NetworkResponse } from '@labyrinth/sdk';

/** One turn of the conversation, as OpenAI's chat API names it. */
export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** What the card keeps in its payload. */
export interface ChatPayload {
  messages: ChatMessage[];
}

/**
 * The card context. `requestNetwork` is optional here only so the card explains itself on a
 * host older than the network bridge instead of throwing.
 */
export type ChatCard = Omit<CardContext, 'requestNetwork'> & Partial<Pick<CardContext, 'requestNetwork'>>;

/** What the card shows for a failed send. */
export interface ChatError {
  code: string;
  message: string;
}
