import { describe, expect, it, vi } from 'vitest';
import type { BoardStore } from '../boards/board-store.svelte';

vi.mock('../toast/toast.svelte', () => ({ toasts: { show: vi.fn() } }));

const { CardDeck, SNAPSHOT_WAIT_MS } = await import('./card-deck.svelte');

function deckWithOpenCard() {
  const win = { id: 'w', kind: 'plugin', open: true, title: 'Math' };
  const store = {
    windows: { get: () => win, setOpen: (_: string, open: boolean) => void (win.open = open), focus: vi.fn(), windows: [win] },
    flushPayload: async () => {},
  } as unknown as BoardStore;
  return new CardDeck(store);
}

describe('CardDeck.snapshotSettled', () => {
  it('resolves at once when no snapshot is being saved', async () => {
    await expect(deckWithOpenCard().snapshotSettled('w')).resolves.toBeUndefined();
  });

  it('waits for a save that outlives the close (the card closed, the PUT still running)', async () => {
    vi.useFakeTimers();
    try {
      const deck = deckWithOpenCard();
      let stored!: () => void;
      deck.live.set('w', { closeLive: () => new Promise<void>((r) => (stored = r)) });
      const closing = deck.close('w');
      await vi.advanceTimersByTimeAsync(SNAPSHOT_WAIT_MS + 600);
      await closing;

      let settled = false;
      void deck.snapshotSettled('w').then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);

      stored();
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
