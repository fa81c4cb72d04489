/**
 * `@labyrinth/sdk/testing` — the contract every card keeps, as checks your test runner runs, and
 * an accessibility check. The checks drive the card through the mock host (the same
 * `CardContext` code a real frame runs), so they need a DOM: run them in a vitest file with
 * `// @vitest-environment happy-dom`.
 *
 * @example
 * ```ts
 * // @vitest-environment happy-dom
 * import { describe, it } from 'vitest';
 * import { cardContract } from '@labyrinth/sdk/testing';
 * import { mountPlugin } from '../dist/cards/dice.js';
 *
 * describe('dice card contract', () => {
 *   for (const check of cardContract({ mountPlugin, props: { sides: 6 }, otherProps: { sides: 20 } })) {
 *     it(check.name, check.run);
 *   }
 * });
 * ```
 */
import axe from 'axe-core';
import { MAX_PAYLOAD_CHARS } from './context.ts';
import { createMockHost, type MockHost } from './mock-host.ts';
import type { JsonObject, JsonValue, MountPlugin, ThemeTokens } from './types.ts';

/** What {@link cardContract} needs to know about the card. */
export interface CardContractOptions {
  mountPlugin: MountPlugin;
  /** Props valid under the card's `propsSchema`. Default `{}`. */
  props?: JsonObject;
  /** Other valid props, sent as `propsChanged`. Default: `props` again. */
  otherProps?: JsonObject;
  /** A payload the card saved earlier (restored on mount). Default: none. */
  payload?: JsonValue;
  /**
   * Uses the card the way a person would (click, type), so the card saves its payload. The
   * payload check then holds every `setPayload` the card made to the limits.
   */
  interact?: (target: HTMLElement, host: MockHost) => void | Promise<void>;
}

/** One named check; `run` throws an `Error` whose message says what the card did wrong. */
export interface ContractCheck {
  readonly name: string;
  run(): Promise<void>;
}

const THEMES: ThemeTokens[] = [
  { text: '#1b1b1f', surface: '#ffffff', accent: '#4f46e5' },
  { text: '#f4f4f5', surface: '#18181b', accent: '#a5b4fc' },
];

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function fail(message: string): never {
  throw new Error(message);
}

/**
 * Runs `work` while collecting errors the card throws later (listeners, timers, promises): a
 * check must fail on those too, not only on what `mountPlugin` throws.
 */
