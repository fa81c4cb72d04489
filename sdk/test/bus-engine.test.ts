// The shared bus vectors (tests/vectors/bus.json) against the TypeScript engine; the C# engine
// runs the same file (tests/Labyrinth.Core.Tests/Messaging/BusVectorTests.cs).
import { describe, expect, it } from 'vitest';
import scenarios from '../../tests/vectors/bus.json';
import topicVectors from '../../tests/vectors/topics.json';
import { BusEngine, type BusMessage } from '../src/bus-engine.ts';
import { TopicIndex } from '../src/topic-index.ts';
import { isTopicPattern } from '../src/topics.ts';

type Step = Record<string, unknown> & { op: string };
const str = (s: Step, k: string) => (typeof s[k] === 'string' ? (s[k] as string) : null);
const strs = (s: Step, k: string) => (Array.isArray(s[k]) ? (s[k] as string[]) : []);

function message(s: Step, id: string, now: number): BusMessage {
  return { id, topic: str(s, 'topic')!, senderMember: str(s, 'member')!, senderPlugin: str(s, 'plugin')!, senderType: 'card', target: str(s, 'target'), timestamp: now, payload: null };
}

describe('bus vectors', () => {
  for (const scenario of scenarios as { name: string; steps: Step[] }[]) {
    it(scenario.name, () => {
      const bus = new BusEngine();
      let now = 0;
      scenario.steps.forEach((step, i) => {
        const where = `step ${i} (${step.op})`;
        switch (step.op) {
          case 'subscribe':
          case 'respond': {
            const r = bus.subscribe({
              id: str(step, 'sub')!, memberId: str(step, 'member')!, pluginId: str(step, 'plugin')!, pattern: str(step, 'pattern')!,
              priority: typeof step.priority === 'number' ? step.priority : 0, once: step.once === true, from: str(step, 'from'),
              responds: step.op === 'respond',
            });
            expect(r === 'ok', `${where}: ${r}`).toBe(step.ok !== false);
            return;
          }
          case 'unsubscribe':
            expect(bus.unsubscribe(str(step, 'sub')!), where).toBe(step.expect);
            return;
          case 'leave':
            expect(bus.removeMember(str(step, 'member')!).map((p) => p.request.id), where).toEqual(strs(step, 'orphaned'));
            return;
          case 'publish':
            expect(bus.publish(message(step, str(step, 'id')!, now)).map((s) => s.id), where).toEqual(strs(step, 'expect'));
            return;
          case 'publishMany':
            for (let n = 0; n < (step.count as number); n++) bus.publish(message(step, `${str(step, 'idPrefix')}${n}`, now));
            return;
          case 'request': {
            const responder = bus.request(message(step, str(step, 'id')!, now), now + (step.timeoutMs as number));
            if (step.error !== undefined) {
              expect(step.error).toBe('bus.no_responder');
              expect(responder, where).toBeNull();
            } else expect(responder?.id, where).toBe(step.responder);
            return;
          }
          case 'reply':
            expect(bus.reply(str(step, 'id')!, str(step, 'member')!) !== null, where).toBe(step.expect);
            return;
          case 'advance':
            now += step.ms as number;
            expect(bus.expire(now).map((p) => p.request.id).sort(), where).toEqual(strs(step, 'expired'));
            return;
          case 'history': {
            const got = bus.history(str(step, 'pattern')!, strs(step, 'readable'), str(step, 'plugin')!, step.limit as number).map((m) => m.id);
            if (step.expect !== undefined) expect(got, where).toEqual(strs(step, 'expect'));
            else {
              expect(got.length, where).toBe(step.expectCount);
              expect(got[0]).toBe(step.expectFirst);
              expect(got.at(-1)).toBe(step.expectLast);
            }
            return;
          }
          default:
            throw new Error(`${where}: unknown op`);
        }
      });
    });
  }
});

describe('TopicIndex', () => {
  it('agrees with topicMatches on every shared topic vector', () => {
    for (const v of topicVectors) {
      const index = new TopicIndex<string>();
      if (isTopicPattern(v.pattern)) index.add(v.pattern, 's');
      expect(index.match(v.topic).length === 1, `${v.pattern} vs ${v.topic}`).toBe(v.match);
    }
  });

  it('refuses regex syntax instead of compiling it', () => {
    const index = new TopicIndex<string>();
    expect(() => index.add('(', 'paren')).toThrow(TypeError);
    expect(() => index.add('(a+)+$:(a|a)*:x', 'redos')).toThrow(TypeError);
    expect(index.size).toBe(0);
  });

  it('answers a catastrophic-backtracking topic at once', () => {
    const index = new TopicIndex<string>();
    index.add('*:*:*', 'all');
    // (a+)+ against this would backtrack 2^100 times in a regex engine; the trie compares segments.
    expect(index.match(`a:${'a'.repeat(100)}!:b`)).toEqual([]);
    expect(index.match('(:(:(')).toEqual([]);
  });

  it('returns the same frozen array for a cached topic until an add or remove', () => {
    const index = new TopicIndex<string>();
    index.add('a:*:c', 'x');
    const first = index.match('a:b:c');
    expect(index.match('a:b:c')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    index.add('a:b:*', 'y');
    expect(index.cachedTopics).toBe(0);
    expect(index.match('a:b:c').map((e) => e.value)).toEqual(['x', 'y']);
    expect(index.remove('a:*:c', 'x')).toBe(true);
    expect(index.match('a:b:c').map((e) => e.value)).toEqual(['y']);
    expect(index.remove('a:*:c', 'x')).toBe(false);
  });

  it('keeps the cache bounded over many distinct topics', () => {
    const index = new TopicIndex<string>(16);
    index.add('*:*:*', 'all');
    for (let i = 0; i < 1000; i++) expect(index.match(`t${i}:x:y`)).toHaveLength(1);
    expect(index.cachedTopics).toBeLessThanOrEqual(16);
  });

  it('prunes emptied branches', () => {
    const index = new TopicIndex<string>();
    for (let i = 0; i < 50; i++) index.add(`d${i}:*:x${i}`, `s${i}`);
    for (let i = 0; i < 50; i++) expect(index.remove(`d${i}:*:x${i}`, `s${i}`)).toBe(true);
    expect(index.size).toBe(0);
    expect(index.match('d1:y:x1')).toEqual([]);
  });
});
