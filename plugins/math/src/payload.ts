/**
 * The Math card's saved state (the card payload): what the person wrote, what it was recognised
 * as, the received ink's summary and preview, the last result and the plot range. Parsed
 * defensively: a payload from an older or damaged card never breaks the mount.
 */
export interface PlotSettings {
  xMin: number;
  xMax: number;
  /** When true the y range follows the function; otherwise yMin..yMax. */
  yAuto: boolean;
  yMin: number;
  yMax: number;
}

/**
 * The share the ink came from: its id (the host pushes the same share again after every reload;
 * it is recognised once) and whether the person revoked it (then the preview and the reading are
 * gone, the expression stays: it is the person's own work).
 */
export interface SelectionRef {
  id: string;
  revoked: boolean;
}

export interface MathPayload {
  v: 1;
  /** The expression, as LaTeX, after any edits. */
  latex: string;
  /** What the recogniser read from the ink (null for a card that received none). */
  recognized: string | null;
  /** Strokes received with the last selection. */
  strokes: number;
  /** `data:image/png;base64,…` of the received selection, when small enough to keep. */
  preview: string | null;
  /** The share the strokes and preview came from (null for a card that received none). */
  selection: SelectionRef | null;
  /** LaTeX of the last result shown (recomputed on open; kept so a closed card's snapshot and a reopen agree). */
  result: string | null;
  plot: PlotSettings;
}

export const DEFAULT_PLOT: PlotSettings = Object.freeze({ xMin: -10, xMax: 10, yAuto: true, yMin: -10, yMax: 10 });
/** Previews above this many characters are not saved (the payload limit is 1 MiB for everything). */
export const MAX_PREVIEW_CHARS = 200_000;
const MAX_LATEX = 2000;
/** Longest share id the SDK accepts. */
const MAX_SELECTION_ID = 200;

export function emptyPayload(): MathPayload {
  return { v: 1, latex: '', recognized: null, strokes: 0, preview: null, selection: null, result: null, plot: { ...DEFAULT_PLOT } };
}

/** Own properties only: nothing inherited is ever read as card state. */
const own = (o: object): Record<string, unknown> => Object.fromEntries(Object.entries(o));
const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const str = (v: unknown, max: number) => (typeof v === 'string' && v.length <= max ? v : null);

export function parsePayload(raw: unknown): MathPayload {
  const p = emptyPayload();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return p;
  const o = own(raw);
  p.latex = str(o.latex, MAX_LATEX) ?? '';
  p.recognized = str(o.recognized, MAX_LATEX);
  p.strokes = Math.max(0, Math.floor(num(o.strokes, 0)));
  const preview = str(o.preview, MAX_PREVIEW_CHARS);
  p.preview = preview && preview.startsWith('data:image/png;base64,') ? preview : null;
  p.selection = parseSelectionRef(o.selection);
  if (p.selection?.revoked) { p.preview = null; p.recognized = null; p.strokes = 0; }
  p.result = str(o.result, MAX_LATEX * 4);
  p.plot = parsePlot(o.plot);
  return p;
}

function parseSelectionRef(raw: unknown): SelectionRef | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const o = own(raw);
  const id = str(o.id, MAX_SELECTION_ID);
  return id ? { id, revoked: o.revoked === true } : null;
}

export function parsePlot(raw: unknown): PlotSettings {
  const o = typeof raw === 'object' && raw !== null ? own(raw) : {};
  const plot = {
    xMin: num(o.xMin, DEFAULT_PLOT.xMin), xMax: num(o.xMax, DEFAULT_PLOT.xMax),
    yAuto: typeof o.yAuto === 'boolean' ? o.yAuto : DEFAULT_PLOT.yAuto,
    yMin: num(o.yMin, DEFAULT_PLOT.yMin), yMax: num(o.yMax, DEFAULT_PLOT.yMax),
  };
  if (!(plot.xMin < plot.xMax)) { plot.xMin = DEFAULT_PLOT.xMin; plot.xMax = DEFAULT_PLOT.xMax; }
  if (!(plot.yMin < plot.yMax)) { plot.yMin = DEFAULT_PLOT.yMin; plot.yMax = DEFAULT_PLOT.yMax; }
  return plot;
}

/** `data:image/png;base64,…` from PNG bytes, or null when too large to keep. */
export function pngDataUrl(bytes: ArrayBuffer): string | null {
  const u8 = new Uint8Array(bytes);
  if (Math.ceil(u8.length / 3) * 4 + 22 > MAX_PREVIEW_CHARS) return null;
  let bin = '';
  for (let i = 0; i < u8.length; i += 0x8000) bin += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(bin)}`;
}
