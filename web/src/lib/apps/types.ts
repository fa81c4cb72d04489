// App plugins in the page (docs/api.md "Background services", "Plugin APIs"): what /api/apps
// says about each enabled plugin with services or an API, and the Running apps panel's rows.
import type { ApiProblem } from '../bus/types';

export type { ApiProblem };

export interface AppServiceInfo {
  id: string;
  /** On the plugin version's card origin. */
  frameUrl: string;
  /** That card origin: the bridge loads the frame only from it. */
  frameOrigin: string;
  capabilities: string[];
  topics: { publish: string[]; subscribe: string[] };
}

export interface AppInfo {
  pluginId: string;
  version: string;
  name: string;
  services: AppServiceInfo[];
  api: { version: string; service: string; methods: Record<string, { input: unknown; output: unknown }> } | null;
  /** Plugin ids the manifest depends on: a page of one of them starts this plugin's services too. */
  dependencies?: string[];
}

/** One service running in one of the person's tabs (`GET /api/apps/running`). */
export interface RunningServiceRow {
  userId: string;
  userName: string;
  tab: string;
  pluginId: string;
  version: string;
  serviceId: string;
  since: string;
  callsLastMinute: number;
  messagesLastMinute: number;
  errors: number;
  /** The server instance the tab is connected to (several instances); null on a single instance. */
  instance: string | null;
}

/** What this tab knows about a service it runs (the panel shows it beside the server's rows). */
export type ServiceState = 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';

export interface LocalService {
  pluginId: string;
  serviceId: string;
  version: string;
  state: ServiceState;
  since: number;
  restarts: number;
  lastError: string | null;
}

/** `GET /api/admin/plugins/{id}/app`: services, the admin's grants and the API documented. */
export interface AppAdminDto {
  pluginId: string;
  version: string;
  services: AppServiceInfo[];
  api: AppInfo['api'];
  grants: ServiceGrantDto[];
  methods: { name: string; description: string; input: unknown; output: unknown; examples: { title: string; input: unknown; output: unknown }[] }[];
}

export interface ServiceGrantDto {
  capability: string;
  granted: boolean;
  grantedBy: string | null;
  grantedAt: string | null;
}

export type PluginLogLevel = 'info' | 'warn' | 'error';

export interface PluginLogLineDto {
  seq: number;
  at: string;
  level: PluginLogLevel;
  version: string;
  source: string;
  user: string;
  message: string;
}

/** `GET/PUT /api/admin/plugins/{id}/config`: the schema as written, the values cards see, secret field pointer → "set" / "not set". */
export interface PluginConfigDto {
  pluginId: string;
  version: string;
  schema: Record<string, unknown> | null;
  values: Record<string, unknown>;
  secrets: Record<string, 'set' | 'not set'>;
  revision: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** `GET /api/admin/plugins/{id}/storage`. */
export interface StorageUsageDto {
  pluginId: string;
  userBytes: number;
  userKeys: number;
  people: number;
  workspaceBytes: number;
  workspaceKeys: number;
  quotaBytes: number;
}

/**
 * A plugin page as `GET /api/apps/pages` lists it for this person. `allowed: false`: their role
 * does not allow it, and the host says no more than the plugin and path (its address shows "not
 * allowed" without loading anything of the plugin).
 */
export interface AppPageInfo {
  pluginId: string;
  version: string;
  pluginName: string;
  /** The manifest path; `''` is the plugin's home page. */
  path: string;
  allowed: boolean;
  title: string | null;
  icon: string | null;
  nav: { section: string; order: number } | null;
}

/** `GET /api/apps/pages/open`: one page opened for this person, its frame carrying a short-lived ticket. */
export interface PageFrameInfo {
  pluginId: string;
  version: string;
  pluginName: string;
  path: string;
  title: string;
  /** On the plugin version's card origin. */
  frameUrl: string;
  frameOrigin: string;
  /** What the page's manifest entry requests (`requires.capabilities`). */
  capabilities: string[];
  /** Of those, what an admin has granted the plugin now. */
  granted: string[];
  topics: { publish: string[]; subscribe: string[] };
}
