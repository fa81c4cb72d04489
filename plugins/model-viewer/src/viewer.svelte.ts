/**
 * The card's behaviour: choose a model through the host's picker, read it by token, check it,
 * show it, and keep the camera and lighting in the payload. The component only draws this state.
 */
import type { CardContext } from '@labyrinth/sdk';
import { checkModel, ModelRefusal } from './gltf-check.ts';
import { loadModel as loadGltf, type LoadedModel } from './gltf-load.ts';
import { attachGestures } from './input.ts';
import { bridgeError, errorCode, type ViewerError } from './messages.ts';
import { frameModel, FOV_DEGREES, orbit, pan, parseCamera, restoreCamera, zoom, type Bounds, type CameraState } from './orbit.ts';
import { readPayload, writePayload, type LightingPreset, type SavedModel } from './payload.ts';
import { createRenderer as createAnyRenderer, type Renderer, type RendererKind, type RendererOptions } from './renderer.ts';
import { ModelView } from './view.ts';

export type ViewerStatus = 'empty' | 'loading' | 'ready';

/** What the card says it loaded (also in `data-*` attributes for tests). */
export interface ModelFactsShown {
  readonly name: string;
  readonly meshes: number;
  readonly triangles: number;
  readonly textures: number;
}

export interface ViewerDeps {
  createRenderer(options: RendererOptions): Promise<Renderer | null>;
  loadModel(glb: ArrayBuffer): Promise<LoadedModel>;
}

const CAPABILITY = 'fileRegistry:3d-model';
const SAVE_DELAY_MS = 400;
const KEY_ORBIT = Math.PI / 12;
const KEY_ZOOM = 1.2;
const KEY_PAN = 0.05;
const RENDERER_RETRY_MS = 1000;

export class ViewerState {
  status = $state<ViewerStatus>('empty');
  /** `starting` until the renderer answered; `none` when the browser can draw neither. */
  renderer = $state<RendererKind | 'none' | 'starting'>('starting');
  error = $state<ViewerError | null>(null);
  facts = $state<ModelFactsShown | null>(null);
  lighting = $state<LightingPreset>('studio');
  /** The name of the model being read, for the loading line. */
  loadingName = $state('');
  /** WebGPU started but failed to draw here; the card fell back to WebGL2. */
  webgpuFailed = $state(false);

  readonly #card: CardContext;
  readonly #deps: ViewerDeps;
  /** The model the payload names: the saved one until a pick loads, then the pick. */
  #model: SavedModel | null = null;
  #camera: CameraState | null = null;
  /** The saved camera, kept as saved until its model is loaded (it is clamped to the model then). */
  #savedCamera: unknown = null;
  #bounds: Bounds = { center: [0, 0, 0], radius: 1 };
  #loaded: LoadedModel | null = null;
  #view: ModelView | null = null;
  #viewport: HTMLElement | null = null;
  #generation = 0;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #saved = '';
  #cleanup: (() => void)[] = [];
  #destroyed = false;

  constructor(card: CardContext, deps: ViewerDeps = { createRenderer: (o) => createAnyRenderer(o), loadModel: (glb) => loadGltf(glb) }) {
    this.#card = card;
    this.#deps = deps;
    const saved = readPayload(card.payload);
    this.lighting = saved.lighting;
    this.#model = saved.model;
    this.#savedCamera = saved.camera;
    this.#saved = JSON.stringify(writePayload(saved.model, parseCamera(saved.camera), saved.lighting));
    if (saved.model) void this.#load(saved.model, saved.camera);
    this.#cleanup.push(card.onGrantsChanged((caps) => this.#grantsChanged(caps)));
  }

