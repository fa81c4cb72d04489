// Wire types, mirrored from docs/api.md (the contract). Change the contract first.

export type Role = 'admin' | 'member';

export interface UserDto {
  id: string;
  userName: string;
  role: Role;
}

export interface ViewportDto {
  x: number;
  y: number;
  zoom: number;
}

export type WindowKind = 'form' | 'chat' | 'metadata' | 'plugin';

export interface WindowPluginRef {
  pluginId: string;
  version: string;
  typeID: string;
  props: Record<string, unknown>;
}

export interface WindowDto {
  id: string;
  kind: WindowKind;
  title: string;
  x: number;
  y: number;
  width: number;
  height: number;
  z: number;
  minimized: boolean;
  maximized: boolean;
  data: Record<string, unknown> | null;
  plugin: WindowPluginRef | null;
}

export interface BoardSummaryDto {
  id: string;
  name: string;
  version: number;
  updatedAt: string;
}

export interface BoardDto {
  id: string;
  name: string;
  version: number;
  viewport: ViewportDto;
  windows: WindowDto[];
  updatedAt: string;
}

export interface SpawnRequest {
  kind: string;
  title?: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  data?: Record<string, unknown>;
  plugin?: { pluginId: string; version?: string; typeID: string; props?: Record<string, unknown> };
}

export interface SpawnResponse {
  board: BoardDto;
  window: WindowDto;
}

export interface SizeDto {
  width: number;
  height: number;
}

export interface CardTypeDto {
  typeID: string;
  name: string;
  icon: string;
  defaultSize: SizeDto;
  minSize?: SizeDto | null;
  propsSchema: Record<string, unknown> | null;
  frameUrl: string;
  entryUrl: string;
}

export interface PluginDto {
  id: string;
  version: string;
  name: string;
  description: string;
  author: string;
  enabled: boolean;
  bundleBytes: number;
  cards: CardTypeDto[];
}

export interface PayloadDto {
  payload: unknown;
  version: number;
}

export interface CardLoadTelemetry {
  pluginId: string;
  version: string;
  typeID: string;
  ok: boolean;
  loadMs: number;
  error?: string;
}
