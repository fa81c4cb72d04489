import { HTTP_METHODS, type HttpMethod, type ServiceBody, type ServiceDto } from './types';

/** Field keys of the service form; server `errors` keys are mapped onto them. */
export const SERVICE_FIELDS = [
  'id',
  'displayName',
  'baseUrl',
  'methods',
  'pathPrefixes',
  'secret.in',
  'secret.name',
  'secret.template',
  'timeoutSeconds',
  'maxRequestBytes',
  'maxResponseBytes',
  'ratePerMinute',
  'burst',
  'allowStreaming',
  'allowPrivateNetwork',
  'enabled',
] as const;
export type ServiceField = (typeof SERVICE_FIELDS)[number];

/** The editable form: numbers as numbers, methods as checkboxes, prefixes as a list of rows. */
export interface ServiceFormValues {
  id: string;
  displayName: string;
  baseUrl: string;
  methods: Record<HttpMethod, boolean>;
  pathPrefixes: string[];
  secretIn: 'header' | 'query';
  secretName: string;
  secretTemplate: string;
  timeoutSeconds: number;
  maxRequestBytes: number;
  maxResponseBytes: number;
  ratePerMinute: number;
  burst: number;
  allowStreaming: boolean;
  allowPrivateNetwork: boolean;
  enabled: boolean;
}

const MIB = 1024 * 1024;

/** A new service: the same defaults as the shipped `openai` definition, disabled. */
export function emptyService(): ServiceFormValues {
  return {
    id: '',
    displayName: '',
    baseUrl: 'https://',
    methods: { GET: true, POST: true, PUT: false, PATCH: false, DELETE: false },
    pathPrefixes: ['/'],
    secretIn: 'header',
    secretName: 'Authorization',
    secretTemplate: 'Bearer {secret}',
    timeoutSeconds: 60,
    maxRequestBytes: 1 * MIB,
    maxResponseBytes: 8 * MIB,
    ratePerMinute: 60,
    burst: 1,
    allowStreaming: true,
    allowPrivateNetwork: false,
    enabled: false,
  };
}

export function serviceToForm(s: ServiceDto): ServiceFormValues {
  const upper = new Set(s.methods.map((m) => m.toUpperCase()));
  const methods = Object.fromEntries(HTTP_METHODS.map((m) => [m, upper.has(m)])) as Record<HttpMethod, boolean>;
  return {
    id: s.id,
    displayName: s.displayName,
    baseUrl: s.baseUrl,
    methods,
    pathPrefixes: s.pathPrefixes.length ? [...s.pathPrefixes] : [''],
    secretIn: s.secret.in,
    secretName: s.secret.name,
    secretTemplate: s.secret.template,
    timeoutSeconds: s.timeoutSeconds,
    maxRequestBytes: s.maxRequestBytes,
    maxResponseBytes: s.maxResponseBytes,
    ratePerMinute: s.ratePerMinute,
    burst: s.burst,
    allowStreaming: s.allowStreaming,
    allowPrivateNetwork: s.allowPrivateNetwork,
    enabled: s.enabled,
  };
}

export function formToBody(f: ServiceFormValues): ServiceBody {
  return {
    id: f.id.trim(),
    displayName: f.displayName.trim(),
    baseUrl: f.baseUrl.trim(),
    methods: HTTP_METHODS.filter((m) => f.methods[m]),
    pathPrefixes: f.pathPrefixes.map((p) => p.trim()).filter((p) => p !== ''),
    secret: { in: f.secretIn, name: f.secretName.trim(), template: f.secretTemplate },
    timeoutSeconds: f.timeoutSeconds,
    maxRequestBytes: f.maxRequestBytes,
    maxResponseBytes: f.maxResponseBytes,
    ratePerMinute: f.ratePerMinute,
    burst: f.burst,
    allowStreaming: f.allowStreaming,
    allowPrivateNetwork: f.allowPrivateNetwork,
    enabled: f.enabled,
  };
}

/** RFC 9110 token characters: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const SERVICE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

function positiveInt(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

/**
 * The checks a person can fix before saving, with the same rules as the server (which stays
 * authoritative; its `errors` are shown the same way). Returns `{ field: message }`.
 */
