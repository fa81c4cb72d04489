// Lasso → Convert to Math (CSC §13.1), host side: the selection becomes a Math card beside it and
// the card receives exactly the selected strokes (card-local) and a PNG the host drew of them,
// only because the person asked, and nothing else of the board, ever.
import type { SpawnRequest } from '../api/types';
import type { PluginCatalog } from '../plugins/plugins.svelte';
import { localSelection, type LocalSelection } from './geometry';
import { outlineOf, pathOf } from './renderer';
import type { InkLimits, InkStroke, SelectionContentDto, SelectionSnapshot, ShareSelectionDto, SharedSelectionDto, Stroke } from './types';

export const MATH_PLUGIN_ID = 'dev.labyrinth.math';
export const MATH_TYPE_ID = 'math';
/** The PNG is drawn on white paper, default ink in near-black: a document of the selection, the same in any theme. */
export const PAPER = '#ffffff';
export const PAPER_INK = '#1d2330';
/** Longest side of the PNG in pixels; the scale is at most 2 (crisp on high-density screens). */
export const MAX_IMAGE_SIDE = 2048;
/** World units between the selection and the new card. */
export const CARD_GAP = 40;

/** Why Convert to Math cannot run right now, or null when it can. */
export function convertBlockedReason(plugins: Pick<PluginCatalog, 'loaded' | 'cards'>): string | null {
  if (!plugins.loaded) return 'Checking for the Math plugin…';
  const found = plugins.cards.some((c) => c.plugin.id === MATH_PLUGIN_ID && c.card.typeID === MATH_TYPE_ID && c.plugin.enabled !== false);
  return found ? null : 'The Math plugin is not installed or is disabled. Ask an admin to install or enable it.';
}

/** Why this selection is too large to share (the server's published limits), or null. */
export function selectionTooLarge(strokes: readonly Stroke[], limits: Pick<InkLimits, 'maxSelectionStrokes' | 'maxSelectionPoints'>): string | null {
  if (strokes.length > limits.maxSelectionStrokes) return `A selection can hold at most ${limits.maxSelectionStrokes.toLocaleString()} strokes; lasso fewer.`;
  const points = strokes.reduce((n, s) => n + s.points.length / 3, 0);
  return points > limits.maxSelectionPoints ? `A selection can hold at most ${limits.maxSelectionPoints.toLocaleString()} points; lasso fewer strokes.` : null;
}

/** Where the Math card goes: to the right of the selection, top-aligned. */
export function mathCardRequest(sel: Pick<LocalSelection, 'originX' | 'originY' | 'width'>): SpawnRequest {
  return {
    kind: 'plugin',
    x: Math.round(sel.originX + sel.width + CARD_GAP),
    y: Math.round(sel.originY),
    plugin: { pluginId: MATH_PLUGIN_ID, typeID: MATH_TYPE_ID },
  } as SpawnRequest;
}

/** Draws the (card-local) strokes into a PNG on paper. */
export async function renderSelectionPng(strokes: readonly InkStroke[], width: number, height: number): Promise<Blob> {
  const scale = Math.min(2, MAX_IMAGE_SIDE / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.ceil(width * scale));
  canvas.height = Math.max(1, Math.ceil(height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw the selection.');
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  for (const s of strokes) {
    ctx.fillStyle = s.color === 'currentColor' ? PAPER_INK : s.color;
    ctx.fill(pathOf(outlineOf(s.points.flat(), s.width)));
  }
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The selection could not be drawn.'))), 'image/png'));
}

export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function fromBase64(b64: string): ArrayBuffer {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

/** The body of `PUT …/selection` for the selected strokes, with the PNG; null when nothing is selected. */
export async function buildShare(ordered: readonly Stroke[], selected: ReadonlySet<string>): Promise<{ local: LocalSelection; body: ShareSelectionDto; png: ArrayBuffer } | null> {
  const local = localSelection(ordered, selected);
  if (!local) return null;
  const png = await (await renderSelectionPng(local.strokes, local.width, local.height)).arrayBuffer();
  return {
    local,
    body: { strokes: local.strokes, width: local.width, height: local.height, image: { mediaType: 'image/png', data: toBase64(new Uint8Array(png)) } },
    png,
  };
}

/** The message payload for a share the server answered (or stored earlier). */
export function snapshotOf(content: SelectionContentDto): SelectionSnapshot {
  return {
    id: content.id,
    strokes: content.strokes.map((s) => ({ points: s.points.map((p) => [p[0], p[1], p[2]]), color: s.color, width: s.width })),
    width: content.width,
    height: content.height,
    image: { mediaType: 'image/png', data: fromBase64(content.image) },
    createdAt: content.createdAt,
  };
}

/** The snapshot of a share just made, without reading it back. */
export function snapshotFromShare(shared: SharedSelectionDto, body: ShareSelectionDto, png: ArrayBuffer): SelectionSnapshot {
  return { id: shared.id, strokes: body.strokes, width: body.width, height: body.height, image: { mediaType: 'image/png', data: png.slice(0) }, createdAt: shared.createdAt };
}
