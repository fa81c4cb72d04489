import type { CspViolationDto, CspViolationsDto } from '../api/types';

export interface CspViolationRow extends CspViolationDto {
  version: string;
}

type Fetch = (pluginId: string, version: string, after: number) => Promise<CspViolationsDto>;

/**
 * The developer overlay's CSP violations: the reports the browser sent for the frames this person
 * opened, read from the host while the overlay is open. Kept per window across dev reloads (each
 * version is asked for its own, newest last) and bounded like the traffic ring.
 */
export class CspFeed {
  rows = $state.raw<readonly CspViolationRow[]>([]);
  /** Reports the host dropped for the current version (over its rate). */
  dropped = $state(0);
  error = $state<string | null>(null);

  readonly capacity: number;
  readonly #fetch: Fetch;
  readonly #after = new Map<string, number>();

  constructor(fetch: Fetch, capacity = 100) {
    this.#fetch = fetch;
    this.capacity = capacity;
  }

  /** Asks once for what is new on `version`. */
  async poll(pluginId: string, version: string): Promise<void> {
    try {
      const res = await this.#fetch(pluginId, version, this.#after.get(version) ?? 0);
      this.error = null;
      this.dropped = res.dropped;
      const last = res.violations.at(-1);
      if (!last) return;
      this.#after.set(version, last.seq);
      const next = [...this.rows, ...res.violations.map((v) => ({ ...v, version }))];
      this.rows = next.length > this.capacity ? next.slice(next.length - this.capacity) : next;
    } catch (e) {
      this.error = e instanceof Error ? e.message : 'Could not read the CSP reports.';
    }
  }

  /** Polls now and every `everyMs` until the returned function is called. */
  watch(pluginId: string, version: string, everyMs = 1000): () => void {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      await this.poll(pluginId, version);
      if (!stopped) timer = setTimeout(() => void tick(), everyMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }
}
