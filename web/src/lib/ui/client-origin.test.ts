import { describe, expect, it } from 'vitest';
import { ClientOrigin, TrackedOrigin, type OriginEnvironment } from './client-origin';

/** An element whose position the test moves, counting the layout reads. */
function fakeElement() {
  const at = { left: 10, top: 20, reads: 0 };
  const el = {
    getBoundingClientRect: () => {
      at.reads++;
      return { left: at.left, top: at.top } as DOMRect;
    },
  } as unknown as Element;
  return { el, at };
}

/** Listeners kept by hand: `fire('resize')` is the window resizing, `fire('observed')` the element. */
function fakeEnvironment() {
  const listeners = new Map<string, Set<() => void>>();
  const add = (key: string, fn: () => void) => {
    const set = listeners.get(key) ?? new Set();
    set.add(fn);
    listeners.set(key, set);
    return () => void set.delete(fn);
  };
  const env: OriginEnvironment = {
    observeResize: (_el, changed) => add('observed', changed),
    listen: (type, changed) => add(type, changed),
  };
  const fire = (key: string) => listeners.get(key)?.forEach((fn) => fn());
  const count = () => [...listeners.values()].reduce((n, s) => n + s.size, 0);
  return { env, fire, count };
}

describe('ClientOrigin', () => {
  it('ClientOrigin_ReadManyTimesWithoutChange_MeasuresOnce', () => {
    const { el, at } = fakeElement();
    const origin = new ClientOrigin(el, fakeEnvironment().env);
    for (let i = 0; i < 100; i++) expect(origin.get()).toEqual({ left: 10, top: 20 });
    expect(at.reads).toBe(1);
  });

  it.each(['resize', 'scroll', 'observed'])('ClientOrigin_After%s_MeasuresTheNewPosition', (event) => {
    const { el, at } = fakeElement();
    const { env, fire } = fakeEnvironment();
    const origin = new ClientOrigin(el, env);
    origin.get();
    at.left = 300;
    at.top = 5;
    fire(event);
    expect(origin.get()).toEqual({ left: 300, top: 5 });
    origin.get();
    expect(at.reads).toBe(2);
  });

  it('ClientOrigin_Forget_MeasuresAgainAtTheNextRead', () => {
    const { el, at } = fakeElement();
    const origin = new ClientOrigin(el, fakeEnvironment().env);
    origin.get();
    at.left = 42;
    origin.forget();
    expect(origin.get().left).toBe(42);
  });

  it('ClientOrigin_Dispose_RemovesEveryListener', () => {
    const { el } = fakeElement();
    const { env, count } = fakeEnvironment();
    const origin = new ClientOrigin(el, env);
    expect(count()).toBe(3);
    origin.dispose();
    expect(count()).toBe(0);
  });
});

describe('TrackedOrigin', () => {
  it('TrackedOrigin_NothingAttached_IsNull', () => {
    expect(new TrackedOrigin(fakeEnvironment().env).get()).toBeNull();
  });

  it('TrackedOrigin_Attached_MeasuresThatElementOnceUntilItChanges', () => {
    const { el, at } = fakeElement();
    const { env, fire } = fakeEnvironment();
    const origin = new TrackedOrigin(env);
    origin.attach(el);
    expect(origin.get()).toEqual({ left: 10, top: 20 });
    origin.get();
    expect(at.reads).toBe(1);
    at.left = 7;
    fire('scroll');
    expect(origin.get()).toEqual({ left: 7, top: 20 });
  });

  it('TrackedOrigin_Detached_IsNullAndListensToNothing', () => {
    const { el } = fakeElement();
    const { env, count } = fakeEnvironment();
    const origin = new TrackedOrigin(env);
    const detach = origin.attach(el);
    detach?.();
    expect(origin.get()).toBeNull();
    expect(count()).toBe(0);
  });

  it('TrackedOrigin_NewElementAttachedBeforeTheOldDetaches_KeepsTheNewOne', () => {
    const first = fakeElement();
    const second = fakeElement();
    second.at.left = 99;
    const { env, count } = fakeEnvironment();
    const origin = new TrackedOrigin(env);
    const detachFirst = origin.attach(first.el);
    origin.attach(second.el);
    detachFirst?.();
    expect(origin.get()).toEqual({ left: 99, top: 20 });
    expect(count()).toBe(3);
  });
});
