// Wire types, mirrored from docs/api.md (the contract). Change the contract first.
import type { AssetType } from '../../../../sdk/src/types.ts';
import type { SharedSelectionDto } from '../ink/types';

export type Role = 'admin' | 'member';

export interface UserDto {
  id: string;
  userName: string;
  role: Role;
}

/** The password rule the host enforces (GET /api/auth/session), shown before submitting. */
export interface PasswordRuleDto {
  minLength: number;
  maxLength: number;
}

/** GET /api/auth/session: always 200, so the sign-in page's "who am I" never logs a failed request. */
export interface SessionDto {
  authenticated: boolean;
  user: UserDto | null;
  needsSetup: boolean;
  passwordRule: PasswordRuleDto;
}

/** An account as the admin's user list shows it (GET /api/admin/users). */
export interface AdminUserDto extends UserDto {
  createdAt: string;
  disabled: boolean;
  /** How many boards and uploaded files the account owns (deleted with it). */
  boards: number;
  assets: number;
}

export interface TokenDto {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** null = never expires. */
  expiresAt: string | null;
}

/** POST /api/tokens: `token` is shown this once and never again. */
export interface CreatedTokenDto {
  id: string;
  name: string;
  token: string;
  createdAt: string;
  expiresAt: string | null;
}

export interface ViewportDto {
  x: number;
  y: number;
  zoom: number;
}

export type WindowKind = 'form' | 'chat' | 'metadata' | 'plugin';

export interface WindowPluginRef {
  pluginId: string;
  version: string;
  typeID: string;
  props: Record<string, unknown>;
}

export interface WindowDto {
  id: string;
  kind: WindowKind;
  title: string;
  x: number;
  y: number;
  width: number;
  height: number;
  z: number;
  minimized: boolean;
  maximized: boolean;
  data: Record<string, unknown> | null;
  plugin: WindowPluginRef | null;
  /** Plugin windows only: the live frame is shown (at most 10 per board); otherwise the snapshot. */
  open: boolean;
}

export interface BoardSummaryDto {
  id: string;
  name: string;
  version: number;
  updatedAt: string;
}

export interface BoardDto {
  id: string;
  name: string;
  version: number;
  viewport: ViewportDto;
  windows: WindowDto[];
  updatedAt: string;
}

export interface SpawnRequest {
  kind: string;
  title?: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  data?: Record<string, unknown>;
  plugin?: { pluginId: string; version?: string; typeID: string; props?: Record<string, unknown> };
}

export interface SpawnResponse {
  board: BoardDto;
  window: WindowDto;
}

export interface SizeDto {
  width: number;
  height: number;
}

export interface CardTypeDto {
  typeID: string;
  name: string;
  icon: string;
  defaultSize: SizeDto;
  minSize?: SizeDto | null;
  propsSchema: Record<string, unknown> | null;
  /** Absolute, on the plugin version's card origin. */
  frameUrl: string;
  entryUrl: string;
  /** What the card's manifest requests (network:<s>, fileRegistry:<type>, crossCard:pubsub, api:<id>); granted per card instance. */
  capabilities: string[];
  /** Declared pub/sub topics; subscribe entries may use `*` as a whole segment. */
  topics: { publish: string[]; subscribe: string[] };
}

export interface PluginDto {
  id: string;
  version: string;
  name: string;
  description: string;
  author: string;
  enabled: boolean;
  bundleBytes: number;
  signature: { status: SignatureStatus; keyName: string | null };
  cards: CardTypeDto[];
  /** Present when the package was packed past the accessibility gate. */
  accessibility?: AccessibilityMark;
  /** The card origin of every installed version (`http://<label>.cards.localhost:<port>` by default). */
  origins: Record<string, string>;
  /** For a viewer who may open the developer overlay: frame URLs carry it (`?r=`) so the frames' CSP reports come back to them. */
  reportToken?: string;
}

/** One CSP violation of a frame the viewer opened; every text field was chosen by the card (plain text, bounded). */
export interface CspViolationDto {
  seq: number;
  at: string;
  directive: string;
  blocked: string;
  sourceFile: string | null;
  line: number | null;
  column: number | null;
  sample: string | null;
  disposition: 'enforce' | 'report';
}

/** `GET /api/plugins/{id}/{version}/csp-reports?after=`: the caller's own, oldest first; `dropped` counts the version's reports over its rate. */
export interface CspViolationsDto {
  violations: CspViolationDto[];
  dropped: number;
}

/** A package packed with `--allow-a11y-warnings`: how many problems the gate found (-1: unknown). */
export interface AccessibilityMark {
  findings: number;
}

/** `GET /api/plugins/card-origins`: how card origins are set up, and what an admin should know. */
export interface CardOriginsDto {
  template: string;
  /** Every plugin version has its own origin (and so its own browser process). */
  isolated: boolean;
  hostOrigin: string;
  frameSource: string;
  warnings: { code: string; message: string }[];
}

export interface PayloadDto {
  payload: unknown;
  version: number;
}

export interface CardLoadTelemetry {
  pluginId: string;
  version: string;
  typeID: string;
  ok: boolean;
  loadMs: number;
  error?: string;
}

// Plugin governance (admin API)

/** `dev`: a development version from `labyrinth plugin dev` (x.y.z-dev.N). */
export type SignatureStatus = 'trusted' | 'unsigned-allowlisted' | 'dev';

export interface SignatureDto {
  status: SignatureStatus;
  keyName?: string | null;
  keyId?: string | null;
}