  /** Binds the viewport element: starts the renderer, gestures and resizing. */
  attach(viewport: HTMLElement): void {
    this.#viewport = viewport;
    this.#cleanup.push(attachGestures(viewport, {
      orbit: (dx, dy) => this.#move((s) => orbit(s, (-dx / this.#height()) * Math.PI, (dy / this.#height()) * Math.PI)),
      pan: (dx, dy) => this.#move((s) => pan(s, -dx * this.#panScale(), dy * this.#panScale(), this.#bounds)),
      zoom: (f) => this.#move((s) => zoom(s, f, this.#bounds)),
      end: () => this.#flush(),
    }));
    const resize = new ResizeObserver(() => this.#resize());
    resize.observe(viewport);
    this.#cleanup.push(() => resize.disconnect());
    this.#startRenderer(false);
  }

  /** `retries`: after WebGPU failed the browser's GPU process may be restarting; WebGL2 gets a few tries. */
  #startRenderer(webgl2Only: boolean, retries = 0): void {
    const viewport = this.#viewport;
    if (!viewport) return;
    void this.#deps.createRenderer({ webgl2Only, onFailure: () => this.#rendererFailed() }).then((r) => {
      if (this.#destroyed) {
        r?.dispose();
        return;
      }
      if (!r && retries > 0) {
        setTimeout(() => this.#startRenderer(webgl2Only, retries - 1), RENDERER_RETRY_MS);
        return;
      }
      this.renderer = r ? r.kind : 'none';
      if (!r) return;
      this.#view = new ModelView(r);
      r.canvas.setAttribute('aria-hidden', 'true');
      viewport.append(r.canvas);
      this.#view.setLighting(this.lighting);
      this.#resize();
      this.#show();
    });
  }

  /** WebGPU failed after it started (a draw threw, the device was lost): draw with WebGL2 instead. */
  #rendererFailed(): void {
    if (this.#destroyed || this.renderer !== 'webgpu') return;
    this.#view?.dispose();
    this.#view = null;
    this.webgpuFailed = true;
    this.renderer = 'starting';
    this.#startRenderer(true, 5);
  }

  get hasModel(): boolean {
    return this.#loaded !== null;
  }

  /** Choose Model…: the host's picker; the pick is the only file this card can read. */
  async choose(): Promise<void> {
    let handle;
    try {
      handle = await this.#card.requestAsset('3d-model');
    } catch (e) {
      const code = errorCode(e);
      if (code !== 'cancelled') this.error = bridgeError(code, 'the model');
      return;
    }
    await this.#load({ token: handle.token, name: handle.name }, null);
  }

  resetView(): void {
    if (!this.#loaded) return;
    this.#move(() => frameModel(this.#bounds));
    this.#flush();
  }

  setLighting(preset: LightingPreset): void {
    this.lighting = preset;
    this.#view?.setLighting(preset);
    this.#save();
  }

  /** Arrow keys orbit, Shift+arrows pan, +/- zoom, 0 resets. Returns whether the key was used. */
  key(e: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'altKey' | 'ctrlKey' | 'metaKey'>): boolean {
    if (!this.#loaded || e.altKey || e.ctrlKey || e.metaKey) return false;
    const arrows: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    const dir = arrows[e.key];
    if (dir) {
      this.#move((s) => (e.shiftKey
        ? pan(s, dir[0] * KEY_PAN, dir[1] * KEY_PAN, this.#bounds)
        : orbit(s, -dir[0] * KEY_ORBIT, -dir[1] * KEY_ORBIT)));
    } else if (e.key === '+' || e.key === '=') {
      this.zoomBy(1 / KEY_ZOOM);
      return true;
    } else if (e.key === '-' || e.key === '_') {
      this.zoomBy(KEY_ZOOM);
      return true;
    } else if (e.key === '0' || e.key === 'Home') {
      this.resetView();
      return true;
    } else {
      return false;
    }
    this.#save();
    return true;
  }

  zoomBy(factor: number): void {
    this.#move((s) => zoom(s, factor, this.#bounds));
    this.#save();
  }

  destroy(): void {
    this.#destroyed = true;
    this.#generation++;
    this.#flush();
    for (const off of this.#cleanup.splice(0)) off();
    this.#loaded?.dispose();
    this.#loaded = null;
    this.#view?.dispose();
    this.#view = null;
  }

  // ---- loading -----------------------------------------------------------------------------

  async #load(model: SavedModel, savedCamera: unknown): Promise<void> {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation && !this.#destroyed;
    this.status = this.#loaded ? 'ready' : 'loading';
    this.loadingName = model.name;
    this.error = null;
    let loaded: LoadedModel;
    try {
      const asset = await this.#card.readAsset(model.token);
      if (!current()) return;
      const checked = checkModel(asset.data);
      loaded = await this.#deps.loadModel(checked.glb);
    } catch (e) {
      if (!current()) return;
      this.loadingName = '';
      this.status = this.#loaded ? 'ready' : 'empty';
      this.error = e instanceof ModelRefusal
        ? { code: e.code, message: e.message }
        : errorCode(e) !== 'unknown'
          ? bridgeError(errorCode(e), model.name)
          : { code: 'load_failed', message: `“${model.name}” could not be shown: ${(e as Error)?.message ?? 'unknown error'}` };
      return;
    }
    if (!current()) {
      loaded.dispose();
      return;
    }
    this.#loaded?.dispose();
    this.#loaded = loaded;
    this.#model = model;
    this.#bounds = loaded.bounds;
    this.#camera = restoreCamera(savedCamera, loaded.bounds) ?? frameModel(loaded.bounds);
    this.facts = { name: model.name, meshes: loaded.meshes, triangles: loaded.triangles, textures: loaded.textures };
    this.loadingName = '';
    this.status = 'ready';
    this.#show();
    this.#save(true);
  }

  /** Puts the loaded model and camera into the view, once both exist. */
  #show(): void {
    if (!this.#view || !this.#loaded || !this.#camera) return;
    this.#view.setModel(this.#loaded.root, this.#bounds);
    this.#view.setCamera(this.#camera);
  }

  /** A revoke of the capability kills the token: stop showing what it gave. */
  #grantsChanged(caps: readonly string[]): void {
    if (caps.includes(CAPABILITY) || !this.#model) return;
    const name = this.#model.name;
    this.#generation++;
    this.#view?.setModel(null, this.#bounds);
    this.#loaded?.dispose();
    this.#loaded = null;
    this.#camera = null;
    this.#savedCamera = null;
    this.facts = null;
    this.status = 'empty';
    this.error = bridgeError('revoked', name);
  }

  // ---- camera --------------------------------------------------------------------------------

  #move(change: (s: CameraState) => CameraState): void {
    if (!this.#camera) return;
    this.#camera = change(this.#camera);
    this.#view?.setCamera(this.#camera);
    this.#save();
  }

  #height(): number {
    return Math.max(1, this.#viewport?.clientHeight ?? 1);
  }

  /** Fraction of the camera distance one pixel moves the target. */
  #panScale(): number {
    return (2 * Math.tan((FOV_DEGREES / 2) * (Math.PI / 180))) / this.#height();
  }

  #resize(): void {
    const el = this.#viewport;
    if (el) this.#view?.setSize(el.clientWidth, el.clientHeight);
  }

  // ---- payload -------------------------------------------------------------------------------

  /** Saves after a pause (a drag sends many moves); `now` writes at once. */
  #save(now = false): void {
    clearTimeout(this.#saveTimer);
    if (now) this.#flush();
    else this.#saveTimer = setTimeout(() => this.#flush(), SAVE_DELAY_MS);
  }

  #flush(): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    const payload = writePayload(this.#model, this.#camera ?? parseCamera(this.#savedCamera), this.lighting);
    const text = JSON.stringify(payload);
    if (text === this.#saved) return;
    // A new card nobody has used yet keeps no payload at all.
    if (this.#card.payload === null && !this.#model && this.lighting === 'studio') return;
    this.#saved = text;
    this.#card.setPayload(payload);
  }
}
