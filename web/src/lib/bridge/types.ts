// Bridge protocol messages (docs/api.md "Bridge protocol" and "Bridge protocol additions").
import type { SelectionSnapshot } from '../ink/types';
import type { CardToHostType, HostToCardMessage, StorageScope } from '../../../../sdk/src/types.ts';
import type { AssetType, NetworkRequest, ViolationReason } from './card-host';

export const PROTOCOL_VERSION = 2;

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
  | { type: 'pong'; seq: number }
  | { type: 'requestAsset'; id: string; assetType: AssetType }
  | { type: 'readAsset'; id: string; token: string }
  | { type: 'publish'; topic: string; payload: unknown; payloadBytes: number; target: string | null }
  | { type: 'subscribe'; id: string; topic: string; sub: string; priority: number; once: boolean; from: string | null; responds: boolean }
  | { type: 'unsubscribe'; sub: string }
  | { type: 'request'; id: string; topic: string; payload: unknown; payloadBytes: number; target: string | null; timeoutMs: number | null }
  | { type: 'reply'; rid: string; ok: true; result: unknown; resultBytes: number }
  | { type: 'reply'; rid: string; ok: false; message: string }
  | { type: 'history'; id: string; topic: string; limit: number }
  | { type: 'requestNetwork'; id: string; service: string; request: NetworkRequest }
  | { type: 'cancelRequest'; id: string }
  | { type: 'call'; id: string; pluginId: string; method: string; input: unknown; timeoutMs: number | null }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'apiAnswer'; cid: string; ok: true; result: unknown }
  | { type: 'apiAnswer'; cid: string; ok: false; message: string }
  | { type: 'deactivated' }
  | { type: 'exportRequested'; kind: string; data?: unknown }
  | { type: 'snapshot'; id: string; dataUrl: string }
  | { type: 'focusBlocked' }
  | { type: 'focusLeave' }
  | { type: 'navigate'; path: string; params: Record<string, string> }
  | StorageRequest;

/** A validated plugin storage operation (`storage`); `set` carries its value's JSON size. */
export type StorageRequest =
  | { type: 'storage'; id: string; op: 'get'; scope: StorageScope; key: string }
  | { type: 'storage'; id: string; op: 'set'; scope: StorageScope; key: string; value: unknown; valueBytes: number; ifVersion?: number }
  | { type: 'storage'; id: string; op: 'delete'; scope: StorageScope; key: string; ifVersion?: number }
  | { type: 'storage'; id: string; op: 'list'; scope: StorageScope; prefix: string };

/** True only when A and B are the same set of names. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// The page's validated messages cover exactly the SDK's card → host protocol: a message type on
// one side only makes this `false`, and the type check (svelte-check in ./test.sh) fails.
const cardMessagesAreTheProtocol: SameNames<CardMessage['type'], CardToHostType> = true;
void cardMessagesAreTheProtocol;

/** Card → host message types that carry a request `id` and get exactly one `response`. */
export type CardRequestType = 'requestAsset' | 'readAsset' | 'subscribe' | 'request' | 'history' | 'requestNetwork' | 'call' | 'storage';

export type ResponseError = { code: string; message: string; problems?: { pointer: string; message: string }[] };

/** Host → card: the SDK's protocol type, as the frame's bootstrap reads it. */
export type HostMessage = HostToCardMessage;

/**
 * Why a card message was dropped or a card misbehaved: `parent_message` = a window postMessage after
 * connect; `focus_steal` = took (or tried to take) keyboard focus it was not given; `navigated` =
 * its frame loaded another document after connect (the card is torn down).
 */
export type RejectReason = ViolationReason;

export interface BridgeCounters {
  accepted: number;
  rejected: number;
  byReason: Record<RejectReason, number>;
}

/** `suspended`: too many rejected messages, or no answer for the stop delay; the frame is gone until Reload (see `view.suspended`). */
export type BridgeStatus = 'loading' | 'ready' | 'error' | 'unresponsive' | 'suspended' | 'closed';
