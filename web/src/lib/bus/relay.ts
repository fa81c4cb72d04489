// The page's connection to `/hubs/bus` (docs/api.md "Message bus"). The SignalR client loads
// lazily, connects when the first member attaches, and reconnects with backoff; after each
// (re)connect the bus joins its members and subscriptions again (the server forgot the tab).
// Sends never throw into the bus: a refusal from the host is logged with console.debug, since
// the page already applied the same rules and the card got its answer.
import { retryDelay } from '../plugins/kill';
import type { BusHistoryMessage, BusMemberRef, BusRefusal, BusRelay, RelayAck, RelayEvents } from './types';

type HubConnection = import('@microsoft/signalr').HubConnection;

export const BUS_HUB_PATH = '/hubs/bus';

export class SignalRBusRelay implements BusRelay {
  readonly #events: RelayEvents;
  readonly #url: string;
  #conn: HubConnection | null = null;
  #connected = false;
  #starting = false;
  #attempt = 0;
  readonly #waiters = new Set<(connected: boolean) => void>();

  constructor(events: RelayEvents, url = BUS_HUB_PATH) {
    this.#events = events;
    this.#url = url;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Starts the connection once (idempotent); the bus calls it when a member attaches. */
  start(): void {
    if (this.#starting) return;
    this.#starting = true;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    let signalR: typeof import('@microsoft/signalr');
    try {
      signalR = await import('@microsoft/signalr');
    } catch (e) {
      console.debug('[bus] could not load the SignalR client', e);
      this.#retry();
      return;
    }
    const conn = new signalR.HubConnectionBuilder()
      .withUrl(this.#url, { withCredentials: true, headers: { 'X-Labyrinth-Request': '1' } })
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => retryDelay(ctx.previousRetryCount) })
      .configureLogging(signalR.LogLevel.None)
      .build();
    conn.on('busEvent', (e: Parameters<RelayEvents['onEvent']>[0]) => this.#events.onEvent(e));
    conn.on('busRequest', (r: Parameters<RelayEvents['onRequest']>[0]) => this.#events.onRequest(r));
    conn.on('busReply', (r: Parameters<RelayEvents['onReply']>[0]) => this.#events.onReply(r));
    conn.on('apiCall', (c: Parameters<RelayEvents['onApiCall']>[0]) => this.#events.onApiCall(c));
    conn.on('apiReply', (r: Parameters<RelayEvents['onCallReply']>[0]) => this.#events.onCallReply(r));
    conn.on('serviceControl', (c: Parameters<RelayEvents['onServiceControl']>[0]) => this.#events.onServiceControl(c));
    conn.onreconnecting(() => (this.#connected = false));
    conn.onreconnected(() => {
      this.#connected = true;
      this.#events.onConnected();
      this.#wake();
    });
    conn.onclose(() => {
      this.#connected = false;
      if (this.#conn === conn) {
        this.#conn = null;
        this.#retry();
      }
    });
    try {
      await conn.start();
    } catch (e) {
      console.debug('[bus] hub unreachable, retrying:', e instanceof Error ? e.message : e);
      this.#retry();
      return;
    }
    this.#conn = conn;
    this.#attempt = 0;
    this.#connected = true;
    this.#events.onConnected();
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w(true);
  }

  ready(timeoutMs: number): Promise<boolean> {
    if (this.#connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        this.#waiters.delete(done);
        clearTimeout(timer);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#waiters.add(done);
    });
  }

  #retry(): void {
    setTimeout(() => void this.#connect(), retryDelay(this.#attempt++));
  }

  #send(method: string, ...args: unknown[]): void {
    const conn = this.#conn;
    if (!conn || !this.#connected) return;
    conn.invoke<RelayAck>(method, ...args).then(
      (ack) => { if (ack && !ack.ok) console.debug(`[bus] the host refused ${method}: ${ack.code} ${ack.message ?? ''}`); },
      (e: unknown) => console.debug(`[bus] ${method} failed`, e),
    );
  }

  async #invoke<T>(method: string, fallback: T, ...args: unknown[]): Promise<T> {
    const conn = this.#conn;
    if (!conn || !this.#connected) return fallback;
    return conn.invoke<T>(method, ...args);
  }

  join(handle: string, member: BusMemberRef): Promise<RelayAck> {
    return this.#invoke<RelayAck>('Join', { ok: false, code: 'bus.not_member' }, handle, member);
  }

  leave(handle: string): void {
    this.#send('Leave', handle);
  }

  async subscribe(handle: string, sub: { sub: string; pattern: string; priority: number; once: boolean; from: string | null; responds: boolean }): Promise<RelayAck> {
    const ack = await this.#invoke<RelayAck>('Subscribe', { ok: false, code: 'bus.not_member' }, handle, sub).catch(
      (): RelayAck => ({ ok: false, code: 'bus.not_member' }));
    if (!ack.ok) console.debug(`[bus] the host refused Subscribe: ${ack.code} ${ack.message ?? ''}`);
    return ack;
  }

  unsubscribe(handle: string, sub: string): void {
    this.#send('Unsubscribe', handle, sub);
  }

  publish(handle: string, message: { topic: string; payload: unknown; target: string | null }): void {
    this.#send('Publish', handle, message);
  }

  request(handle: string, message: { id: string; topic: string; payload: unknown; target: string | null; timeoutMs: number }): Promise<RelayAck> {
    return this.#invoke<RelayAck>('Request', { ok: false, code: 'bus.no_responder', message: 'Not connected.' }, handle, message);
  }

  reply(handle: string, reply: { rid: string; ok: boolean; result?: unknown; error?: { code: string; message: string } }): void {
    this.#send('Reply', handle, reply);
  }

  history(handle: string, pattern: string, limit: number): Promise<{ ok: boolean; messages?: BusHistoryMessage[]; code?: string; message?: string }> {
    return this.#invoke('History', { ok: false, code: 'bus.not_member' }, handle, pattern, limit);
  }

  report(handle: string, reason: BusRefusal, count: number): void {
    this.#send('Report', handle, reason, count);
  }

  call(handle: string, call: { id: string; pluginId: string; method: string; input: unknown; timeoutMs: number }): Promise<RelayAck> {
    return this.#invoke<RelayAck>('Call', { ok: false, code: 'api.provider_unavailable', message: 'Not connected to the host.' }, handle, call);
  }

  answer(handle: string, answer: { cid: string; ok: boolean; result?: unknown; error?: { code: string; message: string } }): void {
    this.#send('Answer', handle, answer);
  }

  log(handle: string, level: string, message: string): void {
    this.#send('Log', handle, level, message);
  }
}
