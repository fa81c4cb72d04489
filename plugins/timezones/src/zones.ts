// The time zones the API accepts: the manifest's input schema lists the same names (a test keeps
// them equal), so a caller asking for another zone is refused by the host with a pointer before
// this service ever sees it.
export const ZONES = [
  'UTC', 'Europe/London', 'Europe/Paris', 'Europe/Berlin', 'Africa/Lagos', 'Asia/Dubai', 'Asia/Kolkata', 'Asia/Shanghai',
  'Asia/Tokyo', 'Australia/Sydney', 'America/Sao_Paulo', 'America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Pacific/Auckland',
] as const;

export interface ZoneTime {
  zone: string;
  text: string;
  offset: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset' });
    formats.set(zone, f);
  }
  return f;
}

/** hh:mm:ss and the UTC offset ("GMT+9") of `epochMs` in `zone`. */
export function zoneTime(zone: string, epochMs: number): ZoneTime {
  const parts = format(zone).formatToParts(new Date(epochMs));
  const pick = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return { zone, text: `${pick('hour')}:${pick('minute')}:${pick('second')}`, offset: pick('timeZoneName') };
}
