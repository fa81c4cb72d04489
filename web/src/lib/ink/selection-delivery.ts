import type { CardBridge } from '../bridge/card-bridge';
import { inkApi } from './api';
import { snapshotOf } from './convert';
import type { SelectionSnapshot } from './types';

/** The part of a card bridge delivery needs. */
export type SelectionTarget = Pick<CardBridge, 'pushSelection' | 'status'> & { view: { loads: number } };

/**
 * Gets a shared selection into its card: at once when the card is running, else when it next
 * becomes ready (a new card is still loading when its share is stored), and again after every
 * (re)load of the frame, since a fresh frame knows nothing. Also tells the card when the share is
 * revoked. The board page owns one; nothing here reads the board.
 */
export class SelectionDelivery {
  readonly #pending = new Map<string, SelectionSnapshot>();
  /** Selection id each card holds, as far as this page knows. */
  readonly #held = new Map<string, string>();
  /** `${windowId}:${load}` already served, so one frame load gets one push. */
  readonly #served = new Set<string>();

  constructor(
    private readonly boardId: () => string | null,
    private readonly fetchSelection: typeof inkApi.selection = inkApi.selection,
  ) {}

  /** A share was just stored for `windowId`: push it now or when the card is ready. */
  deliver(windowId: string, snapshot: SelectionSnapshot, target: SelectionTarget | undefined): void {
    this.#held.set(windowId, snapshot.id);
    if (target && target.status === 'ready' && target.pushSelection({ selection: snapshot })) {
      this.#served.add(`${windowId}:${target.view.loads}`);
      return;
    }
    this.#pending.set(windowId, snapshot);
  }

  /**
   * A card's frame is ready (call on every status change): push its pending or stored selection
   * once per load. `stored` says whether the server lists one for it (its permissions).
   */
  async ready(windowId: string, target: SelectionTarget, stored: boolean): Promise<void> {
    const key = `${windowId}:${target.view.loads}`;
    if (target.status !== 'ready' || this.#served.has(key)) return;
    this.#served.add(key);
    const pending = this.#pending.get(windowId);
    if (pending) {
      if (target.pushSelection({ selection: pending })) this.#pending.delete(windowId);
      return;
    }
    if (!stored && !this.#held.has(windowId)) return;
    const boardId = this.boardId();
    if (!boardId) return;
    const content = await this.fetchSelection(boardId, windowId).catch(() => null);
    if (!content) return;
    this.#held.set(windowId, content.id);
    target.pushSelection({ selection: snapshotOf(content) });
  }

  /** The person revoked the card's selection: tell the card, forget any pending push. */
  revoked(windowId: string, target: SelectionTarget | undefined, id?: string): void {
    const held = id ?? this.#held.get(windowId) ?? this.#pending.get(windowId)?.id;
    this.#pending.delete(windowId);
    this.#held.delete(windowId);
    if (held) target?.pushSelection({ revoked: held });
  }

  forget(windowId: string): void {
    this.#pending.delete(windowId);
    this.#held.delete(windowId);
  }
}
