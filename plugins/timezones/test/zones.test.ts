import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { service } from '../src/service';
import { ZONES, zoneTime } from '../src/zones';

const manifest = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'));

describe('time zones service', () => {
  it('Zones_AreTheOnesTheInputSchemaAllows', () => {
    expect(manifest.api.methods.formatTimes.input.definitions.zone.enum).toEqual([...ZONES]);
    expect(manifest.api.methods.listZones.examples[0].output.zones).toEqual([...ZONES]);
  });

  it('ZoneTime_NoonUtc_IsEachZonesWallClock', () => {
    const noon = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(zoneTime('Asia/Tokyo', noon)).toEqual({ zone: 'Asia/Tokyo', text: '21:00:00', offset: 'GMT+9' });
    expect(zoneTime('UTC', noon)).toMatchObject({ text: '12:00:00' });
  });

  it('FormatTimes_AnswersEveryZoneInOrder', async () => {
    const answer = await service.api!.formatTimes!({ zones: ['Europe/Paris', 'UTC'], epochMs: Date.UTC(2026, 6, 1, 0, 0, 0) }, { caller: 'dev.x.y' });
    expect(answer).toEqual({ times: [
      { zone: 'Europe/Paris', text: '02:00:00', offset: 'GMT+2' },
      { zone: 'UTC', text: '00:00:00', offset: 'GMT+0' },
    ] });
  });
});
