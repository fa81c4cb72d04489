import { ApiError } from '../api/client';
import { adminApi, groupsApi } from '../api/endpoints';
import type { GroupDto, UserDto } from '../api/types';
import { toastError, toasts } from '../toast/toast.svelte';

/** The groups page: groups, their members, and the people who could join them. */
export class GroupsState {
  groups = $state<GroupDto[]>([]);
  users = $state<UserDto[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  busy = $state(false);

  async load(): Promise<void> {
    try {
      [this.groups, this.users] = await Promise.all([groupsApi.list(), adminApi.users()]);
      this.loadError = null;
    } catch (e) {
      this.loadError = `Could not load groups: ${e instanceof ApiError ? e.describe() : 'unexpected error.'}`;
    } finally {
      this.loaded = true;
    }
  }

  /** People not yet in the group, for its "Add" picker. */
  candidates(g: GroupDto): UserDto[] {
    const inside = new Set(g.members.map((m) => m.userId));
    return this.users.filter((u) => !inside.has(u.id));
  }

  async create(name: string): Promise<boolean> {
    return this.#run(async () => {
      const g = await groupsApi.create(name.trim());
      toasts.show(`Created the group ${g.name}.`, 'success');
    });
  }

  remove(g: GroupDto): Promise<boolean> {
    return this.#run(async () => {
      await groupsApi.remove(g.id);
      toasts.show(`Deleted the group ${g.name}.`, 'success');
    });
  }

  addMember(g: GroupDto, userId: string): Promise<boolean> {
    return this.#run(() => groupsApi.addMember(g.id, userId).then(() => {}));
  }

  removeMember(g: GroupDto, userId: string): Promise<boolean> {
    return this.#run(() => groupsApi.removeMember(g.id, userId).then(() => {}));
  }

  async #run(call: () => Promise<void>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      await call();
      await this.load();
      return true;
    } catch (e) {
      toastError(e, 'The change failed.');
      return false;
    } finally {
      this.busy = false;
    }
  }
}
