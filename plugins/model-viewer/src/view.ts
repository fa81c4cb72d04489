/**
 * The three.js scene of one card: camera, lighting preset, the model, and a renderer. Draws on
 * demand (a camera move, a resize, a new model), never in a loop: an idle card costs nothing.
 */
import {
  AmbientLight, Color, DirectionalLight, Group, HemisphereLight, PerspectiveCamera, Scene, type Object3D,
} from 'three';
import { cameraPosition, FOV_DEGREES, type Bounds, type CameraState } from './orbit.ts';
import type { LightingPreset } from './payload.ts';
import type { Renderer, RendererKind } from './renderer.ts';

interface Preset {
  readonly background: number;
  /** Lights that move with the camera (a photographer's lights) vs. fixed in the world (the sun). */
  build(camera: Group, world: Group, radius: number): void;
}

/** A directional light at `at`, aimed at `to`, both in `group`'s space (its target must live there too). */
function aim(group: Group, color: number, intensity: number, at: readonly number[], to: readonly number[]): void {
  const light = new DirectionalLight(color, intensity);
  light.position.set(at[0]!, at[1]!, at[2]!);
  light.target.position.set(to[0]!, to[1]!, to[2]!);
  group.add(light, light.target);
}

const PRESETS: Record<LightingPreset, Preset> = {
  studio: {
    background: 0x2b2e35,
    build(camera, world, r) {
      world.add(new HemisphereLight(0xffffff, 0x3a3d44, 1.1));
      // In camera space: the model sits ahead on -Z.
      const ahead = [0, 0, -r * 3];
      aim(camera, 0xffffff, 2.4, [r * 1.2, r * 1.6, r * 0.5], ahead); // key
      aim(camera, 0xdde6ff, 0.8, [-r * 1.6, r * 0.3, 0], ahead); // fill
      aim(camera, 0xffffff, 1.2, [0, r * 0.8, -r * 6], ahead); // rim, from behind the model
    },
  },
  outdoor: {
    background: 0xc9def0,
    build(_camera, world, r) {
      world.add(new HemisphereLight(0xcfe6ff, 0x6f5f4a, 1.6));
      aim(world, 0xfff0d8, 2.8, [r * 1.5, r * 3, r], [0, 0, 0]); // the sun, fixed in the world
    },
  },
  flat: {
    background: 0xeceef1,
    build(_camera, world) {
      world.add(new AmbientLight(0xffffff, 3));
    },
  },
};

export class ModelView {
  readonly kind: RendererKind;
  readonly canvas: HTMLCanvasElement;
  readonly #renderer: Renderer;
  readonly #scene = new Scene();
  readonly #camera = new PerspectiveCamera(FOV_DEGREES, 1, 0.01, 1000);
  readonly #cameraLights = new Group();
  readonly #worldLights = new Group();
  #model: Object3D | null = null;
  #bounds: Bounds = { center: [0, 0, 0], radius: 1 };
  #preset: LightingPreset = 'studio';
  #frame = 0;

  constructor(renderer: Renderer) {
    this.#renderer = renderer;
    this.kind = renderer.kind;
    this.canvas = renderer.canvas;
    this.#camera.add(this.#cameraLights);
    this.#scene.add(this.#camera, this.#worldLights);
    this.setLighting('studio');
  }

  setModel(root: Object3D | null, bounds: Bounds): void {
    if (this.#model) this.#scene.remove(this.#model);
    this.#model = root;
    this.#bounds = bounds;
    if (root) this.#scene.add(root);
    this.setLighting(this.#preset); // lights are placed for the model's size
  }

  setLighting(preset: LightingPreset): void {
    this.#preset = preset;
    for (const g of [this.#cameraLights, this.#worldLights]) {
      for (const light of [...g.children]) {
        g.remove(light);
        (light as { dispose?: () => void }).dispose?.();
      }
    }
    const p = PRESETS[preset];
    this.#scene.background = new Color(p.background);
    p.build(this.#cameraLights, this.#worldLights, this.#bounds.radius);
    this.#worldLights.position.set(...this.#bounds.center);
    this.requestRender();
  }

  setCamera(s: CameraState): void {
    const [x, y, z] = cameraPosition(s);
    this.#camera.position.set(x, y, z);
    this.#camera.lookAt(s.target[0], s.target[1], s.target[2]);
    // Near and far follow the distance, so depth precision holds for tiny and huge models alike.
    const r = this.#bounds.radius;
    this.#camera.near = Math.max(s.distance - r * 2, s.distance / 1000, 1e-4);
    this.#camera.far = s.distance + r * 10;
    this.#camera.updateProjectionMatrix();
    this.requestRender();
  }

  setSize(width: number, height: number): void {
    if (width < 1 || height < 1) return;
    this.#renderer.setSize(width, height);
    this.#camera.aspect = width / height;
    this.#camera.updateProjectionMatrix();
    this.requestRender();
  }

  /** Draws once at the next animation frame, however many changes came before it. */
  requestRender(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#renderer.render(this.#scene, this.#camera);
    });
  }

  dispose(): void {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    if (this.#model) this.#scene.remove(this.#model);
    this.#renderer.dispose();
    this.canvas.remove();
  }
}
