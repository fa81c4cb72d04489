import { describe, expect, it } from 'vitest';
import { FramePool, type FramePoolEnv } from './frame-pool';
import { fakeFrame, hostileMessage, type FakeFrame } from './test-harness';

const A = 'http://aaaaaaaaaaaaaaaaaaaa.cards.localhost:5080';
const B = 'http://bbbbbbbbbbbbbbbbbbbb.cards.localhost:5080';
const frameOf = (origin: string, id: string) => `${origin}/cap/tok_en-1/cards/frame/${id}/1.0.0/x`;

function env(canMove = true) {
  const parked: FakeFrame[] = [];
  const idle: (() => void)[] = [];
  const listeners = new Set<(e: MessageEvent) => void>();
  const e: FramePoolEnv = {
    createFrame: () => fakeFrame() as unknown as HTMLIFrameElement,
    parking: () => ({ appendChild: (f: FakeFrame) => parked.push(f) }) as unknown as HTMLElement,
    canMove: () => canMove,
    addMessageListener: (fn) => listeners.add(fn),
    removeMessageListener: (fn) => listeners.delete(fn),
    idle: (fn) => idle.push(fn),
  };
  const reads = { dataReads: 0 };
  const post = (source: unknown, ports: MessagePort[] = []) => {
    for (const fn of [...listeners]) fn(hostileMessage(source, ports, reads));
  };
  return { e, parked, idle, post, reads, listeners };
}

describe('FramePool', () => {
  it('Warm_CreatesSandboxedFrameForThatUrlOnly', () => {
    const { e, parked } = env();
    const pool = new FramePool(e);
    pool.warm(frameOf(A, 'a'), A);
    expect(parked).toHaveLength(1);
    expect(parked[0]!.attrs.sandbox).toBe('allow-scripts');
    expect(parked[0]!.src).toBe(frameOf(A, 'a'));
    expect(pool.take(frameOf(B, 'b'), B)).toBeNull();
  });

  it('Take_HandsAFrameOutOnce_AndSchedulesAReplacement', () => {
    const { e, idle, parked } = env();
    const pool = new FramePool(e);
    pool.warm(frameOf(A, 'a'), A);
    const first = pool.take(frameOf(A, 'a'), A);
    expect(first).not.toBeNull();
    expect(pool.take(frameOf(A, 'a'), A)).toBeNull();
    idle.forEach((fn) => fn());
    expect(parked).toHaveLength(2);
    expect(pool.take(frameOf(A, 'a'), A)!.iframe).not.toBe(first!.iframe);
  });

  it('Hello_FromParkedFrameOnly_PortKeptWithoutReadingData', () => {
    const { e, post, parked, reads } = env();
    const pool = new FramePool(e);
    pool.warm(frameOf(A, 'a'), A);
    const stranger = new MessageChannel();
    post({}, [stranger.port2]); // some other window
    const own = new MessageChannel();
    post(parked[0]!.contentWindow, [own.port2]);
    const taken = pool.take(frameOf(A, 'a'), A)!;
    expect(taken.watch.port).toBe(own.port2);
    expect(reads.dataReads).toBe(0);
    for (const c of [stranger, own]) c.port1.close();
  });

  it('HtmlEntry_NeverPooled', () => {
    // An HTML entry's own scripts run as soon as it loads: it must load only when its card opens.
    const { e, parked } = env();
    const pool = new FramePool(e);
    pool.warm(`${A}/cap/tok_en-1/plugins/a/1.0.0/cards/card.html`, A);
    expect(parked).toHaveLength(0);
  });

  it('PooledFrameThatNavigates_Discarded', () => {
    const { e, parked } = env();
    const pool = new FramePool(e);
    pool.warm(frameOf(A, 'a'), A);
    parked[0]!.load();
    parked[0]!.load(); // a second document
    expect(parked[0]!.removed).toBe(true);
    expect(pool.has(frameOf(A, 'a'))).toBe(false);
  });

  it('Warm_BeyondCapacity_DiscardsTheOldest', () => {
    const { e, parked, listeners } = env();
    const pool = new FramePool(e, 2);
    pool.warm(frameOf(A, 'a'), A);
    pool.warm(frameOf(A, 'b'), A);
    pool.warm(frameOf(A, 'c'), A);
    expect(pool.size).toBe(2);
    expect(parked[0]!.removed).toBe(true);
    expect(pool.has(frameOf(A, 'a'))).toBe(false);
    expect(listeners.size).toBe(2); // the discarded frame's listener is gone
  });

  it('Warm_WithoutMoveBefore_KeepsThePoolEmpty', () => {
    const { e, parked } = env(false);
    const pool = new FramePool(e);
    pool.warm(frameOf(A, 'a'), A);
    expect(parked).toHaveLength(0);
  });

  it('Warm_UrlOffItsPublishedCardOrigin_IsRefused', () => {
    const { e, parked } = env();
    const pool = new FramePool(e);
    pool.warm('https://evil.example/cards/frame/a/1.0.0/x', A);
    pool.warm('//evil.example/frame', A);
    pool.warm('/cap/tok_en-1/cards/frame/a/1.0.0/x', A); // same-origin path: the host origin never serves frames
    pool.warm(frameOf(B, 'a'), A); // another plugin version's origin
    expect(parked).toHaveLength(0);
  });

  it('EvictWhere_RemovesMatchingFrames', () => {
    const { e, parked } = env();
    const pool = new FramePool(e);
    pool.warm(frameOf(A, 'a'), A);
    pool.warm(frameOf(B, 'b'), B);
    pool.evictWhere((u) => u === frameOf(A, 'a'));
    expect(pool.has(frameOf(A, 'a'))).toBe(false);
    expect(pool.has(frameOf(B, 'b'))).toBe(true);
    expect(parked[0]!.removed).toBe(true);
  });

  it('Warm_BeyondTheOriginBudget_DiscardsOldestUntilAnOriginIsFree', () => {
    // Each origin is a process: the budget caps processes, not only frames.
    const C = 'http://cccccccccccccccccccc.cards.localhost:5080';
    const { e } = env();
    const pool = new FramePool(e, { maxFrames: 6, maxOrigins: 2 });
    pool.warm(frameOf(A, 'a1'), A);
    pool.warm(frameOf(A, 'a2'), A);
    pool.warm(frameOf(B, 'b'), B);
    pool.warm(frameOf(A, 'a3'), A); // same origin: shares its process, fits
    expect(pool.size).toBe(4);
    pool.warm(frameOf(C, 'c'), C);
    // Oldest first until only one origin is left beside C: a1, a2 (A stays through a3), then b.
    expect([frameOf(A, 'a1'), frameOf(A, 'a2'), frameOf(B, 'b'), frameOf(A, 'a3'), frameOf(C, 'c')].map((u) => pool.has(u))).toEqual([false, false, false, true, true]);
  });

  it('WarmOnlyIfRoom_PoolFull_KeepsTheFramesItHas', () => {
    const { e, parked } = env();
    const pool = new FramePool(e, { maxFrames: 2, maxOrigins: 2 });
    pool.warm(frameOf(A, 'a'), A);
    pool.warm(frameOf(B, 'b'), B);
    pool.warm(frameOf(A, 'c'), A, true);
    expect(parked).toHaveLength(2);
    expect(pool.has(frameOf(A, 'a'))).toBe(true);
    expect(pool.has(frameOf(B, 'b'))).toBe(true);
  });
});
