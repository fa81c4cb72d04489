// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMockHost } from '../../../sdk/src/mock-host.ts';
import { mountPlugin as broken } from '../src/broken.ts';
import { mountPlugin as spin } from '../src/spin.ts';

afterEach(() => { vi.useRealTimers(); });

describe('probe test cards', () => {
  it('Broken_Mount_ThrowsOnPurpose', () => {
    const host = createMockHost();
    expect(() => host.mount(broken, document.createElement('div'))).toThrow('boom on purpose');
  });

  it('Spin_Mount_RendersThenDestroyCancelsTheHang', () => {
    vi.useFakeTimers();
    const target = document.createElement('div');
    const mounted = createMockHost().mount(spin, target);
    expect(target.textContent).toBe('spinning');
    mounted.destroy(); // the 200 ms hang never starts
    expect(vi.getTimerCount()).toBe(0);
  });
});
