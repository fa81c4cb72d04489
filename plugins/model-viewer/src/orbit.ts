/**
 * The camera as a person moves it: a point it looks at (`target`), and where it sits on a sphere
 * around that point (`yaw`, `pitch`, `distance`). Plain numbers, so it is saved in the payload as
 * it is and restored exactly; every change goes through these functions and stays within limits
 * derived from the model's size.
 */
export type Vec3 = readonly [number, number, number];

export interface CameraState {
  /** Radians around the vertical axis; 0 looks from +Z toward the target. */
  readonly yaw: number;
  /** Radians above (+) or below (−) the horizon, within ±{@link MAX_PITCH}. */
  readonly pitch: number;
  readonly distance: number;
  readonly target: Vec3;
}

/** The model's bounding sphere: every limit is relative to it, so small and huge models feel alike. */
export interface Bounds {
  readonly center: Vec3;
  readonly radius: number;
}

/** Just short of straight up or down, where yaw would lose its meaning. */
export const MAX_PITCH = Math.PI / 2 - 0.01;
export const FOV_DEGREES = 40;
const MIN_DISTANCE = 0.05;
const MAX_DISTANCE = 40;
const MAX_PAN = 4;

/** The view a model opens with: from the front right, a little above, the whole model in frame. */
export function frameModel(bounds: Bounds): CameraState {
  const radius = safeRadius(bounds);
  const fit = radius / Math.sin(((FOV_DEGREES / 2) * Math.PI) / 180);
  return { yaw: Math.PI / 6, pitch: Math.PI / 9, distance: fit * 1.05, target: bounds.center };
}

/** Rotates around the target; pitch stops short of the poles, yaw wraps to (−π, π]. */
export function orbit(s: CameraState, dYaw: number, dPitch: number): CameraState {
  return { ...s, yaw: wrap(s.yaw + dYaw), pitch: clamp(s.pitch + dPitch, -MAX_PITCH, MAX_PITCH) };
}

/** Multiplies the distance by `factor` (< 1 is closer), within 0.05–40 model radii. */
export function zoom(s: CameraState, factor: number, bounds: Bounds): CameraState {
  if (!(factor > 0) || !Number.isFinite(factor)) return s;
  const r = safeRadius(bounds);
  return { ...s, distance: clamp(s.distance * factor, r * MIN_DISTANCE, r * MAX_DISTANCE) };
}

/**
 * Moves the target in the view plane by (`right`, `up`), in fractions of the current distance;
 * the target stays within four model radii of the model's centre.
 */
export function pan(s: CameraState, right: number, up: number, bounds: Bounds): CameraState {
  const { r, u } = basis(s);
  const k = s.distance;
  const moved: Vec3 = [
    s.target[0] + (r[0] * right + u[0] * up) * k,
    s.target[1] + (r[1] * right + u[1] * up) * k,
    s.target[2] + (r[2] * right + u[2] * up) * k,
  ];
  const limit = safeRadius(bounds) * MAX_PAN;
  const off = sub(moved, bounds.center);
  const len = Math.hypot(...off);
  const target: Vec3 = len > limit ? add(bounds.center, scale(off, limit / len)) : moved;
  return { ...s, target };
}

/** Where the camera sits. */
export function cameraPosition(s: CameraState): Vec3 {
  const cp = Math.cos(s.pitch);
  return [
    s.target[0] + s.distance * cp * Math.sin(s.yaw),
    s.target[1] + s.distance * Math.sin(s.pitch),
    s.target[2] + s.distance * cp * Math.cos(s.yaw),
  ];
}

/** The view's right and up directions in world space. */
function basis(s: CameraState): { r: Vec3; u: Vec3 } {
  const r: Vec3 = [Math.cos(s.yaw), 0, -Math.sin(s.yaw)];
  const sp = Math.sin(s.pitch);
  const cp = Math.cos(s.pitch);
  const u: Vec3 = [-sp * Math.sin(s.yaw), cp, -sp * Math.cos(s.yaw)];
  return { r, u };
}

/** A camera as saved (shape and finite numbers only); null for anything else. */
export function parseCamera(v: unknown): CameraState | null {
  if (typeof v !== 'object' || v === null) return null;
  const c = v as Record<string, unknown>;
  const t = c.target;
  if (!isFiniteNumber(c.yaw) || !isFiniteNumber(c.pitch) || !isFiniteNumber(c.distance) || !Array.isArray(t)
    || t.length !== 3 || !t.every(isFiniteNumber)) {
    return null;
  }
  return { yaw: c.yaw, pitch: c.pitch, distance: c.distance, target: [t[0], t[1], t[2]] as Vec3 };
}

/**
 * A saved camera brought back within this model's limits; null when `v` is not a camera at all
 * (the payload is the card's own, but a card must survive any value it is handed).
 */
export function restoreCamera(v: unknown, bounds: Bounds): CameraState | null {
  const c = parseCamera(v);
  if (!c) return null;
  const base: CameraState = { ...c, yaw: 0, pitch: 0 };
  return zoom(orbit(pan(base, 0, 0, bounds), c.yaw, c.pitch), 1, bounds);
}

/** Rounded for the payload: a few bytes, and an unchanged view saves the same text. */
export function cameraJson(s: CameraState): { yaw: number; pitch: number; distance: number; target: number[] } {
  return { yaw: round(s.yaw), pitch: round(s.pitch), distance: round(s.distance), target: s.target.map(round) };
}

export function sameCamera(a: CameraState | null, b: CameraState | null): boolean {
  if (!a || !b) return a === b;
  return JSON.stringify(cameraJson(a)) === JSON.stringify(cameraJson(b));
}

const round = (n: number) => Number(n.toPrecision(6));
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const safeRadius = (b: Bounds) => (b.radius > 0 && Number.isFinite(b.radius) ? b.radius : 1);
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: Vec3, k: number): Vec3 => [a[0] * k, a[1] * k, a[2] * k];

function wrap(a: number): number {
  const t = (a + Math.PI) % (2 * Math.PI);
  return (t <= 0 ? t + 2 * Math.PI : t) - Math.PI;
}
