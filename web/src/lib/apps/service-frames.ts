// Runs one background service in a hidden frame: a CardBridge in service mode (the card's
// sandbox, origin, bootstrap, message validation, rate limit, watchdog and bus membership),
// mounted in an invisible container that takes no space, no pointer and no focus.
import type { BusAttachment } from '../bus/types';
import type { WorkspaceBus } from '../bus/workspace-bus';
import { CardBridge } from '../bridge/card-bridge';
import type { StorageRequest } from '../bridge/types';
import type { PluginConfigs } from './plugin-configs';
import type { ActivateReason, DeactivateReason, ServiceFrame } from './service-host';
import type { AppInfo, AppServiceInfo } from './types';

/** How long a starting service may take to activate and join the host before it counts as failed. */
export const SERVICE_READY_TIMEOUT_MS = 15_000;

export interface ServiceFrameDeps {
  bus: WorkspaceBus;
  /** The hidden element service frames live in. */
  container(): HTMLElement;
  /** A call the service makes (the same gate as cards'); `bus` is the service's attachment. */
  apiCall(req: { pluginId: string; method: string; input: unknown; timeoutMs: number | null }, bus: BusAttachment | null, capabilities: readonly string[]): Promise<unknown>;
  /** The plugin's configuration: in `initService`, then live. */
  configs: PluginConfigs;
  /** A storage operation of the service: the host checks the admin's grants. */
  storage(pluginId: string, req: StorageRequest, signal: AbortSignal): Promise<unknown>;
  /** A service's grants are the admin's: the host checks them; the page lets its calls through to the host. */
  now?: () => number;
}

/** The hidden container, created once per tab. */
export function hiddenServiceContainer(doc: Document = document): HTMLElement {
  let el = doc.getElementById('lab-service-frames');
  if (!el) {
    el = doc.createElement('div');
    el.id = 'lab-service-frames';
    el.setAttribute('aria-hidden', 'true');
    el.inert = true;
    el.style.cssText = 'position:fixed;left:-10000px;top:0;width:1px;height:1px;overflow:hidden;pointer-events:none;opacity:0';
    doc.body.append(el);
  }
  return el;
}

export function startServiceFrame(deps: ServiceFrameDeps, app: AppInfo, service: AppServiceInfo, reason: ActivateReason): ServiceFrame {
  let settle: (ok: boolean) => void = () => {};
  const ready = new Promise<boolean>((resolve) => (settle = resolve));
  const handle = `service:${service.id}`;
  const bridge: CardBridge = new CardBridge({
    frameUrl: service.frameUrl,
    frameOrigin: service.frameOrigin,
    cardName: `${app.name} (${service.id})`,
    card: { instanceId: handle, typeID: handle, pluginId: app.pluginId, version: app.version },
    props: {},
    bounds: { width: 1, height: 1 },
    active: false,
    loadPayload: () => Promise.resolve(null),
    onSetPayload: () => {},
    service: { serviceId: service.id, reason },
    capabilities: service.capabilities,
    topics: service.topics,
    // No person to ask: the host decides (admin grants); the page forwards.
    services: {
      requestAsset: () => Promise.reject(new Error('not_granted')),
      readAsset: () => Promise.reject(new Error('token_invalid')),
      requestNetwork: () => Promise.reject(new Error('not_granted')),
      granted: () => service.capabilities,
      reportViolations: () => {},
      saveSnapshot: () => Promise.resolve(),
      storage: (req, signal) => deps.storage(app.pluginId, req, signal),
    },
    bus: {
      attach: (info) => deps.bus.attach({ kind: 'service', pluginId: app.pluginId, version: app.version, serviceId: service.id }, info),
    },
    apiCall: (req, bus) => deps.apiCall(req, bus, service.capabilities),
    loadConfig: () => deps.configs.get(app.pluginId),
    onReady: (joined) => void joined(SERVICE_READY_TIMEOUT_MS).then(settle),
    // Services follow no theme: they draw nothing.
    themeTokens: () => ({}),
    now: deps.now,
  });
  bridge.mount(deps.container());
  const unwatch = deps.configs.watch(app.pluginId, (config) => bridge.setConfig(config));
  const frame: ServiceFrame = {
    get status() { return bridge.status; },
    get error() { return bridge.error?.message ?? null; },
    ready,
    deactivate(why: DeactivateReason, graceMs: number) {
      settle(false);
      unwatch();
      bridge.deactivate(why, graceMs);
    },
    destroy() {
      settle(false);
      unwatch();
      bridge.destroy();
    },
  };
  return frame;
}
