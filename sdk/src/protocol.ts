// The bridge protocol's names as values, for code that checks untrusted messages at run time (the
// host page's validator, the frame bootstrap). The types in types.ts are the protocol; each list
// below is checked against them both ways, so a message type added on one side only fails `tsc`.
import type { CardToHostType, HostToCardType } from './types.ts';

/** Every message type a card may send on the port. */
export const CARD_TO_HOST_TYPES = [
  'ready', 'setPayload', 'sizePreferenceChanged', 'interactionEvent', 'error', 'pong',
  'requestAsset', 'readAsset', 'publish', 'subscribe', 'unsubscribe', 'request', 'reply', 'history', 'requestNetwork', 'cancelRequest',
  'call', 'exportRequested', 'snapshot',
] as const;

/** Every message type the host may send on the port. */
export const HOST_TO_CARD_TYPES = [
  'init', 'propsChanged', 'setActive', 'setBounds', 'themeChanged', 'ping', 'response', 'event', 'networkChunk', 'captureSnapshot',
  'grantsChanged', 'pushAsset', 'pushSelectionSnapshot', 'selectionRevoked',
] as const;

/** The kinds of file the File Registry holds (`fileRegistry:<type>`). */
export const ASSET_TYPES = ['image', 'pdf', '3d-model', 'text'] as const;

/** True only when A and B are the same set of names. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// A compile-time check each: `false` here means a type is in the union but not in the list above,
// or in the list but not in the union.
const cardToHostComplete: SameNames<CardToHostType, (typeof CARD_TO_HOST_TYPES)[number]> = true;
const hostToCardComplete: SameNames<HostToCardType, (typeof HOST_TO_CARD_TYPES)[number]> = true;
void cardToHostComplete;
void hostToCardComplete;
