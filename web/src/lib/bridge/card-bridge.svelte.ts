import { CardBridge, domEnv, initialView, type CardBridgeOptions } from './card-bridge';

/** A CardBridge whose view (status, load time, counters) is reactive state for the UI. */
export function createCardBridge(options: CardBridgeOptions): CardBridge {
  const view = $state(initialView());
  return new CardBridge(options, domEnv, view);
}
