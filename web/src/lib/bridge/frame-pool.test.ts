import { describe, expect, it } from 'vitest';
import { FramePool, type FramePoolEnv } from './frame-pool';

/** Just enough of an iframe for the pool: attributes, a window identity, removal. */
class FakeFrame {
  attrs = new Map<string, string>();
  src = '';
  title = '';
  className = '';
  tabIndex = 0;
  removed = false;
  contentWindow = {};
  setAttribute(k: string, v: string) {
    this.attrs.set(k, v);
  }
  remove() {
    this.removed = true;
  }
}

function env(canMove = true) {
  const parked: FakeFrame[] = [];
  const idle: (() => void)[] = [];
  let listener: ((e: MessageEvent) => void) | null = null;
  const e: FramePoolEnv = {
    createFrame: () => new FakeFrame() as unknown as HTMLIFrameElement,
    parking: () => ({ appendChild: (f: FakeFrame) => parked.push(f) }) as unknown as HTMLElement,
    canMove: () => canMove,
    addMessageListener: (fn) => (listener = fn),
    idle: (fn) => idle.push(fn),
  };
  const post = (source: unknown, data: unknown) => listener?.({ source, data } as MessageEvent);
  return { e, parked, idle, post };
}

describe('FramePool', () => {
  it('Warm_CreatesSandboxedFrameForThatUrlOnly', () => {
    const { e, parked } = env();
    const pool = new FramePool(e);
    pool.warm('/cards/frame/a/1.0.0/x');
    expect(parked).toHaveLength(1);
    expect(parked[0]!.attrs.get('sandbox')).toBe('allow-scripts');
    expect(parked[0]!.src).toBe('/cards/frame/a/1.0.0/x');
    expect(pool.take('/cards/frame/b/1.0.0/x')).toBeNull();
  });

  it('Take_HandsAFrameOutOnce_AndSchedulesAReplacement', () => {
    const { e, idle, parked } = env();
    const pool = new FramePool(e);
    pool.warm('/f/a');
    const first = pool.take('/f/a');
    expect(first).not.toBeNull();
    expect(pool.take('/f/a')).toBeNull();
    idle.forEach((fn) => fn());
    expect(parked).toHaveLength(2);
    expect(pool.take('/f/a')!.iframe).not.toBe(first!.iframe);
  });

  it('FrameReady_FromThatFrameOnly_MarksItReady', () => {
    const { e, post } = env();
    const pool = new FramePool(e);
    pool.warm('/f/a');
    pool.warm('/f/b');
    post({}, { type: 'labyrinth:frame-ready' }); // some other window
    const a = pool.take('/f/a')!;
    expect(a.ready).toBe(false);
    const b = pool.take('/f/b')!;
    pool.warm('/f/c');
    post((b.iframe as unknown as FakeFrame).contentWindow, { type: 'labyrinth:frame-ready' });
    expect(b.ready).toBe(false); // already handed out: the pool no longer tracks it
  });

  it('FrameReady_ForParkedFrame_IsRecorded', () => {
    const { e, post, parked } = env();
    const pool = new FramePool(e);
    pool.warm('/f/a');
    post(parked[0]!.contentWindow, { type: 'labyrinth:frame-ready' });
    expect(pool.take('/f/a')!.ready).toBe(true);
  });

  it('Warm_BeyondCapacity_DiscardsTheOldest', () => {
    const { e, parked } = env();
    const pool = new FramePool(e, 2);
    pool.warm('/f/a');
    pool.warm('/f/b');
    pool.warm('/f/c');
    expect(pool.size).toBe(2);
    expect(parked[0]!.removed).toBe(true);
    expect(pool.has('/f/a')).toBe(false);
  });

  it('Warm_WithoutMoveBefore_KeepsThePoolEmpty', () => {
    const { e, parked } = env(false);
    const pool = new FramePool(e);
    pool.warm('/f/a');
    expect(parked).toHaveLength(0);
  });

  it('Warm_ForeignOrProtocolRelativeUrl_IsRefused', () => {
    const { e, parked } = env();
    const pool = new FramePool(e);
    pool.warm('https://evil.example/frame');
    pool.warm('//evil.example/frame');
    expect(parked).toHaveLength(0);
  });

  it('EvictWhere_RemovesMatchingFrames', () => {
    const { e, parked } = env();
    const pool = new FramePool(e);
    pool.warm('/f/a');
    pool.warm('/f/b');
    pool.evictWhere((u) => u === '/f/a');
    expect(pool.has('/f/a')).toBe(false);
    expect(pool.has('/f/b')).toBe(true);
    expect(parked[0]!.removed).toBe(true);
  });
});
