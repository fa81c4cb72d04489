import { ApiError } from '../api/client';
import { cardsApi } from '../api/endpoints';
import type { CardPermissionsDto } from '../api/types';
import { inkApi } from '../ink/api';
import { toastError } from '../toast/toast.svelte';

/**
 * One card's Permissions panel (CSC §11). Every change goes to the server first; the fresh
 * answer then goes to `onChanged` so the live card learns at once (pending requests fail,
 * subscriptions drop) — revocation is immediate, not at the next reload.
 */
export class CardPermissionsState {
  data = $state<CardPermissionsDto | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);

  readonly boardId: string;
  readonly windowId: string;
  readonly #onChanged: (p: CardPermissionsDto, before: CardPermissionsDto | null) => void;
  readonly #hooks: UpgradeHooks;

  constructor(boardId: string, windowId: string, onChanged: (p: CardPermissionsDto, before: CardPermissionsDto | null) => void, hooks: UpgradeHooks = {}) {
    this.boardId = boardId;
    this.windowId = windowId;
    this.#onChanged = onChanged;
    this.#hooks = hooks;
  }

  async load(): Promise<void> {
    try {
      this.data = await cardsApi.permissions(this.boardId, this.windowId);
      this.error = null;
    } catch (e) {
      this.error = e instanceof ApiError ? e.detail : 'Could not load the card’s permissions.';
    }
  }

  async #change(fn: () => Promise<unknown>, fallback: string): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    // What the panel showed before the change: a closed card has no live services to ask.
    const before = this.data;
    try {
      await fn();
    } catch (e) {
      toastError(e, fallback);
    } finally {
      await this.load();
      this.busy = false;
      if (this.data) this.#onChanged(this.data, before);
    }
  }

  allow(capability: string): Promise<void> {
    return this.#change(() => cardsApi.grant(this.boardId, this.windowId, capability), 'Could not grant that.');
  }

  revoke(capability: string): Promise<void> {
    return this.#change(() => cardsApi.revoke(this.boardId, this.windowId, capability), 'Could not revoke that.');
  }

  revokeAsset(grantId: string): Promise<void> {
    return this.#change(() => cardsApi.revokeAsset(this.boardId, this.windowId, grantId), 'Could not revoke the asset.');
  }

  /** Deletes the ink selection the card holds; the board then tells the card (`selectionRevoked`). */
  revokeSelection(): Promise<void> {
    return this.#change(async () => {
      await this.#hooks.beforeRevokingSelection?.();
      await inkApi.revokeSelection(this.boardId, this.windowId);
    }, 'Could not revoke the shared selection.');
  }

  revokeAll(): Promise<void> {
    return this.#change(async () => {
      await this.#hooks.beforeRevokingSelection?.();
      await cardsApi.revokeAll(this.boardId, this.windowId);
    }, 'Could not revoke the card’s access.');
  }

  /**
   * "Update" / "Update and allow" on the banner: moves the card to the offered version (granting
   * what it wants more when `allow`), then lets the board reload so the frame re-mounts on it.
   */
  async update(allow: boolean): Promise<void> {
    const version = this.data?.upgrade?.version;
    if (!version || this.busy) return;
    let moved = false;
    await this.#change(async () => {
      // Pending layout edits first: the update bumps the board version, and the reload after it
      // would otherwise drop them.
      await this.#hooks.beforeUpgrade?.();
      await cardsApi.upgrade(this.boardId, this.windowId, version, allow);
      moved = true;
    }, 'Could not update the card.');
    if (moved) await this.#hooks.upgraded?.();
  }
}

/**
 * What the board does around the panel's changes: flush its layout before an update and reload
 * its document after; let a closing card's snapshot land before its shared selection is revoked.
 */
export interface UpgradeHooks {
  beforeUpgrade?: () => Promise<void>;
  upgraded?: () => Promise<void>;
  beforeRevokingSelection?: () => Promise<void>;
}
