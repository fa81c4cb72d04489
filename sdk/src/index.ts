/**
 * `@labyrinth/sdk` — types and helpers for Labyrinth plugin cards.
 *
 * Cards run in a sandboxed frame; see `docs/plugin-authoring.md`.
 */
export type * from './types.ts';
export {
  CardBridgeError, createCardContext, createServiceContext, logLine, mountCard, SELECTION_LIMITS, selectionIdOf, selectionSnapshotOf,
} from './context.ts';
export { isTopic, isTopicPattern, topicMatches } from './topics.ts';
export { ASSET_TYPES, CARD_TO_HOST_TYPES, HOST_TO_CARD_TYPES, MAX_LOG_CHARS, MAX_PAGE_PARAMS, pageParamsOf } from './protocol.ts';
export type { CardState, CardContextController, MountedCard, ServiceContextController } from './context.ts';

import type { JsonObject, MountPlugin, ServiceDefinition, ThemeTokens } from './types.ts';

/**
 * Identity helper that types a background service (export it as `service` from the entry named
 * in the manifest's `services[]`). See {@link ServiceDefinition}.
 *
 * @example
 * ```ts
 * export const service = defineService({
 *   api: { add: ({ a, b }) => ({ sum: (a as number) + (b as number) }) },
 * });
 * ```
 */
export function defineService(definition: ServiceDefinition): ServiceDefinition {
  return definition;
}

/**
 * Identity helper that types a plain `mountPlugin` function.
 *
 * @example
 * ```ts
 * export const mountPlugin = defineCard<{ name?: string }>((target, props) => {
 *   target.textContent = `Hello, ${props.name ?? 'world'}!`;
 *   return { update: (p) => { target.textContent = `Hello, ${p.name ?? 'world'}!`; }, destroy: () => target.replaceChildren() };
 * });
 * ```
 */
export function defineCard<P extends JsonObject = JsonObject>(mount: MountPlugin<P>): MountPlugin<P> {
  return mount;
}

/**
 * `var(--lab-<name>, <fallback>)` — for styles set from script.
 *
 * @example
 * ```ts
 * el.style.color = themeVar('text', '#1b1b1f');
 * ```
 */
export function themeVar(name: string, fallback?: string): string {
  return fallback === undefined ? `var(--lab-${name})` : `var(--lab-${name}, ${fallback})`;
}

/** Only names of `[A-Za-z0-9_-]` become `--lab-*` properties; others are ignored. */
export function isThemeTokenName(name: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(name);
}

/**
 * Returns a debounced function and a `flush` to run the pending call now (e.g. on destroy).
 *
 * @example
 * ```ts
 * const save = debounce((text: string) => card.setPayload({ text }), 300);
 * input.oninput = () => save(input.value);
 * ```
 */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: A | undefined;
  const run = () => { timer = undefined; const args = pending; pending = undefined; if (args) fn(...args); };
  const debounced = (...args: A) => { pending = args; clearTimeout(timer); timer = setTimeout(run, ms); };
  return Object.assign(debounced, {
    flush() { clearTimeout(timer); run(); },
    cancel() { clearTimeout(timer); timer = undefined; pending = undefined; },
  });
}

/** Convenience type re-export for theme-aware helpers. */
export type { ThemeTokens };
