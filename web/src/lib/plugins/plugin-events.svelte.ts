import { SvelteMap } from 'svelte/reactivity';
import type { PluginKilledEvent } from '../api/types';
import { parseDevBuildFailed, type DevBuildFailure } from './dev-reload';
import { parseKillEvent, retryDelay } from './kill';

export type PluginEventsStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'waiting' | 'stopped';

/** A card an admin stopped: the window stays on the board and shows this instead of its frame. */
export interface StoppedCard {
  /** The card's name when it was stopped (the reloaded catalogue may no longer list it). */
  cardName: string;
  pluginId: string;
  version: string;
  reason: string;
  at: number;
}

export interface PluginEventsOptions {
  /** Hub path (same origin; the session cookie authenticates). */
  url?: string;
  /** A kill arrived: the board decides which windows it hits (see kill.ts). */
  onKilled: (ev: PluginKilledEvent) => void;
  /** Installed/enabled/active plugins changed (or we may have missed events while offline). */
  onPluginsChanged: () => void;
  /** An admin saved a plugin's configuration: refetch it (the message carries no values). */
  onConfigChanged?: (pluginId: string) => void;
  /** `labyrinth plugin dev` reported a failed build (admins only); the board stamps the live version. */
  onDevBuildFailed?: (ev: { pluginId: string; message: string }) => void;
}

type HubConnection = import('@microsoft/signalr').HubConnection;

/**
 * Live plugin governance events from `/hubs/plugins` (docs/api.md: `pluginKilled`,
 * `pluginsChanged`). The SignalR client is loaded lazily so it stays out of the first paint.
 * A host without the hub, or a dropped connection, is not an error for the person: it is logged
 * with console.debug and retried with backoff for as long as the board is open.
 */
export class PluginEvents {
  status = $state<PluginEventsStatus>('idle');
  /** windowId → why its card was stopped. */
  readonly stopped = new SvelteMap<string, StoppedCard>();
  /** pluginId → its last development build failure, until a newer version goes live. */
  readonly devFailures = new SvelteMap<string, DevBuildFailure>();

  readonly #opts: PluginEventsOptions;
  #conn: HubConnection | null = null;
  #disposed = false;
  #started = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(opts: PluginEventsOptions) {
    this.#opts = opts;
  }

  /** Connects (idempotent). */
  start(): void {
    if (this.#disposed || this.#started) return;
    this.#started = true;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    this.status = 'connecting';
    let signalR: typeof import('@microsoft/signalr');
    try {
      signalR = await import('@microsoft/signalr');
    } catch (e) {
      console.debug('[plugin-events] could not load the SignalR client', e);
      this.#retry();
      return;
    }
    if (this.#disposed) return;
    const conn = new signalR.HubConnectionBuilder()
      .withUrl(this.#opts.url ?? '/hubs/plugins', { withCredentials: true, headers: { 'X-Labyrinth-Request': '1' } })
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => retryDelay(ctx.previousRetryCount) })
      .configureLogging(signalR.LogLevel.None)
      .build();
    conn.on('pluginKilled', (...args: unknown[]) => {
      const ev = parseKillEvent(args);
      if (ev) this.#opts.onKilled(ev);
      else console.debug('[plugin-events] unreadable pluginKilled', args);
    });
    conn.on('pluginsChanged', () => this.#opts.onPluginsChanged());
    conn.on('pluginConfigChanged', (...args: unknown[]) => {
      const ev = args[0] as { pluginId?: unknown } | undefined;
      if (typeof ev?.pluginId === 'string') this.#opts.onConfigChanged?.(ev.pluginId);
      else console.debug('[plugin-events] unreadable pluginConfigChanged', args);
    });
    conn.on('pluginDevBuildFailed', (...args: unknown[]) => {
      const ev = parseDevBuildFailed(args);
      if (ev) this.#opts.onDevBuildFailed?.(ev);
      else console.debug('[plugin-events] unreadable pluginDevBuildFailed', args);
    });
    conn.onreconnecting(() => (this.status = 'reconnecting'));
    conn.onreconnected(() => {
      this.status = 'connected';
      // Anything may have changed while we were away; kills missed meanwhile surface as 410s.
      this.#opts.onPluginsChanged();
    });
    conn.onclose((err) => {
      if (this.#conn !== conn) return;
      this.#conn = null;
      if (this.#disposed) return;
      console.debug('[plugin-events] connection closed', err);
      this.#retry();
    });
    try {
      await conn.start();
    } catch (e) {
      console.debug(`[plugin-events] hub unreachable, retrying in ${retryDelay(this.#attempt) / 1000}s:`, e instanceof Error ? e.message : e);
      if (!this.#disposed) this.#retry();
      return;
    }
    if (this.#disposed) {
      void conn.stop();
      return;
    }
    this.#conn = conn;
    this.#attempt = 0;
    this.status = 'connected';
  }

  #retry(): void {
    if (this.#disposed) return;
    this.status = 'waiting';
    const delay = retryDelay(this.#attempt++);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#disposed) void this.#connect();
    }, delay);
  }

  /** Marks a window's card stopped (its renderer drops the live frame and shows the notice). */
  stop(windowId: string, card: StoppedCard): void {
    this.stopped.set(windowId, card);
  }

  /** The person asked to try the card again (e.g. after an unkill). */
  resume(windowId: string): void {
    this.stopped.delete(windowId);
  }

  devFailureFor(pluginId: string): DevBuildFailure | null {
    return this.devFailures.get(pluginId) ?? null;
  }

  stoppedFor(windowId: string): StoppedCard | null {
    return this.stopped.get(windowId) ?? null;
  }

  dispose(): void {
    this.#disposed = true;
    this.status = 'stopped';
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const conn = this.#conn;
    this.#conn = null;
    if (conn) void conn.stop().catch(() => {});
  }
}
