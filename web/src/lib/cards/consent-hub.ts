import { PubSubHub, type PubSubMember, type PubSubRegistration } from '../bridge/pubsub';

/**
 * One card's view of the board's hub: delivery goes through the shared hub, but a subscribe or
 * publish refused only for lack of `crossCard:pubsub` asks the person (once per card, through
 * `onNotGranted`). The refused call stays refused — consent never turns a message the card
 * already sent into a delivered one; the card learns the grant from `grantsChanged` and retries.
 */
export class ConsentingHub extends PubSubHub {
  readonly #shared: PubSubHub;
  readonly #onNotGranted: () => void;

  constructor(shared: PubSubHub, onNotGranted: () => void) {
    super();
    this.#shared = shared;
    this.#onNotGranted = onNotGranted;
  }

  override register(member: PubSubMember, now = 0): PubSubRegistration {
    const reg = this.#shared.register(member, now);
    const ask = this.#onNotGranted;
    return {
      get subscriptions() {
        return reg.subscriptions;
      },
      publish(topic, payload, bytes, t) {
        const r = reg.publish(topic, payload, bytes, t);
        if (!r.ok && r.reason === 'not_granted') ask();
        return r;
      },
      subscribe(topic) {
        const r = reg.subscribe(topic);
        if (!r.ok && r.code === 'not_granted') ask();
        return r;
      },
      unsubscribe: (topic) => reg.unsubscribe(topic),
      unsubscribeAll: () => reg.unsubscribeAll(),
      unregister: () => reg.unregister(),
    };
  }
}
