// The dashboard's widget registry: widgets are text other plugins contribute through the API,
// keyed by the calling plugin (a caller can only touch its own), kept while their owner renews
// them. Pure, so it is tested without a host.

/** How long a widget stays without a renewal: its owner stopped (disabled, killed, crashed). */
export const LEASE_MS = 5_000;
export const MAX_WIDGETS = 64;

export interface Widget {
  key: string;
  owner: string;
  id: string;
  title: string;
  text: string;
  detail?: string;
}

interface Entry extends Widget {
  renewedAt: number;
}

export class Registry {
  readonly #entries = new Map<string, Entry>();

  /** Adds or replaces `owner`'s widget; false when the dashboard is full. */
  register(owner: string, w: { id: string; title: string; text: string; detail?: string }, now: number): string | null {
    const key = `${owner}/${w.id}`;
    if (!this.#entries.has(key) && this.#entries.size >= MAX_WIDGETS) return null;
    const previous = this.#entries.get(key);
    const entry: Entry = { key, owner, id: w.id, title: w.title, text: w.text, renewedAt: now, ...(w.detail === undefined ? {} : { detail: w.detail }) };
    // Replacing keeps the widget's place (a Map keeps insertion order).
    if (previous) this.#entries.set(key, entry);
    else this.#entries.set(key, entry);
    return key;
  }

  update(owner: string, id: string, text: string, detail: string | undefined, now: number): boolean {
    const e = this.#entries.get(`${owner}/${id}`);
    if (!e) return false;
    e.text = text;
    if (detail === undefined) delete e.detail;
    else e.detail = detail;
    e.renewedAt = now;
    return true;
  }

  unregister(owner: string, id: string): boolean {
    return this.#entries.delete(`${owner}/${id}`);
  }

  /** Drops widgets whose owner stopped renewing them; whether anything went. */
  expire(now: number): boolean {
    let changed = false;
    for (const [k, e] of this.#entries) {
      if (now - e.renewedAt > LEASE_MS) {
        this.#entries.delete(k);
        changed = true;
      }
    }
    return changed;
  }

  list(): Widget[] {
    return [...this.#entries.values()].map(({ renewedAt: _, ...w }) => w);
  }
}

/** Widget keys in the person's saved order first, then any new ones in registration order. */
export function arrange(widgets: readonly Widget[], order: readonly string[]): Widget[] {
  const rank = new Map(order.map((k, i) => [k, i]));
  return widgets
    .map((w, i) => ({ w, i }))
    .sort((a, b) => (rank.get(a.w.key) ?? order.length + a.i) - (rank.get(b.w.key) ?? order.length + b.i))
    .map(({ w }) => w);
}

/** The order after moving `key` by `delta` places (clamped). */
export function move(keys: readonly string[], key: string, delta: number): string[] {
  const from = keys.indexOf(key);
  if (from < 0) return [...keys];
  const to = Math.max(0, Math.min(keys.length - 1, from + delta));
  const next = keys.filter((k) => k !== key);
  next.splice(to, 0, key);
  return next;
}