export interface PluginVersionDto {
  version: string;
  installedAt: string;
  totalBytes: number;
  fileCount: number;
  digest: string;
  signature: SignatureDto;
  killed: boolean;
  active: boolean;
  name: string;
  description: string;
  dependencies: Record<string, string>;
  accessibility?: AccessibilityMark;
}

export interface PluginAdminDto {
  id: string;
  activeVersion: string | null;
  enabled: boolean;
  killed: boolean;
  unsignedAllowed: boolean;
  versions: PluginVersionDto[];
  dependents: string[];
}

export interface InstallResultDto {
  plugin: PluginAdminDto;
  installed: { id: string; version: string };
}

export interface TrustKeyDto {
  keyId: string;
  name: string;
  publicKey: string;
  addedAt: string;
}

export interface PolicyDto {
  mode: 'Strict' | string;
  unsignedAllowlist: string[];
}

export interface AuditEntryDto {
  sequence: number;
  at: string;
  actor: string;
  action: string;
  pluginId: string | null;
  detail: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

export interface AuditPageDto {
  items: AuditEntryDto[];
  total: number;
  page: number;
  pageSize: number;
}

export interface AuditVerifyDto {
  valid: boolean;
  kind: string;
  sequence?: number | null;
  entriesChecked: number;
  message: string;
}

/** Pushed by `/hubs/plugins` as `pluginKilled`. `version: null` kills every version. */
export interface PluginKilledEvent {
  pluginId: string;
  version: string | null;
  reason: string;
}

// Card Security Contract runtime: cards, grants, assets — docs/api.md.

export type { AssetType };

export interface AssetDto {
  id: string;
  name: string;
  type: AssetType;
  mediaType: string;
  bytes: number;
  createdAt: string;
  previewUrl: string;
}

export interface CapabilityDto {
  capability: string;
  granted: boolean;
  grantedAt?: string | null;
  handle?: string | null;
}

/** Never carries the token. */
export interface AssetGrantDto {
  grantId: string;
  assetId: string;
  name: string;
  type: AssetType;
  mediaType: string;
  bytes: number;
  grantedAt: string;
  previewUrl: string;
}

export interface NetworkServiceStatusDto {
  serviceId: string;
  displayName: string;
  granted: boolean;
  configured: boolean;
  enabled: boolean;
  handle?: string | null;
  usesSecret: string;
}

export interface NetworkLogDto {
  at: string;
  serviceId: string;
  method: string;
  path: string;
  status: number;
  requestBytes: number;
  responseBytes: number;
  ms: number;
  error?: string | null;
}

export interface CardPermissionsDto {
  boardId: string;
  windowId: string;
  pluginId: string;
  version: string;
  typeID: string;
  cardName: string;
  capabilities: CapabilityDto[];
  /** = upgrade.wantsMore, or [] when there is no upgrade. */
  wantsMore: string[];
  assets: AssetGrantDto[];
  network: { services: NetworkServiceStatusDto[]; recent: NetworkLogDto[] };
  /** The plugin's newer active version this card could move to; null when there is none. */
  upgrade: CardUpgradeDto | null;
  /** The ink selection the person shared with this card (Convert to Math); null when none. */
  selection?: SharedSelectionDto | null;
}

export interface CardUpgradeDto {
  version: string;
  /** What the newer version requests that the card's current version does not. */
  wantsMore: string[];
}

export interface AssetGrantResultDto {
  token: string;
  grant: AssetGrantDto;
}

export type ViolationReason = 'not_object' | 'unknown_type' | 'bad_shape' | 'oversize' | 'flood' | 'parent_message' | 'focus_steal' | 'navigated';

export interface ViolationReportDto {
  reason: ViolationReason;
  count: number;
  suspended: boolean;
  detail?: string;
}

export interface SnapshotUploadDto {
  mediaType: 'image/png' | 'image/jpeg' | 'image/webp';
  data: string;
}

// Groups, availability and staged rollouts (docs/api.md "Groups" and "Availability and staged rollouts").

export interface GroupDto {
  id: string;
  name: string;
  createdAt: string;
  members: { userId: string; userName: string }[];
  /** Plugins limited to this group (among others, possibly). */
  plugins: string[];
}

export interface AvailabilityDto {
  pluginId: string;
  /** null: available to everyone. */
  groups: { id: string; name: string }[] | null;
}

export interface RolloutSideDto {
  version: string;
  opens: number;
  mountFailures: number;
  cardErrors: number;
  bridgeViolations: number;
  mountFailuresPerThousand: number;
  cardErrorsPerThousand: number;
  bridgeViolationsPerThousand: number;
  people: number;
  peopleNames: string[];
}

export interface RateBreachDto {
  rate: 'mountFailures' | 'cardErrors' | 'bridgeViolations';
  candidatePerThousand: number;
  previousPerThousand: number;
  marginPerThousand: number;
}

export interface RolloutDto {
  id: string;
  pluginId: string;
  status: 'running' | 'paused' | 'promoted' | 'rolled_back';
  percent?: number;
  groups?: { id: string; name: string }[];
  minOpens: number;
  marginPerThousand: number;
  previous: RolloutSideDto;
  candidate: RolloutSideDto;
  startedBy: string;
  startedAt: string;
  endedBy: string | null;
  endedAt: string | null;
  autoRollback: { at: string; breaches: RateBreachDto[] } | null;
}

export interface PluginRolloutDto {
  pluginId: string;
  activeVersion: string;
  availability: AvailabilityDto;
  current: RolloutDto | null;
  last: RolloutDto | null;
}

export interface StartRolloutRequest {
  version: string;
  groups?: string[];
  percent?: number;
  minOpens?: number;
  marginPerThousand?: number;
}
