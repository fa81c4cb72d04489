import type { Component } from 'svelte';
import type { WindowState } from '../windows/types';

/** Props every window renderer receives. */
export interface RendererProps {
  win: WindowState;
  /** Focused and not minimized. */
  active: boolean;
}

export type Renderer = Component<RendererProps>;
