import type { CardContext } from '@labyrinth/sdk';

/** One turn of the conversation, as OpenAI's chat API names it. */
export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** What the card keeps in its payload. */
export interface ChatPayload {
  messages: ChatMessage[];
}

/** `requestNetwork`'s request (docs/api.md "Bridge protocol additions"). */
export interface NetworkRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  stream?: boolean;
}

export interface NetworkResponse {
  status: number;
  headers: Record<string, string>;
  /** Streamed requests: bytes received. */
  bytes?: number;
  /** Non-streamed requests: the body. */
  body?: string;
}

/**
 * The part of the SDK's CardContext this card uses for the network (`card.requestNetwork`).
 * Declared here so the card type-checks against the contract whichever SDK version builds it.
 */
export interface NetworkCard {
  requestNetwork(
    service: string,
    request: NetworkRequest,
    options?: { onChunk?: (data: string) => void; signal?: AbortSignal },
  ): Promise<NetworkResponse>;
}

export type ChatCard = CardContext & Partial<NetworkCard>;

/** What the card shows for a failed send. */
export interface ChatError {
  code: string;
  message: string;
}
