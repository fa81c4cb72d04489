/** One validation problem of a package or manifest (`problems[]` in the problem details). */
export interface Problem {
  /** Stable code, e.g. `manifest.required` or `package.path_traversal`. */
  code: string;
  /** JSON pointer into the manifest, when the problem is about a manifest field. */
  pointer?: string;
  /** Zip entry name, when the problem is about a file in the package. */
  entry?: string;
  message: string;
}

/** A failed API call, built from RFC 9457 problem details (docs/api.md "Conventions"). */
export class ApiError extends Error {
  readonly status: number;
  /** Stable machine code, e.g. `board.version_conflict`; `http.<status>` when the body had none. */
  readonly code: string;
  /** A sentence a person understands; shown verbatim in toasts. */
  readonly detail: string;
  /** Field validation messages, `{ field: [msg] }`. */
  readonly errors: Record<string, string[]>;
  /** Every package/manifest problem, in the server's order (uploads report all at once). */
  readonly problems: Problem[];
  /** Plugin ids that block the change (`dependency.required_by_others`). */
  readonly dependents: string[];

  constructor(
    status: number,
    code: string,
    detail: string,
    errors: Record<string, string[]> = {},
    extra: { problems?: Problem[]; dependents?: string[] } = {},
  ) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = errors;
    this.problems = extra.problems ?? [];
    this.dependents = extra.dependents ?? [];
  }

  /** `detail` followed by each field error, for a toast. */
  describe(): string {
    const lines = Object.entries(this.errors).flatMap(([field, msgs]) =>
      msgs.map((m) => (field ? `${field}: ${m}` : m)),
    );
    return lines.length ? `${this.detail}\n${lines.join('\n')}` : this.detail;
  }
}

const FALLBACK_DETAIL: Record<number, string> = {
  0: 'The server could not be reached.',
  401: 'You are signed out.',
  403: 'You are not allowed to do that.',
  404: 'Not found.',
  409: 'That conflicts with existing data.',
  412: 'This changed elsewhere.',
  413: 'That is too large.',
  428: 'A version is required for this change.',
  429: 'Too many attempts. Wait a moment and try again.',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseErrors(raw: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (isRecord(raw)) {
    for (const [k, v] of Object.entries(raw)) {
      if (Array.isArray(v)) out[k] = v.map((m) => String(m));
      else if (typeof v === 'string') out[k] = [v];
    }
  }
  return out;
}

/**
 * Turns a response body (already read as text) into an ApiError. Never throws: a proxy's HTML
 * error page or an empty body still yields a readable message.
 */
export function parseProblem(status: number, bodyText: string, statusText = ''): ApiError {
  let body: unknown = null;
  if (bodyText) {
    try {
      body = JSON.parse(bodyText);
    } catch {
      body = null;
    }
  }
  const fallback =
    FALLBACK_DETAIL[status] ??
    (status >= 500 ? 'The server had a problem. Try again.' : `Request failed (${status}${statusText ? ' ' + statusText : ''}).`);
  if (!isRecord(body)) return new ApiError(status, `http.${status}`, fallback);

  const code = typeof body.code === 'string' && body.code ? body.code : `http.${status}`;
  const detail =
    typeof body.detail === 'string' && body.detail
      ? body.detail
      : typeof body.title === 'string' && body.title
        ? body.title
        : fallback;
  const errors = parseErrors(body.errors);
  const problems = parseProblems(body.problems);
  // Also folded into `errors` so describe() (toasts) lists them.
  for (const p of problems) (errors[p.pointer ?? p.entry ?? ''] ??= []).push(p.message);
  const dependents = Array.isArray(body.dependents) ? body.dependents.filter((d): d is string => typeof d === 'string') : [];
  return new ApiError(status, code, detail, errors, { problems, dependents });
}

/** `problems: [{ code, pointer?, entry?, message }]`; malformed items are skipped, never thrown on. */
export function parseProblems(raw: unknown): Problem[] {
  if (!Array.isArray(raw)) return [];
  const out: Problem[] = [];
  for (const p of raw) {
    if (!isRecord(p) || typeof p.message !== 'string') continue;
    const item: Problem = { code: typeof p.code === 'string' && p.code ? p.code : 'problem', message: p.message };
    if (typeof p.pointer === 'string') item.pointer = p.pointer;
    if (typeof p.entry === 'string' && p.entry) item.entry = p.entry;
    out.push(item);
  }
  return out;
}
