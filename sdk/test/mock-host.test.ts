import { describe, expect, it, vi } from 'vitest';
import { createMockHost } from '../src/mock-host.ts';
import { debounce, defineCard, themeVar } from '../src/index.ts';
import type { CardContext, JsonObject, MountPlugin } from '../src/types.ts';

/** A DOM-free card: "renders" into a plain object. */
function fakeTarget() {
  return { text: '' } as unknown as HTMLElement & { text: string };
}

describe('createMockHost', () => {
  it('MockHost_Defaults_GiveAUsableContext', () => {
    const host = createMockHost();
    expect(host.card.props).toEqual({});
    expect(host.card.payload).toBeNull();
    expect(host.card.active).toBe(true);
    expect(host.card.bounds).toEqual({ width: 320, height: 240 });
    expect(host.card.card.typeID).toBe('card');
  });

  it('SetPayload_RecordsPayloadAndUpdatesContext', () => {
    const host = createMockHost({ payload: { count: 1 } });
    host.card.setPayload({ count: 2 });
    expect(host.payloads).toEqual([{ count: 2 }]);
    expect(host.card.payload).toEqual({ count: 2 });
    expect(host.messages).toEqual([{ type: 'setPayload', payload: { count: 2 } }]);
  });

  it('SetPayload_UnderLimitInCharactersOverInUtf8Bytes_Throws', () => {
    const host = createMockHost();
    // 600,000 characters, 1,200,002 bytes of JSON: over 1 MiB only when counted as the host counts.
    expect(() => host.card.setPayload('é'.repeat(600_000))).toThrow(/1200002 bytes/);
    expect(host.payloads).toEqual([]);
  });

  it('SetPayload_HostRaisedTheLimit_LargerStateIsSent', () => {
    const host = createMockHost({ limits: { maxMessageBytes: 262144, maxPayloadBytes: 2 * 1024 * 1024, maxPublishBytes: 65536, maxSnapshotBytes: 204800 } });
    host.card.setPayload('x'.repeat(1536 * 1024));
    expect(host.payloads).toHaveLength(1);
  });

  it('SetPayload_NotJsonOrTooLarge_Throws', () => {
    const host = createMockHost();
    expect(() => host.card.setPayload(undefined as never)).toThrow(TypeError);
    expect(() => host.card.setPayload('x'.repeat(1024 * 1024 + 1))).toThrow(/limit is 1048576/);
    expect(host.payloads).toEqual([]);
  });

  it('InteractionAndRequestSize_AreRecorded', () => {
    const host = createMockHost();
    host.card.interaction('click', { id: 'a' });
    host.card.interaction('plain');
    host.card.requestSize(400, 300);
    expect(host.interactions).toEqual([{ name: 'click', detail: { id: 'a' } }, { name: 'plain' }]);
    expect(host.sizeRequests).toEqual([{ width: 400, height: 300 }]);
    expect(host.messages.map((m) => m.type)).toEqual(['interactionEvent', 'interactionEvent', 'sizePreferenceChanged']);
  });

  it('Listeners_FireOnChange_AndUnsubscribe', () => {
    const host = createMockHost({ active: false });
    const active = vi.fn(); const bounds = vi.fn(); const theme = vi.fn(); const props = vi.fn();
    const offActive = host.card.onActive(active);
    host.card.onBounds(bounds); host.card.onThemeChanged(theme); host.card.onPropsChanged(props);
    host.setActive(true);
    host.setActive(true); // no change, no call
    host.setBounds({ width: 10, height: 20 });
    host.setTheme({ text: '#000' });
    host.setProps({ name: 'x' });
    offActive();
    host.setActive(false);
    expect(active.mock.calls).toEqual([[true]]);
    expect(bounds).toHaveBeenCalledWith({ width: 10, height: 20 });
    expect(theme).toHaveBeenCalledWith({ text: '#000' });
    expect(props).toHaveBeenCalledWith({ name: 'x' });
    expect(host.card.theme).toEqual({ text: '#000' });
    expect(host.card.active).toBe(false);
  });

  it('Mount_WithUpdate_UpdatesInPlace', () => {
    const mounts: number[] = [];
    const card: MountPlugin = (target, props) => {
      const t = target as unknown as { text: string };
      mounts.push(1);
      t.text = String(props.name);
      return { update: (p: JsonObject) => { t.text = String(p.name); }, destroy: () => { t.text = ''; } };
    };
    const host = createMockHost({ props: { name: 'a' } });
    const target = fakeTarget();
    const mounted = host.mount(card, target);
    host.setProps({ name: 'b' });
    expect(target.text).toBe('b');
    expect(mounts).toHaveLength(1);
    expect(mounted.inPlace).toBe(true);
    mounted.destroy();
    expect(target.text).toBe('');
  });

  it('Mount_WithoutUpdate_RemountsOnPropsChange', () => {
    const events: string[] = [];
    const card: MountPlugin = (_t, props) => { events.push(`mount ${String(props.n)}`); return () => events.push('destroy'); };
    const host = createMockHost({ props: { n: 1 } });
    const mounted = host.mount(card, fakeTarget());
    host.setProps({ n: 2 });
    expect(events).toEqual(['mount 1', 'destroy', 'mount 2']);
    expect(mounted.inPlace).toBe(false);
  });

  it('Context_IsFrozen_AndIdentityIsStable', () => {
    const host = createMockHost({ card: { typeID: 'hello', pluginId: 'dev.labyrinth.hello' } });
    const ctx: CardContext = host.card;
    expect(Object.isFrozen(ctx)).toBe(true);
    expect(ctx.card).toMatchObject({ typeID: 'hello', pluginId: 'dev.labyrinth.hello' });
  });
});

describe('helpers', () => {
  it('ThemeVar_WithAndWithoutFallback', () => {
    expect(themeVar('text')).toBe('var(--lab-text)');
    expect(themeVar('text', '#111')).toBe('var(--lab-text, #111)');
  });

  it('DefineCard_ReturnsTheSameFunction', () => {
    const fn: MountPlugin = () => undefined;
    expect(defineCard(fn)).toBe(fn);
  });

  it('Debounce_CallsOnceWithLastArgs_AndFlushRunsNow', () => {
    vi.useFakeTimers();
    try {
      const fn = vi.fn();
      const d = debounce(fn, 300);
      d(1); d(2); d(3);
      vi.advanceTimersByTime(299);
      expect(fn).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(fn.mock.calls).toEqual([[3]]);
      d(4); d.flush();
      expect(fn.mock.calls).toEqual([[3], [4]]);
      d.flush();
      expect(fn).toHaveBeenCalledTimes(2);
    } finally { vi.useRealTimers(); }
  });
});
