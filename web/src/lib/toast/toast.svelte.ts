export type ToastKind = 'info' | 'success' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

/** Transient notices. Failures are shown here with the server's `detail` verbatim. */
export class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  show(message: string, kind: ToastKind = 'info', timeoutMs = kind === 'error' ? 8000 : 4000): number {
    const id = this.#next++;
    this.items.push({ id, kind, message });
    if (this.items.length > 5) this.items.shift();
    if (timeoutMs > 0) setTimeout(() => this.dismiss(id), timeoutMs);
    return id;
  }

  error(message: string): number {
    return this.show(message, 'error');
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();

/** Shows any thrown value as a toast; ApiError-aware without importing it (keeps toast leaf). */
export function toastError(e: unknown, fallback = 'Something went wrong.'): void {
  if (e && typeof e === 'object' && 'describe' in e && typeof (e as { describe: unknown }).describe === 'function') {
    toasts.error((e as { describe(): string }).describe());
  } else if (e instanceof Error && e.message) {
    toasts.error(e.message);
  } else {
    toasts.error(fallback);
  }
}
