import { ApiError } from '../api/client';
import type { AssetBytes } from '../api/endpoints';
import type { AssetDto, AssetGrantResultDto, AssetType, CapabilityDto, CardPermissionsDto, SnapshotUploadDto, ViolationReportDto } from '../api/types';
import {
  BridgeError,
  type AssetContent,
  type AssetHandle,
  type CardHostServices,
  type NetworkRequest,
  type NetworkResult,
  type ViolationReport,
} from '../bridge/card-host';
import type { BrokerFetch } from '../broker';
import type { CardPrompts } from './prompts.svelte';
import type { StorageRequest } from '../bridge/types';
import { storageError } from '../apps/storage';

/** The HTTP calls one card's services make (cardsApi, injectable for tests). */
export interface CardsHttp {
  storage(b: string, w: string, req: StorageRequest, signal?: AbortSignal): Promise<unknown>;
  permissions(b: string, w: string, signal?: AbortSignal): Promise<CardPermissionsDto>;
  grant(b: string, w: string, capability: string): Promise<CapabilityDto>;
  grantAsset(b: string, w: string, assetId: string): Promise<AssetGrantResultDto>;
  readAsset(b: string, w: string, token: string, signal?: AbortSignal): Promise<AssetBytes>;
  violations(b: string, w: string, report: ViolationReportDto): Promise<void>;
  putSnapshot(b: string, w: string, snap: SnapshotUploadDto): Promise<void>;
}

export interface CardServicesOptions {
  boardId: string;
  windowId: string;
  cardName: () => string;
  http: CardsHttp;
  prompts: CardPrompts;
  brokerFetch: BrokerFetch;
  /** A new snapshot is stored (the closed card's background must refresh). */
  onSnapshotSaved?: () => void;
  /** The grant list changed from here (consent given): the bridge must learn it. */
  onGrantsChanged?: (granted: readonly string[]) => void;
}

/**
 * Why a network service cannot be used by this person right now, or null when it can: it is not
 * defined on the host, it is switched off, or there is no key (shared or their own) for it.
 */
export function unavailable(perms: CardPermissionsDto, service: string): { display: string; reason: string } | null {
  const status = perms.network.services.find((s) => s.serviceId === service);
  if (!status) return { display: service, reason: `no service called “${service}” is defined on this server.` };
  const display = status.displayName || service;
  if (!status.enabled && !status.configured) return { display, reason: `${display} is switched off and has no key on this server.` };
  if (!status.enabled) return { display, reason: `${display} is switched off on this server.` };
  if (!status.configured) return { display, reason: `there is no key for ${display} on this server.` };
  return null;
}

const SNAPSHOT_RE = /^data:(image\/(?:png|jpeg|webp));base64,([A-Za-z0-9+/]+={0,2})$/;

/** Splits a snapshot data URL into the PUT body; null for anything that is not one. */
export function parseSnapshotDataUrl(dataUrl: string): SnapshotUploadDto | null {
  const m = SNAPSHOT_RE.exec(dataUrl);
  if (!m) return null;
  return { mediaType: m[1] as SnapshotUploadDto['mediaType'], data: m[2]! };
}

/**
 * What the board UI does for one card (docs/api.md "Host page services"): dialogs drawn by the
 * host, HTTP to `/api/cards/{board}/{window}/…`. The server checks every grant again; the copy
 * here only decides what to ask and what to show.
 */
export class CardServices implements CardHostServices {
  readonly #o: CardServicesOptions;
  #perms: CardPermissionsDto | null = null;
  #granted: readonly string[] = [];
  #askedCrossCard: Promise<boolean> | null = null;

  constructor(options: CardServicesOptions) {
    this.#o = options;
  }

  get permissions(): CardPermissionsDto | null {
    return this.#perms;
  }

  /** Capabilities the card's manifest requests (known after `load`). */
  requested(): readonly string[] {
    return this.#perms?.capabilities.map((c) => c.capability) ?? [];
  }

  /** Fetches the card's grants; a failure leaves it with none (default deny). */
  async load(signal?: AbortSignal): Promise<readonly string[]> {
    try {
      this.#apply(await this.#o.http.permissions(this.#o.boardId, this.#o.windowId, signal));
    } catch {
      this.#granted = [];
    }
    return this.#granted;
  }

  /** Takes a fresh permissions answer (the panel refreshed it). Returns the granted list. */
  apply(p: CardPermissionsDto): readonly string[] {
    this.#apply(p);
    return this.#granted;
  }

