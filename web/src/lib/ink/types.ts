// Ink on the board (docs/api.md "Ink"). Strokes live in world units, drawn under the windows.

/** A stroke in memory: flat points `[x0, y0, p0, x1, y1, p1, …]`, quantised to the server's step. */
export interface Stroke {
  readonly id: string;
  readonly points: Float32Array;
  /** `#rrggbb`, or {@link DEFAULT_INK} (drawn in the theme's text colour). */
  readonly color: string;
  readonly width: number;
  /** Extent of the points in world units, grown by half the width (what the stroke can paint). */
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

export const DEFAULT_INK = 'currentColor';

export type InkTool = 'pen' | 'eraser' | 'lasso';

/** Wire shapes (docs/api.md "Ink"). `points` is base64 of the compact encoding (codec.ts). */
export interface StrokeDto {
  id: string;
  color: string;
  width: number;
  points: string;
}

export interface InkLimits {
  maxPointsPerStroke: number;
  maxStrokesPerBoard: number;
  maxStrokesPerBatch: number;
  maxIdsPerBatch: number;
  maxBatchBytes: number;
  maxCoordinate: number;
  minWidth: number;
  maxWidth: number;
  quantum: number;
  maxSelectionStrokes: number;
  maxSelectionPoints: number;
  maxSelectionImageBytes: number;
}

export interface InkDto {
  revision: number;
  strokes: StrokeDto[];
  limits: InkLimits;
}

export interface StrokeInputDto {
  id: string;
  points: number[];
  color: string;
  width: number;
}

export interface StrokesAddedDto {
  revision: number;
  added: number;
}

export interface StrokesErasedDto {
  revision: number;
  erasure: string;
  erased: string[];
  missing: string[];
}

export interface StrokesRestoredDto {
  revision: number;
  restored: string[];
}

// ---- the selection a card receives (CSC §6.1 pushSelectionSnapshot; SDK: SelectionSnapshot) ----

/** `[x, y, pressure 0..1]` in card-local units. */
export type InkPoint = [number, number, number];

export interface InkStroke {
  points: InkPoint[];
  color: string;
  width: number;
}

export interface SelectionSnapshot {
  /** Opaque id of this share. */
  id: string;
  /** The selected strokes only, in drawing order. */
  strokes: InkStroke[];
  /** Their bounding box; (0,0) = its top-left, y down, board world units. */
  width: number;
  height: number;
  image: { mediaType: 'image/png'; data: ArrayBuffer };
  /** ISO 8601. */
  createdAt: string;
}

/** `PUT /api/cards/{b}/{w}/selection`. */
export interface ShareSelectionDto {
  strokes: InkStroke[];
  width: number;
  height: number;
  image: { mediaType: 'image/png'; data: string };
}

/** What the permissions panel lists (`CardPermissionsDto.selection`). */
export interface SharedSelectionDto {
  id: string;
  width: number;
  height: number;
  strokeCount: number;
  pointCount: number;
  imageBytes: number;
  createdAt: string;
  previewUrl: string;
}

/** `GET /api/cards/{b}/{w}/selection`; `image` is base64. */
export interface SelectionContentDto {
  id: string;
  width: number;
  height: number;
  strokes: InkStroke[];
  imageMediaType: 'image/png';
  image: string;
  createdAt: string;
}
