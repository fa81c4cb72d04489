import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@labyrinth/sdk';
import { cameraPosition, frameModel, orbit, pan, parseCamera, restoreCamera, zoom, MAX_PITCH, type Bounds } from '../src/orbit.ts';
import { EMPTY_PAYLOAD, readPayload, writePayload } from '../src/payload.ts';

const bounds: Bounds = { center: [0, 1, 0], radius: 2 };

describe('payload', () => {
  it('Payload_WriteThenRead_RoundTripsModelCameraAndLighting', () => {
    const camera = orbit(frameModel(bounds), 0.4, 0.2);
    const written = writePayload({ token: 'lab_ast_abc', name: 'Knot.glb' }, camera, 'outdoor');
    const read = readPayload(JSON.parse(JSON.stringify(written)) as JsonValue);
    expect(read.model).toEqual({ token: 'lab_ast_abc', name: 'Knot.glb' });
    expect(read.lighting).toBe('outdoor');
    const restored = restoreCamera(read.camera, bounds)!;
    for (const k of ['yaw', 'pitch', 'distance'] as const) expect(restored[k]).toBeCloseTo(camera[k], 4);
    restored.target.forEach((v, i) => expect(v).toBeCloseTo(camera.target[i]!, 4));
  });

  it('Payload_WrittenTwiceForTheSameView_IsTheSameText', () => {
    const a = writePayload({ token: 't', name: 'n' }, frameModel(bounds), 'studio');
    const b = writePayload({ token: 't', name: 'n' }, orbit(orbit(frameModel(bounds), 1e-9, 0), -1e-9, 0), 'studio');
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it.each([
    null, 42, 'text', [], { model: 'x' }, { model: { token: 5 } }, { model: { token: '' } }, { model: { token: 'x'.repeat(600) } },
  ])('Payload_Malformed_%j_ReadsAsNoModel', (raw) => {
    expect(readPayload(raw as JsonValue)).toEqual(EMPTY_PAYLOAD);
  });

  it('Payload_UnknownLighting_FallsBackToStudio', () => {
    expect(readPayload({ model: null, lighting: 'disco' }).lighting).toBe('studio');
  });

  it('Payload_NoModel_SavesNoCamera', () => {
    expect(writePayload(null, frameModel(bounds), 'flat')).toEqual({ v: 1, model: null, camera: null, lighting: 'flat' });
  });
});

describe('orbit camera', () => {
  it('Frame_PutsTheWholeModelInView', () => {
    const s = frameModel(bounds);
    expect(s.target).toEqual([0, 1, 0]);
    // The bounding sphere fits inside the 40° field of view.
    expect(Math.asin(bounds.radius / s.distance)).toBeLessThan((20 * Math.PI) / 180);
  });

  it('Orbit_StopsShortOfThePoles', () => {
    const s = orbit(frameModel(bounds), 0, 10);
    expect(s.pitch).toBe(MAX_PITCH);
    expect(orbit(s, 0, -20).pitch).toBe(-MAX_PITCH);
  });

  it('Orbit_YawWrapsWithinPlusMinusPi', () => {
    const s = orbit(frameModel(bounds), 7 * Math.PI, 0);
    expect(s.yaw).toBeGreaterThan(-Math.PI);
    expect(s.yaw).toBeLessThanOrEqual(Math.PI);
  });

  it('Zoom_IsClampedToTheModelSize', () => {
    const s = frameModel(bounds);
    expect(zoom(s, 1e-9, bounds).distance).toBeCloseTo(bounds.radius * 0.05);
    expect(zoom(s, 1e9, bounds).distance).toBeCloseTo(bounds.radius * 40);
    expect(zoom(s, Number.NaN, bounds)).toBe(s);
  });

  it('Pan_MovesTheTargetSidewaysAndStaysNearTheModel', () => {
    const s = { ...frameModel(bounds), yaw: 0, pitch: 0 };
    const moved = pan(s, 0.1, 0, bounds);
    expect(moved.target[0]).toBeCloseTo(0.1 * s.distance);
    expect(moved.target[1]).toBeCloseTo(1);
    const far = pan(s, 1000, 1000, bounds);
    expect(Math.hypot(far.target[0], far.target[1] - 1, far.target[2])).toBeCloseTo(bounds.radius * 4);
  });

  it('CameraPosition_IsDistanceAwayFromTheTarget', () => {
    const s = orbit(frameModel(bounds), 0.7, -0.3);
    const p = cameraPosition(s);
    expect(Math.hypot(p[0] - s.target[0], p[1] - s.target[1], p[2] - s.target[2])).toBeCloseTo(s.distance);
  });

  it.each([null, {}, { yaw: 'a' }, { yaw: 0, pitch: 0, distance: Infinity, target: [0, 0, 0] }, { yaw: 0, pitch: 0, distance: 1, target: [0, 0] }])(
    'RestoreCamera_%j_IsNull', (v) => {
      expect(parseCamera(v)).toBeNull();
      expect(restoreCamera(v, bounds)).toBeNull();
    },
  );

  it('RestoreCamera_OutOfRangeValues_AreClampedToTheModel', () => {
    const s = restoreCamera({ yaw: 100, pitch: 9, distance: 1e12, target: [1e9, 0, 0] }, bounds)!;
    expect(s.pitch).toBe(MAX_PITCH);
    expect(s.distance).toBeCloseTo(bounds.radius * 40);
    expect(Math.hypot(s.target[0], s.target[1] - 1, s.target[2])).toBeCloseTo(bounds.radius * 4);
  });
});
