/**
 * What the card saves: the model's token (the host's grant, not the file), the camera and the
 * lighting. Reading is tolerant: anything malformed falls back to "no model" or the defaults, so a
 * damaged payload never breaks the card.
 */
import type { JsonValue } from '@labyrinth/sdk';
import { cameraJson, type CameraState } from './orbit.ts';

export const LIGHTING_PRESETS = ['studio', 'outdoor', 'flat'] as const;
export type LightingPreset = (typeof LIGHTING_PRESETS)[number];

export interface SavedModel {
  readonly token: string;
  readonly name: string;
}

export interface ViewerPayload {
  readonly model: SavedModel | null;
  /** Raw saved camera; checked against the model's size once it is loaded (see `restoreCamera`). */
  readonly camera: unknown;
  readonly lighting: LightingPreset;
}

export const EMPTY_PAYLOAD: ViewerPayload = Object.freeze({ model: null, camera: null, lighting: 'studio' });

const MAX_TOKEN = 512;
const MAX_NAME = 200;

export function isLightingPreset(v: unknown): v is LightingPreset {
  return typeof v === 'string' && (LIGHTING_PRESETS as readonly string[]).includes(v);
}

export function readPayload(raw: JsonValue | null | undefined): ViewerPayload {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return EMPTY_PAYLOAD;
  const m = raw.model;
  const model = typeof m === 'object' && m !== null && !Array.isArray(m)
    && typeof m.token === 'string' && m.token.length > 0 && m.token.length <= MAX_TOKEN
    ? { token: m.token, name: typeof m.name === 'string' ? m.name.slice(0, MAX_NAME) : 'model' }
    : null;
  return {
    model,
    camera: model ? (raw.camera ?? null) : null,
    lighting: isLightingPreset(raw.lighting) ? raw.lighting : 'studio',
  };
}

export function writePayload(model: SavedModel | null, camera: CameraState | null, lighting: LightingPreset): JsonValue {
  return {
    v: 1,
    model: model ? { token: model.token, name: model.name.slice(0, MAX_NAME) } : null,
    camera: model && camera ? cameraJson(camera) : null,
    lighting,
  };
}
