import type { WindowKind } from '../api/types';
import ChatRenderer from './ChatRenderer.svelte';
import FormRenderer from './FormRenderer.svelte';
import MetadataRenderer from './MetadataRenderer.svelte';
import PluginRenderer from './PluginRenderer.svelte';
import type { Renderer } from './types';
import UnknownRenderer from './UnknownRenderer.svelte';

/** Closed set: a window kind the UI does not know renders an explicit error, never nothing. */
export const RENDERERS: Readonly<Record<WindowKind, Renderer>> = Object.freeze({
  form: FormRenderer,
  chat: ChatRenderer,
  metadata: MetadataRenderer,
  plugin: PluginRenderer,
});

export function rendererFor(kind: string): Renderer {
  return Object.prototype.hasOwnProperty.call(RENDERERS, kind) ? RENDERERS[kind as WindowKind] : UnknownRenderer;
}
