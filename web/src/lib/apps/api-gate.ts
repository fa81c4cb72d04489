// A plugin API call as the host page handles it (docs/api.md "Plugin APIs"), for cards and
// services alike: the caller must request `api:<pluginId>` and hold it (cards ask the person once,
// services need the admin's grant); the input is checked against the provider's schema here, the
// provider's service is started in this tab when it is not running, the call goes through the
// host (which checks everything again, routes it, times it out and audits it), and the answer is
// checked against the output schema before the caller sees it.
import { ApiCallError, type ApiProblem } from '../bus/types';
import type { ApiSchemaCache } from './api-schemas';

export interface ApiCaller {
  /** Capabilities the caller's manifest entry requests. */
  requested: readonly string[];
  /** Whether the caller holds `capability` now, asking the person first when that is how it is granted. */
  ensureGranted(capability: string): Promise<boolean>;
  /** The caller's bus attachment: the call through the host. */
  call(pluginId: string, method: string, input: unknown, timeoutMs: number | null): Promise<unknown>;
}

export interface ApiGateDeps {
  schemas: ApiSchemaCache;
  /** Starts the provider's service in this tab if needed; whether it is ready. */
  ensureProvider(pluginId: string): Promise<boolean>;
  /** Whether an enabled plugin with this id has an API at all. */
  hasApi(pluginId: string): boolean;
}

const describe = (problems: readonly ApiProblem[]) =>
  problems.slice(0, 3).map((p) => `${p.pointer || '(the value)'}: ${p.message}`).join('; ');

export async function callApi(deps: ApiGateDeps, caller: ApiCaller, pluginId: string, method: string, input: unknown, timeoutMs: number | null): Promise<unknown> {
  const capability = `api:${pluginId}`;
  if (!caller.requested.includes(capability)) throw new ApiCallError('api.not_granted', `The manifest does not request "${capability}".`);
  if (!(await caller.ensureGranted(capability))) throw new ApiCallError('api.not_granted', `Calling ${pluginId} was not allowed.`);
  if (!deps.hasApi(pluginId)) throw new ApiCallError('api.provider_unavailable', `${pluginId} is not installed or enabled, or has no API.`);
  const schemas = deps.schemas.get(pluginId, method);
  if (!schemas) throw new ApiCallError('api.unknown_method', `${pluginId} has no method "${method.slice(0, 64)}".`);
  const inputProblems = schemas.checkInput(input);
  if (inputProblems.length > 0) {
    throw new ApiCallError('api.invalid_input', `The input of ${pluginId}.${method} does not match its schema: ${describe(inputProblems)}`, inputProblems);
  }
  if (!(await deps.ensureProvider(pluginId))) throw new ApiCallError('api.provider_unavailable', `${pluginId}'s service could not be started in this tab.`);
  const result = await caller.call(pluginId, method, input, timeoutMs);
  const outputProblems = schemas.checkOutput(result);
  if (outputProblems.length > 0) {
    throw new ApiCallError('api.invalid_output', `${pluginId}.${method} answered with an output that does not match its schema: ${describe(outputProblems)}`, outputProblems);
  }
  return result;
}
