import { describe, expect, it } from 'vitest';
import vectors from '../../../../tests/vectors/topics.json';
import { MAX_SUBSCRIPTIONS, PubSubHub, type PubSubMember } from './pubsub';
import { isTopic, isTopicPattern, patternCovers, topicMatches } from './topics';

interface Got {
  topic: string;
  payload: unknown;
  from: unknown;
}

function member(typeID: string, topics: PubSubMember['topics'], granted = true) {
  const got: Got[] = [];
  const state = { granted };
  const m: PubSubMember = { typeID, topics, granted: () => state.granted, deliver: (topic, payload, from) => got.push({ topic, payload, from }) };
  return { m, got, state };
}

function setup(subGranted = true, pubGranted = true) {
  const hub = new PubSubHub();
  const pub = member('timer', { publish: ['timer:countdown:finished'] }, pubGranted);
  const sub = member('board', { subscribe: ['timer:*:finished'] }, subGranted);
  const pubReg = hub.register(pub.m);
  const subReg = hub.register(sub.m);
  return { hub, pub, sub, pubReg, subReg };
}

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

describe('PubSubHub', () => {
  it('Publish_SubscribedDeclaredGranted_DeliveredWithTypeIdOnly', () => {
    const { pubReg, subReg, sub } = setup();
    expect(subReg.subscribe('timer:*:finished')).toEqual({ ok: true });
    expect(pubReg.publish('timer:countdown:finished', { n: 1 }, 7, 0)).toEqual({ ok: true, delivered: 1 });
    expect(sub.got).toEqual([{ topic: 'timer:countdown:finished', payload: { n: 1 }, from: { typeID: 'timer' } }]);
  });

  it('Publish_NotSubscribed_NotDelivered', () => {
    const { pubReg, sub } = setup();
    pubReg.publish('timer:countdown:finished', 1, 1, 0);
    expect(sub.got).toEqual([]);
  });

  it('Publish_TopicNotDeclaredBySender_Dropped', () => {
    const { pubReg, subReg, sub } = setup();
    subReg.subscribe('timer:*:finished');
    expect(pubReg.publish('timer:other:finished', 1, 1, 0)).toEqual({ ok: false, reason: 'topic_not_declared' });
    expect(sub.got).toEqual([]);
  });

  it('Publish_SenderNotGranted_Dropped', () => {
    const { pubReg, subReg, sub } = setup(true, false);
    subReg.subscribe('timer:*:finished');
    expect(pubReg.publish('timer:countdown:finished', 1, 1, 0)).toEqual({ ok: false, reason: 'not_granted' });
    expect(sub.got).toEqual([]);
  });

  it('Publish_ReceiverGrantRevokedAfterSubscribe_NotDelivered', () => {
    const { pubReg, subReg, sub } = setup();
    subReg.subscribe('timer:*:finished');
    sub.state.granted = false;
    expect(pubReg.publish('timer:countdown:finished', 1, 1, 0)).toEqual({ ok: true, delivered: 0 });
    expect(sub.got).toEqual([]);
  });

  it('Subscribe_NotGranted_Refused', () => {
    const { subReg } = setup(false);
    expect(subReg.subscribe('timer:*:finished')).toEqual({ ok: false, code: 'not_granted' });
  });

  it('Subscribe_OutsideDeclaredPattern_TopicNotDeclared', () => {
    const { subReg } = setup();
    expect(subReg.subscribe('timer:countdown:started')).toEqual({ ok: false, code: 'topic_not_declared' });
    expect(subReg.subscribe('*:*:finished')).toEqual({ ok: false, code: 'topic_not_declared' });
  });

  it('Subscribe_NarrowerThanDeclared_OnlyMatchingDelivered', () => {
    const { hub, pubReg, subReg, sub } = setup();
    const other = hub.register(member('x', { publish: ['timer:egg:finished'] }).m);
    subReg.subscribe('timer:countdown:finished');
    pubReg.publish('timer:countdown:finished', 1, 1, 0);
    other.publish('timer:egg:finished', 2, 1, 0);
    expect(sub.got.map((g) => g.payload)).toEqual([1]);
  });

  it('Publish_SenderDoesNotReceiveOwnEvent', () => {
    const hub = new PubSubHub();
    const both = member('echo', { publish: ['a:b:c'], subscribe: ['a:b:c'] });
    const reg = hub.register(both.m);
    reg.subscribe('a:b:c');
    reg.publish('a:b:c', 1, 1, 0);
    expect(both.got).toEqual([]);
  });

  it('Publish_MoreThan20PerSecond_RateLimited', () => {
    const { pubReg, subReg, sub } = setup();
    subReg.subscribe('timer:*:finished');
    const outcomes = Array.from({ length: 25 }, () => pubReg.publish('timer:countdown:finished', 1, 1, 0));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(20);
    expect(outcomes.at(-1)).toEqual({ ok: false, reason: 'rate_limited' });
    expect(sub.got).toHaveLength(20);
    expect(pubReg.publish('timer:countdown:finished', 1, 1, 1000).ok).toBe(true);
  });

  it('Publish_PayloadOver64KiB_TooLarge', () => {
    const { pubReg } = setup();
    expect(pubReg.publish('timer:countdown:finished', 'x', 64 * 1024 + 1, 0)).toEqual({ ok: false, reason: 'too_large' });
  });

  it('Unregister_ClosedCard_NoLongerReceives', () => {
    const { hub, pubReg, subReg, sub } = setup();
    subReg.subscribe('timer:*:finished');
    subReg.unregister();
    pubReg.publish('timer:countdown:finished', 1, 1, 0);
    expect(sub.got).toEqual([]);
    expect(hub.size).toBe(1);
  });
});

describe('PubSubHub subscription cap', () => {
  it('subscribe_MoreThanCapUnderADeclaredWildcard_RateLimited', () => {
    const hub = new PubSubHub();
    const sub = member('board', { subscribe: ['chat:*:said'] });
    const reg = hub.register(sub.m);

    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) expect(reg.subscribe(`chat:room-${i}:said`)).toEqual({ ok: true });
    const over = reg.subscribe('chat:one-more:said');
    const again = reg.subscribe('chat:room-0:said');

    expect(over).toEqual({ ok: false, code: 'rate_limited' });
    expect(again).toEqual({ ok: true });
    expect(reg.subscriptions.size).toBe(MAX_SUBSCRIPTIONS);
  });
});
