// Types of the plugin admin page (/admin/plugins). Wire types live in ../api/types.ts.

/** Audit viewer filters; blank fields are not sent. `from`/`to` are ISO-8601 or `datetime-local` values. */
export interface AuditFilter {
  plugin: string;
  actor: string;
  action: string;
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilter = { plugin: '', actor: '', action: '', from: '', to: '' };

/** Default audit page size. */
export const AUDIT_PAGE_SIZE = 25;

/**
 * A pending admin action waiting for its confirm dialog. `run` gets the reason when
 * `askReason` is set (kill).
 */
export interface PendingAction {
  title: string;
  message: string;
  confirmLabel: string;
  danger: boolean;
  /** Show a reason field (kill). */
  askReason?: boolean;
  /** Names shown as a list under the message (dependents for a cascading disable). */
  list?: string[];
  /** Offer to delete the plugin's settings and stored data too (uninstalling the whole plugin); kept unless ticked. */
  askDeleteData?: boolean;
  run: (reason: string, deleteData: boolean) => Promise<void>;
}

/** Upload progress: `loaded`/`total` bytes while sending; `total` 0 when the browser cannot tell. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

/** The largest package the host accepts (docs: compressed ≤ 20 MiB). */
export const MAX_PACKAGE_BYTES = 20 * 1024 * 1024;
