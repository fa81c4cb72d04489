/**
 * The bootstrap's service half (docs/api.md "Background services"): in a hidden frame the host
 * sends `initService` instead of `init`; this imports the entry, checks it exports a service,
 * runs `onActivate`, subscribes its `onMessage` patterns, dispatches `apiCall`s to its `api`
 * handlers (one `apiAnswer` each, whatever the handler does) and runs `onDeactivate` on
 * `deactivate`, at most `DEACTIVATE_MS`, before answering `deactivated`.
 */
import { configOf, createServiceContext, type ServiceContextController } from '../../../sdk/src/context.ts';
import type { ActivateReason, CardToHostMessage, DeactivateReason, JsonValue, ServiceDefinition } from '../../../sdk/src/types.ts';

export const DEACTIVATE_MS = 2000;
const MAX_MESSAGE = 500;
const REASONS: readonly ActivateReason[] = ['started', 'enabled', 'upgraded', 'restarted', 'configChanged'];

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (e: unknown): string => {
  const t = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return t.length > MAX_MESSAGE ? `${t.slice(0, MAX_MESSAGE - 1)}…` : t;
};

export interface ServiceRuntime {
  /** Host → service messages after `initService` (responses, events, apiCall, deactivate, grantsChanged, configChanged); false when not one of them. */
  receive(m: Obj): boolean;
}

/**
 * Starts the service described by `initService` message `m`. `send` posts to the host;
 * `importEntry` loads the module; `ready` tells the host the service is up; `fail` reports a
 * load or activation failure (the host restarts it with backoff).
 */
export function startService(
  m: Obj,
  entry: string,
  env: {
    send: (msg: CardToHostMessage) => void;
    importEntry: (url: string) => Promise<Partial<{ service: ServiceDefinition }>>;
    baseURI: string;
    ready: () => void;
    fail: (code: 'load_failed' | 'mount_failed', e: unknown) => void;
    setTimeout: (fn: () => void, ms: number) => unknown;
  },
): ServiceRuntime {
  const s = isObject(m.service) ? m.service : {};
  const caps = Array.isArray(m.grantedCapabilities) ? m.grantedCapabilities.filter((c): c is string => typeof c === 'string') : [];
  const controller: ServiceContextController = createServiceContext(
    { pluginId: String(s.pluginId ?? ''), version: String(s.version ?? ''), serviceId: String(s.serviceId ?? '') }, caps, env.send, configOf(m.config));
  const reason = (REASONS as readonly unknown[]).includes(m.reason) ? (m.reason as ActivateReason) : 'started';
  let definition: ServiceDefinition | null = null;
  let active = false;
  const early: Obj[] = [];

  void (async () => {
    let mod: Partial<{ service: ServiceDefinition }>;
    try {
      mod = await env.importEntry(new URL(entry, env.baseURI).href);
      if (!isObject(mod?.service)) throw new TypeError(`${entry} does not export a service (export const service = defineService({…}))`);
    } catch (e) {
      env.fail('load_failed', e);
      return;
    }
    definition = mod.service;
    try {
      await definition.onActivate?.(controller.ctx, { reason });
      for (const [pattern, handler] of Object.entries(definition.onMessage ?? {})) {
        if (typeof handler === 'function') await controller.ctx.subscribe(pattern, handler);
      }
    } catch (e) {
      env.fail('mount_failed', e);
      return;
    }
    active = true;
    env.ready();
    // Calls that arrived while it activated are answered now, in order.
    for (const c of early.splice(0)) apiCall(c);
  })();

  function answer(cid: string, outcome: { ok: true; result: JsonValue } | { ok: false; message: string }): void {
    if (outcome.ok) {
      try {
        env.send({ type: 'apiAnswer', cid, ok: true, result: outcome.result });
        return;
      } catch (e) {
        outcome = { ok: false, message: `The answer is not JSON: ${text(e)}` };
      }
    }
    env.send({ type: 'apiAnswer', cid, ok: false, error: { message: outcome.message } });
  }

  function apiCall(c: Obj): void {
    const cid = typeof c.cid === 'string' ? c.cid : '';
    if (!cid) return;
    if (!active) { early.push(c); return; }
    const method = typeof c.method === 'string' ? c.method : '';
    const handlers = definition?.api ?? {};
    const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
    if (typeof handler !== 'function') { answer(cid, { ok: false, message: `This service does not implement ${method}.` }); return; }
    const call = Object.freeze({ caller: typeof c.caller === 'string' ? c.caller : '' });
    (async () => handler((c.input ?? null) as JsonValue, call))().then(
      (result) => answer(cid, { ok: true, result: (result === undefined ? null : result) as JsonValue }),
      (e: unknown) => answer(cid, { ok: false, message: text(e) }),
    );
  }

  function deactivate(why: unknown): void {
    let done = false;
    const finish = () => { if (!done) { done = true; env.send({ type: 'deactivated' }); } };
    env.setTimeout(finish, DEACTIVATE_MS);
    const reasonOut = (typeof why === 'string' ? why : 'stopped') as DeactivateReason;
    (async () => definition?.onDeactivate?.({ reason: reasonOut }))().then(finish, finish);
  }

  return {
    receive(msg) {
      if (controller.receive(msg)) return true; // response, event
      switch (msg.type) {
        case 'apiCall': apiCall(msg); return true;
        case 'deactivate': deactivate(msg.reason); return true;
        case 'grantsChanged':
          controller.setGrants(Array.isArray(msg.capabilities) ? msg.capabilities.filter((c): c is string => typeof c === 'string') : []);
          return true;
        case 'configChanged':
          controller.setConfig(configOf(msg.config));
          return true;
        default: return false;
      }
    },
  };
}
