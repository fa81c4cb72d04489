import { describe, expect, it } from 'vitest';
import vectors from '../../../../tests/vectors/topics.json';
import { isTopic, isTopicPattern, patternCovers, topicMatches } from './topics';

describe('topic matcher', () => {
  it.each(vectors as { pattern: string; topic: string; match: boolean }[])('TopicMatches_Vector_$pattern_$topic', (v) => {
    expect(topicMatches(v.pattern, v.topic)).toBe(v.match);
  });

  it('IsTopic_LongerThan128_Rejected', () => {
    const t = `a:b:${'c'.repeat(124)}`;
    expect(isTopic(t)).toBe(true);
    expect(isTopic(`${t}c`)).toBe(false);
    expect(isTopicPattern('a:*:c')).toBe(true);
    expect(isTopic('a:*:c')).toBe(false);
  });

  it('PatternCovers_NarrowerPattern_TrueWiderFalse', () => {
    expect(patternCovers('timer:*:finished', 'timer:countdown:finished')).toBe(true);
    expect(patternCovers('timer:*:finished', 'timer:*:finished')).toBe(true);
    expect(patternCovers('timer:countdown:finished', 'timer:*:finished')).toBe(false);
    expect(patternCovers('timer:*:finished', '*:*:finished')).toBe(false);
  });
});
