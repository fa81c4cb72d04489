// Bridge protocol messages (docs/api.md "Bridge protocol").

export const PROTOCOL_VERSION = 1;

export interface CardIdentity {
  instanceId: string;
  typeID: string;
  pluginId: string;
  version: string;
}

export interface Bounds {
  width: number;
  height: number;
}

export type CardErrorCode = 'mount_failed' | 'load_failed' | 'runtime';

/** Card → host, after validation. */
export type CardMessage =
  | { type: 'ready'; loadMs: number }
  | { type: 'setPayload'; payload: unknown }
  | { type: 'sizePreferenceChanged'; width: number; height: number }
  | { type: 'interactionEvent'; name: string; detail?: unknown }
  | { type: 'error'; code: CardErrorCode; message: string }
  | { type: 'pong'; seq: number };

/** Host → card. */
export type HostMessage =
  | {
      type: 'init';
      card: CardIdentity;
      props: Record<string, unknown>;
      payload: unknown;
      themeTokens: Record<string, string>;
      bounds: Bounds;
      active: boolean;
    }
  | { type: 'propsChanged'; props: Record<string, unknown> }
  | { type: 'setActive'; active: boolean }
  | { type: 'setBounds'; bounds: Bounds }
  | { type: 'themeChanged'; themeTokens: Record<string, string> }
  | { type: 'ping'; seq: number };

export type RejectReason = 'not_object' | 'unknown_type' | 'bad_shape' | 'oversize' | 'flood';

export interface BridgeCounters {
  accepted: number;
  rejected: number;
  byReason: Record<RejectReason, number>;
}

export type BridgeStatus = 'loading' | 'ready' | 'error' | 'unresponsive' | 'closed';
