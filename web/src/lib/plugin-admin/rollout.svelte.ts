import { ApiError } from '../api/client';
import { groupsApi, rolloutApi } from '../api/endpoints';
import type { GroupDto, PluginRolloutDto, RateBreachDto } from '../api/types';
import { toastError, toasts } from '../toast/toast.svelte';

const RATE_NAMES: Record<RateBreachDto['rate'], string> = {
  mountFailures: 'mount failures',
  cardErrors: 'card errors',
  bridgeViolations: 'bridge violations',
};

/** "mount failures 1000 per 1,000 opens against 0 (margin 50)". */
export function describeBreach(b: RateBreachDto): string {
  return `${RATE_NAMES[b.rate]} ${b.candidatePerThousand} per 1,000 opens against ${b.previousPerThousand} (margin ${b.marginPerThousand})`;
}

/** One plugin's availability and rollout, on its admin row. */
export class RolloutState {
  data = $state<PluginRolloutDto | null>(null);
  groups = $state<GroupDto[]>([]);
  loadError = $state<string | null>(null);
  busy = $state(false);
  readonly pluginId: string;
  readonly #onChange: () => void;

  constructor(pluginId: string, onChange: () => void = () => {}) {
    this.pluginId = pluginId;
    this.#onChange = onChange;
  }

  async load(): Promise<void> {
    try {
      [this.data, this.groups] = await Promise.all([rolloutApi.get(this.pluginId), groupsApi.list()]);
      this.loadError = null;
    } catch (e) {
      this.loadError = `Could not load the rollout: ${e instanceof ApiError ? e.describe() : 'unexpected error.'}`;
    }
  }

  setAvailability(groups: string[] | null): Promise<void> {
    return this.#run(async () => {
      await rolloutApi.setAvailability(this.pluginId, groups);
      toasts.show(groups ? `Limited to ${groups.length} group${groups.length === 1 ? '' : 's'}.` : 'Available to everyone.', 'success');
    });
  }

  start(version: string, audience: { groups: string[] } | { percent: number }, minOpens: number | null): Promise<void> {
    return this.#run(async () => {
      await rolloutApi.start(this.pluginId, { version, ...audience, ...(minOpens ? { minOpens } : {}) });
      toasts.show(`Rolling out ${version}.`, 'success');
    });
  }

  promote(): Promise<void> {
    return this.#run(async () => {
      const r = await rolloutApi.promote(this.pluginId);
      toasts.show(`Everyone is on ${r.activeVersion} now.`, 'success');
    });
  }

  rollBack(): Promise<void> {
    return this.#run(async () => {
      const r = await rolloutApi.rollBack(this.pluginId);
      toasts.show(`Everyone is back on ${r.activeVersion}.`, 'success');
    });
  }

  async #run(call: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await call();
      await this.load();
      this.#onChange();
    } catch (e) {
      toastError(e, 'The change failed.');
    } finally {
      this.busy = false;
    }
  }
}
