// Checks plugin API inputs and outputs in the page, before anything leaves it, with the same
// schemas the host compiled at install (the host checks again; it is the authority). The page's
// CSP forbids eval, so the validator is @cfworker/json-schema, which interprets schemas; each
// method's two validators are built once and reused.
import { Validator, type OutputUnit, type Schema } from '@cfworker/json-schema';
import type { ApiProblem } from './types';

/** Units that only say "a child failed": their children carry the pointer a person needs. */
const AGGREGATES = new Set(['properties', 'items', 'additionalProperties', '$ref', 'allOf', 'not', 'dependencies', 'patternProperties']);
const MAX_PROBLEMS = 20;

export class MethodSchemas {
  readonly #input: Validator;
  readonly #output: Validator;

  constructor(input: unknown, output: unknown) {
    this.#input = new Validator(input as Schema, '7', false);
    this.#output = new Validator(output as Schema, '7', false);
  }

  checkInput(value: unknown): ApiProblem[] {
    return problemsOf(this.#input.validate(value).errors);
  }

  checkOutput(value: unknown): ApiProblem[] {
    return problemsOf(this.#output.validate(value).errors);
  }
}

/** cfworker's output units as the host words them: one problem per failing leaf, pointer into the value. */
export function problemsOf(units: readonly OutputUnit[]): ApiProblem[] {
  const problems: ApiProblem[] = [];
  for (const u of units) {
    if (AGGREGATES.has(u.keyword)) continue;
    let pointer = u.instanceLocation.startsWith('#') ? u.instanceLocation.slice(1) : u.instanceLocation;
    let message = u.error;
    if (u.keyword === 'required') {
      // The host points at the missing property itself, so the page does too.
      const name = /required property "(.*)"/.exec(u.error)?.[1];
      if (name !== undefined) {
        pointer = `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        message = `"${name}" is required.`;
      }
    } else if (u.keyword === 'false') {
      message = 'This property is not allowed here.';
    }
    problems.push({ pointer, message });
    if (problems.length >= MAX_PROBLEMS) break;
  }
  return problems;
}

/** Compiled schemas per plugin and method, built on first use; replaced when the app list changes. */
export class ApiSchemaCache {
  readonly #compiled = new Map<string, MethodSchemas | null>();

  constructor(readonly methodsOf: (pluginId: string) => Record<string, { input: unknown; output: unknown }> | null) {}

  /** Null when the provider declares no such method (or its schema does not compile here). */
  get(pluginId: string, method: string): MethodSchemas | null {
    const key = `${pluginId}\u0000${method}`;
    if (this.#compiled.has(key)) return this.#compiled.get(key)!;
    const m = this.methodsOf(pluginId)?.[method];
    let compiled: MethodSchemas | null = null;
    if (m && Object.hasOwn(this.methodsOf(pluginId)!, method)) {
      try {
        compiled = new MethodSchemas(m.input, m.output);
      } catch {
        compiled = null;
      }
    }
    this.#compiled.set(key, compiled);
    return compiled;
  }

  clear(): void {
    this.#compiled.clear();
  }
}
