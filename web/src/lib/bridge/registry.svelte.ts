import { SvelteMap } from 'svelte/reactivity';
import type { CardBridge } from './card-bridge';

/** Live card bridges by window id, so the Metadata window can show load times and counters. */
export class BridgeRegistry {
  readonly byWindow = new SvelteMap<string, CardBridge>();
}
