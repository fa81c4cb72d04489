/**
 * The developer overlay's record of one card's bridge traffic: every message each way with its
 * size, and every message the host refused with the reason. Kept only for cards whose viewer may
 * open the overlay (admins, development versions); a ring, so a chatty card costs a bounded amount.
 */
export type TraceDirection = 'in' | 'out';

export interface TraceEntry {
  seq: number;
  /** The bridge's clock (ms). */
  at: number;
  /** `in`: card → host; `out`: host → card. */
  dir: TraceDirection;
  type: string;
  /** UTF-8 bytes of the message's JSON text (binary parts by their byteLength). */
  bytes: number;
  /** Why the host refused it (a guard's reason or a request's error code); null when it went through. */
  refused: string | null;
}

export interface TraceTotals {
  count: number;
  bytes: number;
}

const encoder = new TextEncoder();

/** Pure: the size of a message as it crosses the port (JSON text in UTF-8; buffers by byteLength). */
export function messageSize(message: unknown): number {
  let binary = 0;
  let text: string | undefined;
  try {
    text = JSON.stringify(message, (_key, value: unknown) => {
      if (value instanceof ArrayBuffer) {
        binary += value.byteLength;
        return null;
      }
      if (ArrayBuffer.isView(value)) {
        binary += value.byteLength;
        return null;
      }
      return value;
    });
  } catch {
    return 0;
  }
  return (text === undefined ? 0 : encoder.encode(text).length) + binary;
}

function typeOf(message: unknown): string {
  const t = (message as { type?: unknown } | null)?.type;
  return typeof t === 'string' ? t.slice(0, 40) : '(not a message)';
}

export class BridgeTrace {
  /** Newest last. */
  entries = $state.raw<readonly TraceEntry[]>([]);
  totals = $state.raw<{ in: TraceTotals; out: TraceTotals; refused: number }>({ in: { count: 0, bytes: 0 }, out: { count: 0, bytes: 0 }, refused: 0 });
  /** Size of the last payload the card saved (`setPayload`), in bytes. */
  lastPayloadBytes = $state<number | null>(null);

  readonly capacity: number;
  #seq = 0;

  constructor(capacity = 200) {
    this.capacity = capacity;
  }

  record(dir: TraceDirection, message: unknown, at: number, refused: string | null = null): void {
    const type = typeOf(message);
    const bytes = messageSize(message);
    const entry: TraceEntry = { seq: ++this.#seq, at, dir, type, bytes, refused };
    const next = this.entries.length >= this.capacity ? this.entries.slice(this.entries.length - this.capacity + 1) : this.entries.slice();
    next.push(entry);
    this.entries = next;
    const side = this.totals[dir];
    this.totals = { ...this.totals, [dir]: { count: side.count + 1, bytes: side.bytes + bytes }, refused: this.totals.refused + (refused ? 1 : 0) };
    if (dir === 'in' && type === 'setPayload' && !refused) {
      this.lastPayloadBytes = messageSize((message as { payload?: unknown }).payload ?? null);
    }
  }

  /** The refused messages still in the ring, newest last. */
  refusedEntries(): TraceEntry[] {
    return this.entries.filter((e) => e.refused !== null);
  }
}