export function validateService(f: ServiceFormValues, isNew: boolean): Partial<Record<ServiceField, string>> {
  const e: Partial<Record<ServiceField, string>> = {};
  if (isNew && !SERVICE_ID.test(f.id.trim())) {
    e.id = 'Use 1–64 lowercase letters, digits or dashes, starting with a letter or digit (cards ask for network:<id>).';
  }
  if (!f.displayName.trim()) e.displayName = 'Give the service a name people recognise.';
  e.baseUrl = baseUrlProblem(f.baseUrl.trim()) ?? undefined;
  if (!HTTP_METHODS.some((m) => f.methods[m])) e.methods = 'Allow at least one method.';
  const prefixes = f.pathPrefixes.map((p) => p.trim()).filter((p) => p !== '');
  if (!prefixes.length) e.pathPrefixes = 'Add at least one path prefix, e.g. /chat/completions.';
  else {
    const bad = prefixes.find((p) => !p.startsWith('/') || p.includes('..') || p.includes('//') || /[?#\\\s]/.test(p));
    if (bad) e.pathPrefixes = `“${bad}” must start with / and have no .., //, ?, # or spaces.`;
  }
  if (!TOKEN.test(f.secretName.trim())) {
    e['secret.name'] = f.secretIn === 'header' ? 'Give a header name, e.g. Authorization.' : 'Give a query parameter name, e.g. key.';
  }
  if (!f.secretTemplate.includes('{secret}')) e['secret.template'] = 'The template must contain {secret}, e.g. Bearer {secret}.';
  else if (/[\r\n]/.test(f.secretTemplate)) e['secret.template'] = 'The template cannot contain line breaks.';
  if (!positiveInt(f.timeoutSeconds) || f.timeoutSeconds > 600) e.timeoutSeconds = 'Between 1 and 600 seconds.';
  if (!positiveInt(f.maxRequestBytes)) e.maxRequestBytes = 'A whole number of bytes above 0.';
  if (!positiveInt(f.maxResponseBytes)) e.maxResponseBytes = 'A whole number of bytes above 0.';
  if (!positiveInt(f.ratePerMinute)) e.ratePerMinute = 'A whole number of requests above 0.';
  else if (!positiveInt(f.burst) || f.burst > f.ratePerMinute) e.burst = `Between 1 and the requests per minute (${f.ratePerMinute}).`;
  for (const k of Object.keys(e) as ServiceField[]) if (e[k] === undefined) delete e[k];
  return e;
}

function baseUrlProblem(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'Give an absolute URL, e.g. https://api.openai.com/v1.';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'Only http and https URLs.';
  if (u.username || u.password) return 'No user name or password in the URL; store the key as a secret.';
  if (u.search || value.includes('?')) return 'No query string in the base URL.';
  if (u.hash || value.includes('#')) return 'No #fragment in the base URL.';
  return null;
}

const LOWER_FIELDS = new Map<string, ServiceField>(SERVICE_FIELDS.map((f) => [f.toLowerCase(), f]));

/**
 * Maps a server `errors` key (`baseUrl`, `BaseUrl`, `secret.template`, `Secret.Template`,
 * `$.secret.template`, `/secret/template`, `pathPrefixes[1]`, `template`) to a form field, or
 * null when it names none (shown above the form instead).
 */
export function fieldForServerKey(key: string): ServiceField | null {
  const k = key
    .replace(/^\$\.?/, '')
    .replace(/^\//, '')
    .replace(/\//g, '.')
    .replace(/\[\d+\]/g, '')
    .replace(/\.\d+(?=\.|$)/g, '')
    .toLowerCase();
  const direct = LOWER_FIELDS.get(k);
  if (direct) return direct;
  const last = k.split('.').at(-1) ?? '';
  if (last === 'template') return 'secret.template';
  if (last === 'in') return 'secret.in';
  if (last === 'name' || last === 'headername' || last === 'header') return 'secret.name';
  return LOWER_FIELDS.get(last) ?? null;
}

/** Server `errors` → `{ fields, other }` for display next to fields and above the form. */
export function splitServerErrors(errors: Record<string, string[]>): { fields: Partial<Record<ServiceField, string>>; other: string[] } {
  const fields: Partial<Record<ServiceField, string>> = {};
  const other: string[] = [];
  for (const [key, msgs] of Object.entries(errors)) {
    const f = fieldForServerKey(key);
    const text = msgs.join(' ');
    if (f) fields[f] = fields[f] ? `${fields[f]} ${text}` : text;
    else other.push(key ? `${key}: ${text}` : text);
  }
  return { fields, other };
}
