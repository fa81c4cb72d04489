import { ApiError } from '../api/client';
import { auditApi } from '../api/endpoints';
import type { AuditEntryDto, AuditVerifyDto } from '../api/types';
import { toastError } from '../toast/toast.svelte';
import { buildAuditQuery, pageCount } from './audit-query';
import { downloadFile } from './upload';
import { AUDIT_PAGE_SIZE, EMPTY_AUDIT_FILTER, type AuditFilter } from './types';

/** The audit viewer: filtered, paged entries, export and chain verification. */
export class AuditState {
  filter = $state<AuditFilter>({ ...EMPTY_AUDIT_FILTER });
  items = $state<AuditEntryDto[]>([]);
  total = $state(0);
  page = $state(1);
  pageSize = $state(AUDIT_PAGE_SIZE);
  loading = $state(false);
  loadError = $state<string | null>(null);
  verify = $state<AuditVerifyDto | null>(null);
  verifyError = $state<string | null>(null);
  verifying = $state(false);
  exporting = $state(false);
  /** Every action the host can write (its catalogue), for the action filter. */
  actions = $state<readonly string[]>([]);

  readonly pages: number = $derived(pageCount(this.total, this.pageSize));

  #seq = 0;

  async load(page = this.page): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const res = await auditApi.page(buildAuditQuery(this.filter, page, this.pageSize));
      if (seq !== this.#seq) return;
      this.items = res.items;
      this.total = res.total;
      this.page = res.page || page;
      this.loadError = null;
    } catch (e) {
      if (seq !== this.#seq) return;
      this.loadError = `Could not load the audit log: ${e instanceof ApiError ? e.describe() : 'unexpected error.'}`;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  async loadActions(): Promise<void> {
    try {
      this.actions = await auditApi.actions();
    } catch {
      // The filter still works by typing nothing; the entries' own actions show in the table.
      this.actions = [];
    }
  }

  /** Filters changed: back to page 1. */
  apply = (e?: SubmitEvent): void => {
    e?.preventDefault();
    void this.load(1);
  };

  reset(): void {
    this.filter = { ...EMPTY_AUDIT_FILTER };
    void this.load(1);
  }

  async runVerify(): Promise<void> {
    this.verifying = true;
    this.verifyError = null;
    try {
      this.verify = await auditApi.verify();
    } catch (e) {
      this.verify = null;
      this.verifyError = e instanceof ApiError ? e.describe() : 'Could not verify the audit chain.';
    } finally {
      this.verifying = false;
    }
  }

  async export(): Promise<void> {
    this.exporting = true;
    try {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      await downloadFile(auditApi.exportUrl, `labyrinth-audit-${stamp}.ndjson`);
    } catch (e) {
      toastError(e, 'Could not export the audit log.');
    } finally {
      this.exporting = false;
    }
  }
}
