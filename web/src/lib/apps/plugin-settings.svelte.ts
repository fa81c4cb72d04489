// The settings form of one plugin's admin page, drawn from its manifest's configSchema (the
// server validated the schema at install and validates every save; this only lays it out and
// shows the server's per-field problems next to their fields).
import { ApiError } from '../api/errors';
import { appsApi } from '../api/endpoints';
import type { PluginConfigDto, StorageUsageDto } from './types';

export type SettingKind = 'text' | 'number' | 'integer' | 'boolean' | 'choice' | 'list' | 'secret';

/** One field of the form; `pointer` is where its value lives (`/timeZone`, `/display/format`). */
export interface SettingField {
  pointer: string;
  group: string | null;
  groupTitle: string | null;
  name: string;
  kind: SettingKind;
  label: string;
  help: string | null;
  choices: (string | number)[];
  min: number | null;
  max: number | null;
  maxLength: number | null;
  fallback: unknown;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const esc = (t: string) => t.replaceAll('~', '~0').replaceAll('/', '~1');

/** The form's fields from a configSchema, in document order. */
export function settingFields(schema: Obj | null): SettingField[] {
  const fields: SettingField[] = [];
  const read = (name: string, f: Obj, group: string | null, groupTitle: string | null) => {
    const type = f.type;
    const choices = Array.isArray(f.enum) ? (f.enum as (string | number)[]) : [];
    const kind: SettingKind = f.secret === true ? 'secret'
      : choices.length > 0 ? 'choice'
      : type === 'boolean' ? 'boolean'
      : type === 'integer' ? 'integer'
      : type === 'number' ? 'number'
      : type === 'array' ? 'list'
      : 'text';
    fields.push({
      pointer: group ? `/${esc(group)}/${esc(name)}` : `/${esc(name)}`,
      group, groupTitle, name, kind,
      label: typeof f.title === 'string' ? f.title : name,
      help: typeof f.description === 'string' ? f.description : null,
      choices,
      min: typeof f.minimum === 'number' ? f.minimum : null,
      max: typeof f.maximum === 'number' ? f.maximum : null,
      maxLength: typeof f.maxLength === 'number' ? f.maxLength : typeof obj(f.items).maxLength === 'number' ? (obj(f.items).maxLength as number) : null,
      fallback: f.default,
    });
  };
  for (const [name, v] of Object.entries(obj(obj(schema).properties))) {
    const f = obj(v);
    if (f.type === 'object') {
      for (const [inner, iv] of Object.entries(obj(f.properties))) read(inner, obj(iv), name, typeof f.title === 'string' ? f.title : name);
    } else read(name, f, null, null);
  }
  return fields;
}

const valueAt = (values: Obj, f: SettingField): unknown => (f.group ? obj(values[f.group])[f.name] : values[f.name]);

export class PluginSettingsState {
  config = $state.raw<PluginConfigDto | null>(null);
  usage = $state.raw<StorageUsageDto | null>(null);
  fields = $state.raw<SettingField[]>([]);
  /** pointer → what the form shows: text for text, numbers and lists (one per line), booleans, choices. */
  draft = $state<Record<string, string | boolean>>({});
  /** pointer → the server's sentence about that field. */
  problems = $state<Record<string, string>>({});
  /** Secret fields the admin asked to clear. */
  clearSecrets = $state<Record<string, boolean>>({});
  error = $state<string | null>(null);
  saved = $state<string | null>(null);
  busy = $state(false);
  /** Someone saved after this form was loaded; the admin's edits were not saved and stay in the form. */
  conflict = $state(false);

  constructor(readonly pluginId: string) {}

  async load(): Promise<void> {
    try {
      const [config, usage] = await Promise.all([appsApi.adminConfig(this.pluginId), appsApi.storageUsage(this.pluginId)]);
      this.usage = usage;
      this.#show(config);
    } catch (e) {
      this.error = e instanceof ApiError ? e.detail : String(e);
    }
  }

  /** After a conflict: shows what is saved now, dropping the edits that were not saved. */
  async loadSaved(): Promise<void> {
    this.error = null;
    this.problems = {};
    try {
      this.#show(await appsApi.adminConfig(this.pluginId));
      this.saved = null;
    } catch (e) {
      this.error = e instanceof ApiError ? e.detail : String(e);
    }
  }

  #show(config: PluginConfigDto): void {
    this.config = config;
    this.conflict = false;
    this.fields = settingFields(config.schema);
    this.draft = Object.fromEntries(this.fields.map((f) => [f.pointer, this.#display(f, valueAt(config.values, f))]));
    this.clearSecrets = {};
  }

  #display(f: SettingField, v: unknown): string | boolean {
    if (f.kind === 'secret') return '';
    if (f.kind === 'boolean') return v === true;
    if (f.kind === 'list') return Array.isArray(v) ? v.join('\n') : '';
    return v === undefined || v === null ? '' : String(v);
  }

  /** Puts every field back to the manifest's default (saved only when the admin presses Save). */
  reset(): void {
    this.draft = Object.fromEntries(this.fields.map((f) => [f.pointer, this.#display(f, f.fallback)]));
    this.problems = {};
    this.saved = null;
  }

  secretState(f: SettingField): 'set' | 'not set' {
    return this.config?.secrets[f.pointer] ?? 'not set';
  }

  /** The document the server checks: fields left empty are left out (their default applies); a secret only when typed or cleared. */
  values(): Obj {
    const out: Obj = {};
    for (const f of this.fields) {
      // A number input binds a number (or null when empty); everything else binds text.
      const bound: unknown = this.draft[f.pointer];
      const raw = typeof bound === 'number' ? String(bound) : bound;
      let v: unknown;
      if (f.kind === 'secret') {
        if (this.clearSecrets[f.pointer]) v = null;
        else if (typeof raw === 'string' && raw.length > 0) v = raw;
        else continue;
      } else if (f.kind === 'boolean') v = raw === true;
      else if (typeof raw !== 'string' || raw.trim() === '') continue;
      else if (f.kind === 'list') v = raw.split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
      else if (f.kind === 'number' || f.kind === 'integer' || (f.kind === 'choice' && typeof f.choices[0] === 'number')) v = Number(raw);
      else v = raw;
      if (f.group) out[f.group] = { ...obj(out[f.group]), [f.name]: v };
      else out[f.name] = v;
    }
    return out;
  }

  async save(): Promise<void> {
    this.busy = true;
    this.saved = null;
    this.error = null;
    try {
      // Saved over the revision this form shows, so another admin's save in between is never overwritten unseen.
      this.#show(await appsApi.saveConfig(this.pluginId, this.values(), this.config?.revision ?? 0));
      this.problems = {};
      this.saved = 'Saved. Open cards and services of this plugin have the new settings.';
    } catch (e) {
      if (e instanceof ApiError && e.code === 'config.invalid') {
        // A problem inside a list entry (/tags/1) belongs to its field (/tags).
        const byField: Record<string, string> = {};
        for (const p of e.problems) {
          const pointer = String(p.pointer ?? '');
          const field = this.fields.find((f) => pointer === f.pointer || pointer.startsWith(`${f.pointer}/`));
          const key = field?.pointer ?? '';
          byField[key] = byField[key] ? `${byField[key]} ${p.message}` : String(p.message);
        }
        this.problems = byField;
        this.error = e.detail;
      } else if (e instanceof ApiError && e.code === 'config.revision_conflict') {
        this.conflict = true;
        this.error = e.detail;
      } else {
        this.error = e instanceof ApiError ? e.detail : String(e);
      }
    } finally {
      this.busy = false;
    }
  }
}
