/**
 * Incremental parser for OpenAI's streamed chat answers (server-sent events): chunks arrive
 * split anywhere, even inside a line; `feed` returns the text deltas completed so far.
 */
export class ChatStreamParser {
  #buffer = '';
  #done = false;

  /** True once `data: [DONE]` was seen. */
  get done(): boolean {
    return this.#done;
  }

  /** Adds raw text; returns the `choices[0].delta.content` pieces of every complete event line. */
  feed(text: string): string[] {
    this.#buffer += text;
    const out: string[] = [];
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, nl).replace(/\r$/, '');
      this.#buffer = this.#buffer.slice(nl + 1);
      const piece = this.#line(line);
      if (piece) out.push(piece);
    }
    return out;
  }

  /** Ends the stream: a last line without a newline still counts. */
  end(): string[] {
    const rest = this.#buffer;
    this.#buffer = '';
    const piece = rest ? this.#line(rest.replace(/\r$/, '')) : null;
    return piece ? [piece] : [];
  }

  #line(line: string): string | null {
    if (this.#done || !line.startsWith('data:')) return null; // comments (`: ping`), event:, id:, blank lines
    const data = line.slice(5).trimStart();
    if (data === '[DONE]') {
      this.#done = true;
      return null;
    }
    return deltaContent(data);
  }
}

function deltaContent(json: string): string | null {
  try {
    const event = JSON.parse(json) as { choices?: { delta?: { content?: unknown } }[] };
    const content = event.choices?.[0]?.delta?.content;
    return typeof content === 'string' && content ? content : null;
  } catch {
    return null; // a malformed event is skipped, not fatal
  }
}

/** The assistant text of a non-streamed answer (`choices[0].message.content`), or null. */
export function completionContent(body: string): string | null {
  try {
    const answer = JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] };
    const content = answer.choices?.[0]?.message?.content;
    return typeof content === 'string' ? content : null;
  } catch {
    return null;
  }
}
