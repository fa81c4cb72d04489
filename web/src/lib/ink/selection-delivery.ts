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
 * revoked, also when it was closed or loading then (at its next ready, before anything else). The
 * board page owns one; nothing here reads the board.
 */
export class SelectionDelivery {
  readonly #pending = new Map<string, SelectionSnapshot>();
  /** Selection id each card holds, as far as this page knows. */
  readonly #held = new Map<string, string>();
  /**
   * The load each bridge was last served at, so one frame load gets one push. Kept per bridge, not
   * per window: a card closed and opened again has a new bridge whose loads count from 1 again.
   */
  readonly #served = new WeakMap<SelectionTarget, number>();
  /** Revokes a card has not heard yet (it was closed or loading): selection id per window. */
  readonly #revokes = new Map<string, string>();
  /** Bumped by every revoke, so a stored share fetched before it is never pushed after it. */
  readonly #generation = new Map<string, number>();

  constructor(
    private readonly boardId: () => string | null,
    private readonly fetchSelection: typeof inkApi.selection = inkApi.selection,
  ) {}

  /** A share was just stored for `windowId`: push it now or when the card is ready. */
  deliver(windowId: string, snapshot: SelectionSnapshot, target: SelectionTarget | undefined): void {
    this.#held.set(windowId, snapshot.id);
    this.#revokes.delete(windowId);
    if (target && target.status === 'ready' && target.pushSelection({ selection: snapshot })) {
      this.#served.set(target, target.view.loads);
      return;
    }
    this.#pending.set(windowId, snapshot);
  }

  /**
   * A card's frame is ready (call on every status change): push its pending or stored selection
   * once per load. `stored` says whether the server lists one for it (its permissions).
   */
  async ready(windowId: string, target: SelectionTarget, stored: boolean): Promise<void> {
    if (target.status !== 'ready' || this.#served.get(target) === target.view.loads) return;
    this.#served.set(target, target.view.loads);
    const pending = this.#pending.get(windowId);
    if (pending) {
      if (target.pushSelection({ selection: pending })) this.#pending.delete(windowId);
      return;
    }
    const revoke = this.#revokes.get(windowId);
    if (revoke) {
      if (target.pushSelection({ revoked: revoke })) this.#revokes.delete(windowId);
      return;
    }
    if (!stored && !this.#held.has(windowId)) return;
    const boardId = this.boardId();
    if (!boardId) return;
    const generation = this.#generation.get(windowId) ?? 0;
    const content = await this.fetchSelection(boardId, windowId).catch(() => null);
    if (!content || (this.#generation.get(windowId) ?? 0) !== generation || target.status !== 'ready') return;
    this.#held.set(windowId, content.id);
    target.pushSelection({ selection: snapshotOf(content) });
  }

  /**
   * The person revoked the card's selection: tell the card now, or at its next ready when it is
   * closed or loading (it may have kept a preview in its payload); forget any pending push.
   */
  revoked(windowId: string, target: SelectionTarget | undefined, id?: string): void {
    const held = id ?? this.#held.get(windowId) ?? this.#pending.get(windowId)?.id;
    this.#pending.delete(windowId);
    this.#held.delete(windowId);
    this.#generation.set(windowId, (this.#generation.get(windowId) ?? 0) + 1);
    if (!held) return;
    if (target?.status === 'ready' && target.pushSelection({ revoked: held })) this.#revokes.delete(windowId);
    else this.#revokes.set(windowId, held);
  }

  forget(windowId: string): void {
    this.#pending.delete(windowId);
    this.#held.delete(windowId);
    this.#revokes.delete(windowId);
    this.#generation.delete(windowId);
  }
}
