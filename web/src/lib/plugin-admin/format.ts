import type { PluginAdminDto, PluginVersionDto } from '../api/types';

/** `1536` → `1.5 KB`. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A digest shortened for a table cell; the full value goes in a title attribute. */
export function shortDigest(digest: string): string {
  const d = digest.replace(/^sha256:/i, '');
  return d.length > 12 ? `${d.slice(0, 12)}…` : d;
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** The active version's row, else the newest. */
export function activeVersionOf(p: PluginAdminDto): PluginVersionDto | null {
  return p.versions.find((v) => v.active) ?? p.versions.find((v) => v.version === p.activeVersion) ?? p.versions[0] ?? null;
}

/** Display name: the active version's manifest name, else the id. */
export function pluginName(p: PluginAdminDto): string {
  return activeVersionOf(p)?.name || p.id;
}

/**
 * Pure SemVer 2 precedence compare (enough to label an activation a rollback): -1, 0 or 1.
 * Build metadata is ignored; a pre-release sorts before its release.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.split('+')[0]!.split(/-(.*)/s, 2) as [string, string | undefined];
    return { nums: core.split('.').map((x) => Number.parseInt(x, 10) || 0), pre: pre ? pre.split('.') : [] };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (!x.pre.length || !y.pre.length) return x.pre.length === y.pre.length ? 0 : x.pre.length ? -1 : 1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Math.sign(Number(p) - Number(q));
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/** Audit detail object as one short line. */
export function describeDetail(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

/** Problem location for the upload problem list: the pointer, else the zip entry. */
export function problemWhere(p: { pointer?: string; entry?: string }): string {
  if (p.pointer !== undefined && p.pointer !== '') return p.pointer;
  if (p.entry) return p.entry;
  return p.pointer === '' ? '(manifest)' : '';
}