  #apply(p: CardPermissionsDto): void {
    this.#perms = p;
    this.#granted = Object.freeze(p.capabilities.filter((c) => c.granted).map((c) => c.capability));
  }

  granted(): readonly string[] {
    return this.#granted;
  }

  #setGranted(cap: string): void {
    if (this.#granted.includes(cap)) return;
    this.#granted = Object.freeze([...this.#granted, cap]);
    if (this.#perms) {
      for (const c of this.#perms.capabilities) if (c.capability === cap) c.granted = true;
    }
    this.#o.onGrantsChanged?.(this.#granted);
  }

  async requestAsset(type: AssetType, signal: AbortSignal): Promise<AssetHandle> {
    const cap = `fileRegistry:${type}`;
    if (this.#perms && !this.requested().includes(cap)) throw new BridgeError('not_requested');
    const picked = await this.#o.prompts.pickAsset({ windowId: this.#o.windowId, cardName: this.#o.cardName(), assetType: type }, signal);
    if (!picked || signal.aborted) throw new BridgeError('cancelled');
    return this.grantAsset(picked);
  }

  /** The person gave this asset to the card (picker or drop): grant it and hand out the token. */
  async grantAsset(asset: Pick<AssetDto, 'id' | 'type'>): Promise<AssetHandle> {
    let res: AssetGrantResultDto;
    try {
      res = await this.#o.http.grantAsset(this.#o.boardId, this.#o.windowId, asset.id);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'grant.not_requested') throw new BridgeError('not_requested');
      throw new BridgeError('cancelled', 'The asset could not be granted.');
    }
    this.#setGranted(`fileRegistry:${asset.type}`);
    return { token: res.token, name: res.grant.name, mediaType: res.grant.mediaType, bytes: res.grant.bytes };
  }

  async readAsset(token: string, signal: AbortSignal): Promise<AssetContent> {
    try {
      return await this.#o.http.readAsset(this.#o.boardId, this.#o.windowId, token, signal);
    } catch (e) {
      if (signal.aborted) throw new BridgeError('cancelled');
      if (e instanceof ApiError && e.status === 404) throw new BridgeError('token_invalid');
      throw new BridgeError('upstream_failed', 'The asset could not be read.');
    }
  }

  async requestNetwork(service: string, req: NetworkRequest, onChunk: (data: string) => void, signal: AbortSignal): Promise<NetworkResult> {
    const cap = `network:${service}`;
    if (this.#perms && !this.requested().includes(cap)) throw new BridgeError('not_requested');
    if (!this.#granted.includes(cap)) {
      // Asking "allow?" for a service that cannot work misleads: say it is not set up instead.
      // The answer may be stale (an admin just set it up), so look again before saying so.
      if (this.#perms && unavailable(this.#perms, service)) await this.load(signal);
      const why = this.#perms ? unavailable(this.#perms, service) : null;
      if (why) {
        await this.#o.prompts.notice(
          {
            windowId: this.#o.windowId,
            title: `${why.display} is not set up yet`,
            message: `${this.#o.cardName()} wants to use ${why.display} through the host, but ${why.reason} Nothing was sent.`,
            setupHref: '/admin/services',
            setupLabel: 'Set up network services',
          },
          signal,
        );
        throw new BridgeError('not_configured');
      }
      const display = this.#perms?.network.services.find((s) => s.serviceId === service)?.displayName || service;
      const name = this.#o.cardName();
      const allowed = await this.#o.prompts.consent(
        {
          windowId: this.#o.windowId,
          title: 'Network access',
          message: `Allow ${name} to use ${display} via the host? It never sees your key.`,
          allowLabel: 'Allow',
          denyLabel: 'Deny',
          onAllow: () => this.#grant(cap),
        },
        signal,
      );
      if (signal.aborted) throw new BridgeError('cancelled');
      if (!allowed || !this.#granted.includes(cap)) throw new BridgeError('denied');
    }
    return this.#o.brokerFetch({ boardId: this.#o.boardId, windowId: this.#o.windowId, service }, req, onChunk, signal);
  }

  /**
   * `crossCard:pubsub` without the grant: ask once per card (a card that keeps publishing must
   * not keep a dialog up). Resolves whether the card holds the grant afterwards.
   */
  ensureCrossCard(signal?: AbortSignal): Promise<boolean> {
    const cap = 'crossCard:pubsub';
    if (this.#granted.includes(cap)) return Promise.resolve(true);
    if (this.#perms && !this.requested().includes(cap)) return Promise.resolve(false);
    this.#askedCrossCard ??= (async () => {
      const allowed = await this.#o.prompts.consent(
        {
          windowId: this.#o.windowId,
          title: 'Messages between cards',
          message: `Let ${this.#o.cardName()} exchange messages with other cards on this board?`,
          allowLabel: 'Allow',
          denyLabel: 'Not now',
          onAllow: () => this.#grant(cap),
        },
        signal,
      );
      return allowed && this.#granted.includes(cap);
    })();
    return this.#askedCrossCard;
  }

  readonly #askedApi = new Map<string, Promise<boolean>>();

  /**
   * `api:<pluginId>` without the grant: ask once per card and provider (a card calling every
   * second must not keep a dialog up). Resolves whether the card holds the grant afterwards.
   */
  ensureApi(pluginId: string, providerName: string, signal?: AbortSignal): Promise<boolean> {
    const cap = `api:${pluginId}`;
    if (this.#granted.includes(cap)) return Promise.resolve(true);
    if (this.#perms && !this.requested().includes(cap)) return Promise.resolve(false);
    let asked = this.#askedApi.get(cap);
    if (!asked) {
      asked = (async () => {
        const allowed = await this.#o.prompts.consent(
          {
            windowId: this.#o.windowId,
            title: `Use ${providerName}`,
            message: `Let ${this.#o.cardName()} call ${providerName} (${pluginId})? It will send it what it needs and get its answers, through this host.`,
            allowLabel: 'Allow',
            denyLabel: 'Not now',
            onAllow: () => this.#grant(cap),
          },
          signal,
        );
        return allowed && this.#granted.includes(cap);
      })();
      this.#askedApi.set(cap, asked);
    }
    return asked;
  }

  async #grant(cap: string): Promise<void> {
    try {
      await this.#o.http.grant(this.#o.boardId, this.#o.windowId, cap);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'grant.not_requested') throw new BridgeError('not_requested');
      throw new BridgeError('denied', 'The host could not record the permission.');
    }
    this.#setGranted(cap);
  }

  readonly #askedStorage = new Map<string, Promise<boolean>>();

  /**
   * A storage operation: `storage:read` or `storage:write` without the grant asks the person once
   * per card (like pub/sub), then the server checks the grant again and does the rest.
   */
  async storage(req: StorageRequest, signal: AbortSignal): Promise<unknown> {
    const cap = req.op === 'get' || req.op === 'list' ? 'storage:read' : 'storage:write';
    if (this.#perms && !this.requested().includes(cap)) throw new BridgeError('not_requested');
    if (!this.#granted.includes(cap)) {
      let asked = this.#askedStorage.get(cap);
      if (!asked) {
        const write = cap === 'storage:write';
        asked = (async () => {
          const allowed = await this.#o.prompts.consent(
            {
              windowId: this.#o.windowId,
              title: write ? 'Save data' : 'Read saved data',
              message: write
                ? `Let ${this.#o.cardName()} save data on this server (its own storage, not your boards)?`
                : `Let ${this.#o.cardName()} read the data it saved on this server?`,
              allowLabel: 'Allow',
              denyLabel: 'Not now',
              onAllow: () => this.#grant(cap),
            },
            signal,
          );
          return allowed && this.#granted.includes(cap);
        })();
        this.#askedStorage.set(cap, asked);
      }
      if (!(await asked)) throw new BridgeError(signal.aborted ? 'cancelled' : 'denied');
    }
    try {
      return await this.#o.http.storage(this.#o.boardId, this.#o.windowId, req, signal);
    } catch (e) {
      throw storageError(e, signal);
    }
  }

  reportViolations(report: ViolationReport): void {
    void this.#o.http.violations(this.#o.boardId, this.#o.windowId, report).catch(() => {});
  }

  async saveSnapshot(dataUrl: string): Promise<void> {
    const snap = parseSnapshotDataUrl(dataUrl);
    if (!snap) return;
    try {
      await this.#o.http.putSnapshot(this.#o.boardId, this.#o.windowId, snap);
      this.#o.onSnapshotSaved?.();
    } catch {
      // A card that renders an oversize or bogus image simply keeps its icon + name face.
    }
  }
}
