import { describe, expect, it, vi } from 'vitest';
import { PubSubHub } from '../bridge/pubsub';
import { ConsentingHub } from './consent-hub';

const member = (granted: () => boolean, deliver = vi.fn()) => ({
  typeID: 't',
  topics: { publish: ['demo:tick:fired'], subscribe: ['demo:tick:*'] },
  granted,
  deliver,
});

describe('ConsentingHub', () => {
  it('subscribe_WithoutGrant_RefusesAndAsks', () => {
    const ask = vi.fn();
    const reg = new ConsentingHub(new PubSubHub(), ask).register(member(() => false));
    expect(reg.subscribe('demo:tick:fired')).toEqual({ ok: false, code: 'not_granted' });
    expect(ask).toHaveBeenCalledTimes(1);
  });

  it('subscribe_UndeclaredTopic_RefusesWithoutAsking', () => {
    const ask = vi.fn();
    const reg = new ConsentingHub(new PubSubHub(), ask).register(member(() => false));
    expect(reg.subscribe('other:thing:x').ok).toBe(false);
    expect(ask).not.toHaveBeenCalled();
  });

  it('publish_BothGrantedThroughTwoViews_DeliversThroughTheSharedHub', () => {
    const shared = new PubSubHub();
    const deliver = vi.fn();
    const a = new ConsentingHub(shared, vi.fn()).register(member(() => true));
    const b = new ConsentingHub(shared, vi.fn()).register(member(() => true, deliver));
    b.subscribe('demo:tick:*');
    expect(a.publish('demo:tick:fired', { n: 1 }, 7, 0)).toEqual({ ok: true, delivered: 1 });
    expect(deliver).toHaveBeenCalledWith('demo:tick:fired', { n: 1 }, { typeID: 't' });
  });
});
