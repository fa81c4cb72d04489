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

/** The audit actions of docs/api.md, for the action filter's choices. */
export const AUDIT_ACTIONS = [
  'plugin.install',
  'plugin.install_rejected',
  'plugin.enable',
  'plugin.disable',
  'plugin.kill',
  'plugin.unkill',
  'plugin.activate',
  'plugin.rollback',
  'plugin.uninstall',
  'trust.add',
  'trust.remove',
  'policy.change',
  'card.mount_failed',
  'group.create',
  'group.delete',
  'group.member_add',
  'group.member_remove',
  'plugin.availability',
  'plugin.rollout_start',
  'plugin.rollout_promote',
  'plugin.rollout_rollback',
  'plugin.rollout_auto_rollback',
] as const;

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
  run: (reason: string) => Promise<void>;
}

/** Upload progress: `loaded`/`total` bytes while sending; `total` 0 when the browser cannot tell. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

/** The largest package the host accepts (docs: compressed ≤ 20 MiB). */
export const MAX_PACKAGE_BYTES = 20 * 1024 * 1024;
