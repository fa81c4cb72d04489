/**
 * A mock host for plugin unit tests: gives a card a real {@link CardContext} and records what
 * the card sends, without a browser or a frame. DOM-agnostic: pass any `target` your test
 * environment can provide (happy-dom, jsdom, or a stub object for non-DOM cards).
 *
 * @example
 * ```ts
 * // @vitest-environment happy-dom
 * import { createMockHost } from '@labyrinth/sdk/mock';
 * import { mountPlugin } from '../dist/cards/hello.js';
 *
 * const host = createMockHost({ props: { name: 'Ada' }, payload: { count: 2 } });
 * const mounted = host.mount(mountPlugin, document.body);
 * document.querySelector('button')!.click();
 * expect(host.payloads.at(-1)).toEqual({ count: 3 });
 * host.setProps({ name: 'Grace' }); // calls update() — no remount
 * mounted.destroy();
 * ```
 */
import { createCardContext, mountCard, type MountedCard } from './context.ts';
import type {
  Bounds, CardContext, CardIdentity, CardToHostMessage, JsonObject, JsonValue, MountPlugin,
  ThemeTokens,
} from './types.ts';

export interface MockHostOptions {
  props?: JsonObject;
  payload?: JsonValue | null;
  themeTokens?: ThemeTokens;
  bounds?: Bounds;
  active?: boolean;
  card?: Partial<CardIdentity>;
}

export interface MockHost {
  /** The context to pass as `mountPlugin`'s third argument. */
  readonly card: CardContext;
  /** Every message the card sent, in order (as the host would receive them). */
  readonly messages: CardToHostMessage[];
  /** Every `setPayload` value, in order. */
  readonly payloads: JsonValue[];
  /** Every `interaction(name, detail)` call, in order. */
  readonly interactions: { name: string; detail?: JsonValue }[];
  /** Every `requestSize(width, height)` call, in order. */
  readonly sizeRequests: { width: number; height: number }[];
  /** Changes props like `propsChanged`: listeners, then `update` / remount of a card mounted with {@link MockHost.mount}. */
  setProps(props: JsonObject): void;
  setActive(active: boolean): void;
  setBounds(bounds: Bounds): void;
  setTheme(tokens: ThemeTokens): void;
  /** Mounts like the bootstrap does; later {@link MockHost.setProps} calls drive it. */
  mount(mountPlugin: MountPlugin, target: HTMLElement): MountedCard;
}

/** Creates a {@link MockHost}. All options are optional. */
export function createMockHost(options: MockHostOptions = {}): MockHost {
  const messages: CardToHostMessage[] = [];
  const payloads: JsonValue[] = [];
  const interactions: { name: string; detail?: JsonValue }[] = [];
  const sizeRequests: { width: number; height: number }[] = [];
  let mounted: MountedCard | null = null;

  const controller = createCardContext({
    card: {
      instanceId: 'w_0000000000000000', typeID: 'card', pluginId: 'dev.labyrinth.test', version: '1.0.0',
      ...options.card,
    },
    props: options.props ?? {},
    payload: options.payload ?? null,
    theme: options.themeTokens ?? {},
    active: options.active ?? true,
    bounds: options.bounds ?? { width: 320, height: 240 },
  }, (msg) => {
    // Mirror the structured clone a real port does, so non-JSON payloads fail in tests too.
    const copy = structuredClone(msg);
    messages.push(copy);
    if (copy.type === 'setPayload') payloads.push(copy.payload);
    else if (copy.type === 'interactionEvent') {
      interactions.push(copy.detail === undefined ? { name: copy.name } : { name: copy.name, detail: copy.detail });
    } else if (copy.type === 'sizePreferenceChanged') sizeRequests.push({ width: copy.width, height: copy.height });
  });

  return {
    card: controller.ctx,
    messages, payloads, interactions, sizeRequests,
    setProps(props) {
      controller.setProps(props);
      mounted?.update(props);
    },
    setActive: controller.setActive,
    setBounds: controller.setBounds,
    setTheme: controller.setTheme,
    mount(mountPlugin, target) {
      mounted = mountCard(mountPlugin, target, controller.ctx.props, controller.ctx);
      return mounted;
    },
  };
}

export type { MountedCard };
