import type { CapabilityDto, CardPermissionsDto } from '../api/types';

export type { CapabilityDto, CardPermissionsDto };

/** What the panel shows for a capability string. */
export function describeCapability(cap: string): string {
  const [kind, arg] = splitCapability(cap);
  switch (kind) {
    case 'fileRegistry':
      return `Files you give it: ${arg === '3d-model' ? '3D models' : `${arg}s`}`;
    case 'network':
      return `Network: ${arg} via the host`;
    case 'crossCard':
      return 'Messages with other cards on this board';
    case 'api':
      return `Calls the ${arg} plugin`;
    default:
      return cap;
  }
}

export function splitCapability(cap: string): [string, string] {
  const i = cap.indexOf(':');
  return i < 0 ? [cap, ''] : [cap.slice(0, i), cap.slice(i + 1)];
}

/** Granted capability names of a permissions answer. */
export function grantedOf(p: CardPermissionsDto): string[] {
  return p.capabilities.filter((c) => c.granted).map((c) => c.capability);
}
