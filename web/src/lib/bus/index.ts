// One workspace bus per page (tab), shared by every board the person opens in it, with its
// relay to the server. Created on first use.
import { SignalRBusRelay } from './relay';
import { DEFAULT_BUS_LIMITS, type BusLimits } from './types';
import { WorkspaceBus } from './workspace-bus';

export { WorkspaceBus, BusRequestError } from './workspace-bus';
export type * from './types';

let limits: Readonly<BusLimits> = DEFAULT_BUS_LIMITS;

/** Applies the host's bus limits (`GET /api/cards/limits` → `bus`); anything malformed keeps the defaults. */
export function setBusLimits(value: unknown): void {
  const l = value as Partial<BusLimits> | null;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
  const keys = Object.keys(DEFAULT_BUS_LIMITS) as (keyof BusLimits)[];
  limits = l && typeof l === 'object' && keys.every((k) => ok(l[k])) ? Object.freeze({ ...(l as BusLimits) }) : DEFAULT_BUS_LIMITS;
}

export function busLimits(): Readonly<BusLimits> {
  return limits;
}

let shared: WorkspaceBus | null = null;

/** This tab's bus, relayed through `/hubs/bus`. */
export function workspaceBus(): WorkspaceBus {
  shared ??= new WorkspaceBus({ relay: (events) => new SignalRBusRelay(events), limits: busLimits });
  return shared;
}
