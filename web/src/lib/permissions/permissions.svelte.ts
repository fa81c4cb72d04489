import { ApiError } from '../api/client';
import { cardsApi } from '../api/endpoints';
import type { CardPermissionsDto } from '../api/types';
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
  readonly #onChanged: (p: CardPermissionsDto) => void;

  constructor(boardId: string, windowId: string, onChanged: (p: CardPermissionsDto) => void) {
    this.boardId = boardId;
    this.windowId = windowId;
    this.#onChanged = onChanged;
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
    try {
      await fn();
    } catch (e) {
      toastError(e, fallback);
    } finally {
      await this.load();
      this.busy = false;
      if (this.data) this.#onChanged(this.data);
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

  revokeAll(): Promise<void> {
    return this.#change(() => cardsApi.revokeAll(this.boardId, this.windowId), 'Could not revoke the card’s access.');
  }

  /** "Allow" on the wants-more banner: grants every capability the new version asks for. */
  async allowMore(): Promise<void> {
    const more = [...(this.data?.wantsMore ?? [])];
    await this.#change(async () => {
      for (const c of more) await cardsApi.grant(this.boardId, this.windowId, c);
    }, 'Could not grant that.');
  }
}
