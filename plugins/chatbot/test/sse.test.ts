import { describe, expect, it } from 'vitest';
import { errorCode, errorMessage } from '../src/errors.ts';
import { ChatStreamParser, completionContent } from '../src/sse.ts';

const event = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;

describe('ChatStreamParser', () => {
  it('Feed_WholeEvents_ReturnsDeltasInOrder', () => {
    const p = new ChatStreamParser();
    expect(p.feed(event('Hel') + event('lo'))).toEqual(['Hel', 'lo']);
  });

  it('Feed_EventSplitAnywhere_ReassemblesLine', () => {
    const p = new ChatStreamParser();
    const text = event('Hello') + event(' world');
    const out: string[] = [];
    for (let i = 0; i < text.length; i += 7) out.push(...p.feed(text.slice(i, i + 7)));
    expect(out.join('')).toBe('Hello world');
  });

  it('Feed_Done_StopsAndIgnoresLaterData', () => {
    const p = new ChatStreamParser();
    expect(p.feed(event('a') + 'data: [DONE]\n\n' + event('b'))).toEqual(['a']);
    expect(p.done).toBe(true);
  });

  it('Feed_CommentsRoleOnlyAndMalformedEvents_Skipped', () => {
    const p = new ChatStreamParser();
    const role = `data: ${JSON.stringify({ choices: [{ delta: { role: 'assistant' } }] })}\n\n`;
    expect(p.feed(': keep-alive\n\nevent: x\n' + role + 'data: {not json\n\n' + event('ok'))).toEqual(['ok']);
  });

  it('Feed_CrLfLines_Parsed', () => {
    expect(new ChatStreamParser().feed(event('x').replace(/\n/g, '\r\n'))).toEqual(['x']);
  });

  it('End_LastLineWithoutNewline_Counted', () => {
    const p = new ChatStreamParser();
    expect(p.feed(event('a').trimEnd())).toEqual([]);
    expect(p.end()).toEqual(['a']);
  });

  it('CompletionContent_NonStreamAnswer_ReadsMessage', () => {
    expect(completionContent(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Hi' } }] }))).toBe('Hi');
    expect(completionContent('<html>')).toBeNull();
  });
});

describe('chat errors', () => {
  it('ErrorCode_BridgeError_ReadsCodeElseUpstreamFailed', () => {
    expect(errorCode({ code: 'revoked', message: 'x' })).toBe('revoked');
    expect(errorCode(new Error('boom'))).toBe('upstream_failed');
  });

  it('ErrorMessage_UnknownCode_FallsBackToUpstreamFailed', () => {
    expect(errorMessage('whatever')).toBe(errorMessage('upstream_failed'));
  });
});