async function watchingErrors(what: string, work: () => Promise<void>): Promise<void> {
  const errors: unknown[] = [];
  const onError = (e: ErrorEvent) => { errors.push(e.error ?? e.message); };
  const onRejection = (e: PromiseRejectionEvent) => { errors.push(e.reason); };
  globalThis.addEventListener?.('error', onError as EventListener);
  globalThis.addEventListener?.('unhandledrejection', onRejection as EventListener);
  try {
    await work();
    await settle();
  } catch (e) {
    fail(`${what}: the card threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  } finally {
    globalThis.removeEventListener?.('error', onError as EventListener);
    globalThis.removeEventListener?.('unhandledrejection', onRejection as EventListener);
  }
  if (errors.length > 0) fail(`${what}: the card threw later: ${errors.map(String).join('; ')}`);
}

function mountFresh(options: CardContractOptions, payload: JsonValue | null | undefined) {
  const target = document.createElement('div');
  document.body.append(target);
  const host = createMockHost({ props: options.props ?? {}, payload: payload ?? null, themeTokens: THEMES[0] });
  const mounted = host.mount(options.mountPlugin, target);
  return { target, host, mounted, dispose: () => target.remove() };
}

/**
 * The checks every card passes: it mounts and shows something, unmounts leaving nothing behind,
 * takes `propsChanged` and `themeChanged` without failing, mounts with no saved payload and with
 * one of an unexpected shape (a payload saved by an earlier version), and everything it saves is
 * JSON within the host's 1 MiB limit.
 */
export function cardContract(options: CardContractOptions): ContractCheck[] {
  const check = (name: string, run: () => Promise<void>): ContractCheck => ({ name, run: () => watchingErrors(name, run) });
  return [
    check('mounts and renders something', async () => {
      const { target, mounted, dispose } = mountFresh(options, options.payload);
      await settle();
      if (!target.hasChildNodes()) fail('mountPlugin left its target empty');
      mounted.destroy();
      dispose();
    }),
    check('unmounts cleanly', async () => {
      const { target, host, mounted, dispose } = mountFresh(options, options.payload);
      await settle();
      mounted.destroy();
      await settle();
      const left = target.innerHTML.replace(/<!---->/g, '').trim();
      if (left !== '') fail(`destroy left markup behind: ${left.slice(0, 120)}`);
      // Listeners must be gone too: host pushes after destroy must not bring the card back.
      host.setTheme(THEMES[1]!);
      host.setActive(false);
      await settle();
      if (target.innerHTML.replace(/<!---->/g, '').trim() !== '') fail('the card rendered again after destroy (a listener it did not remove)');
      dispose();
    }),
    check('handles propsChanged', async () => {
      const { target, host, mounted, dispose } = mountFresh(options, options.payload);
      await settle();
      host.setProps(options.otherProps ?? options.props ?? {});
      await settle();
      if (!target.hasChildNodes()) fail('the card was empty after propsChanged');
      mounted.destroy();
      dispose();
    }),
    check('handles themeChanged', async () => {
      const { target, host, mounted, dispose } = mountFresh(options, options.payload);
      await settle();
      for (const theme of [...THEMES, {}]) host.setTheme(theme);
      await settle();
      if (!target.hasChildNodes()) fail('the card was empty after themeChanged');
      mounted.destroy();
      dispose();
    }),
    check('tolerates a missing payload', async () => {
      const { target, mounted, dispose } = mountFresh(options, null);
      await settle();
      if (!target.hasChildNodes()) fail('the card rendered nothing without a saved payload');
      mounted.destroy();
      dispose();
    }),
    check('tolerates a payload of another shape', async () => {
      // A dev reload or a new version mounts with whatever an earlier version saved.
      for (const payload of [{}, [], 'text', 42] as JsonValue[]) {
        const { target, mounted, dispose } = mountFresh(options, payload);
        await settle();
        if (!target.hasChildNodes()) fail(`the card rendered nothing with the saved payload ${JSON.stringify(payload)}`);
        mounted.destroy();
        dispose();
      }
    }),
    check('keeps its payload serialisable and within limits', async () => {
      const { target, host, mounted, dispose } = mountFresh(options, options.payload);
      await settle();
      await options.interact?.(target, host);
      await settle();
      for (const [i, payload] of host.payloads.entries()) {
        const json = JSON.stringify(payload);
        if (json === undefined) fail(`setPayload #${i + 1} was not JSON`);
        if (json.length > MAX_PAYLOAD_CHARS) fail(`setPayload #${i + 1} is ${json.length} characters; the host refuses more than ${MAX_PAYLOAD_CHARS}`);
      }
      if (options.interact && host.payloads.length === 0) fail('interact ran but the card never called setPayload');
      mounted.destroy();
      dispose();
    }),
  ];
}

/** One axe-core finding: the rule, how bad, and where. */
export interface AccessibilityFinding {
  readonly rule: string;
  readonly impact: 'minor' | 'moderate' | 'serious' | 'critical';
  readonly help: string;
  readonly nodes: readonly string[];
}

/**
 * Runs axe-core on what the card rendered into `target` and returns the critical and serious
 * findings (the ones `labyrinth plugin pack` refuses). Colour contrast is left out: a DOM without
 * layout cannot measure it; theme tokens are checked by the host instead.
 *
 * @example
 * ```ts
 * host.mount(mountPlugin, target);
 * expect(await checkAccessibility(target)).toEqual([]);
 * ```
 */
export async function checkAccessibility(target: Element): Promise<AccessibilityFinding[]> {
  const result = await axe.run(target, { resultTypes: ['violations'], rules: { 'color-contrast': { enabled: false } } });
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => ({ rule: v.id, impact: v.impact!, help: v.help, nodes: v.nodes.map((n) => n.html.slice(0, 200)) }));
}
