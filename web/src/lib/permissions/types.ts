import type { CapabilityDto, CardPermissionsDto, CardUpgradeDto, SignatureStatus } from '../api/types';

export type { CapabilityDto, CardPermissionsDto, CardUpgradeDto, SignatureStatus };


/**
 * What the page may say about a plugin's signature. Only the host's explicit `trusted` is shown as
 * signed; a missing or unknown status is not trusted (null: no badge, and its windows are marked
 * unsigned), so a catalogue answer that lost the field can never make unsigned code look signed.
 */
export function signatureStatusOf(plugin: { signature?: { status?: unknown } | null } | null | undefined): SignatureStatus | null {
  const status = plugin?.signature?.status;
  return status === 'trusted' || status === 'unsigned-allowlisted' || status === 'dev' ? status : null;
}

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

/**
 * The update banner's sentence and button for a card whose plugin has a newer version, or null
 * when there is none. Updating with wants-more grants those too (the button says so).
 */
export function upgradeBanner(u: CardUpgradeDto | null | undefined): { text: string; action: string; allow: boolean } | null {
  if (!u) return null;
  return u.wantsMore.length > 0
    ? {
        text: `Version ${u.version} is available and wants more access: ${u.wantsMore.map(describeCapability).join('; ')}.`,
        action: 'Update and allow',
        allow: true,
      }
    : { text: `Version ${u.version} is available.`, action: 'Update', allow: false };
}
