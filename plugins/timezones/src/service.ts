// The Time zones service: runs in a hidden frame when a card (the World clock) calls its API. The
// host has checked every input against the manifest's schema already and checks every answer.
import { defineService, type ServiceContext } from '@labyrinth/sdk';
import { ZONES, zoneTime } from './zones';

let ctx: ServiceContext | null = null;
let calls = 0;

export const service = defineService({
  onActivate(context, { reason }) {
    ctx = context;
    context.log.info(`Time zones service ${reason}; ${ZONES.length} zones.`);
  },
  onDeactivate({ reason }) {
    ctx?.log.info(`Time zones service stopping (${reason}) after ${calls} calls.`);
  },
  api: {
    formatTimes(input, { caller }) {
      calls++;
      const { zones, epochMs } = input as { zones: string[]; epochMs?: number };
      if (calls === 1) ctx?.log.info(`First call from ${caller}.`);
      const at = epochMs ?? Date.now();
      return { times: zones.map((zone) => ({ ...zoneTime(zone, at) })) };
    },
    listZones() {
      return { zones: [...ZONES] };
    },
  },
});
