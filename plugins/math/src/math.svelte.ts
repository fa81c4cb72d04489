import type { CardContext, JsonObject, SelectionSnapshot } from '@labyrinth/sdk';
import { debounce } from '@labyrinth/sdk';
import { evaluateLatex, type Outcome } from './cas/evaluate.ts';
import { parsePayload, pngDataUrl, type MathPayload, type PlotSettings } from './payload.ts';
import { recognize } from './recognizer/recognize.ts';

/**
 * The Math card's state: the saved {@link MathPayload}, the live outcome of evaluating the
 * expression, and the flow of a pushed selection (count, preview, recognise, evaluate, save).
 */
export class MathCardState {
  payload = $state(parsePayload(null));
  /** Object URL or data URL of the received PNG. */
  preview = $state<string | null>(null);
  recognizing = $state(false);
  /** Milliseconds the last recognition took (shown to the person, not asserted anywhere). */
  recognizeMs = $state<number | null>(null);
  /** Id of the share the host has pushed to this frame and not revoked (`card.selection`). */
  shared = $state<string | null>(null);
  readonly outcome: Outcome | null = $derived(this.payload.latex.trim() ? evaluateLatex(this.payload.latex) : null);
  readonly #card: CardContext;
  readonly #offSelection: () => void;
  readonly #saveSoon = debounce(() => this.#save(), 300);
  #recognition: ReturnType<typeof setTimeout> | null = null;
  /** Called when the expression changes from outside the editor (a recognition). */
  onExternalLatex: ((latex: string) => void) | null = null;

  /**
   * What is saved: plain data, updated with every change. The reactive `payload` mirrors it for
   * the UI; saving never reads reactive state (a close right after an edit must save the edit).
   */
  #data: MathPayload;

  constructor(card: CardContext) {
    this.#card = card;
    this.#data = parsePayload(card.payload);
    this.payload = { ...this.#data };
    this.preview = this.#data.preview;
    this.#offSelection = card.onSelection((s) => this.receive(s));
  }

  /**
   * A selection arrived (Lasso → Convert to Math): show it, recognise it, evaluate, save. The host
   * pushes the same share again after every reload: one already read is only shown, so a
   * reload never replaces what the person wrote since. `null`: the person revoked the share.
   */
  receive(selection: SelectionSnapshot | null): void {
    if (!selection) { this.#revoked(); return; }
    const known = this.#data.selection;
    // Read already (recognized is null until a recognition finishes: a frame closed mid-way reads it again).
    if (known?.id === selection.id && (known.revoked || this.#data.recognized !== null)) {
      if (known.revoked) return;
      this.shared = selection.id;
      // The PNG was too large to keep in the payload: show this frame's copy.
      if (!this.preview) this.#setPreview(URL.createObjectURL(new Blob([selection.image.data], { type: 'image/png' })));
      return;
    }
    this.shared = selection.id;
    const preview = pngDataUrl(selection.image.data);
    this.#update({ strokes: selection.strokes.length, preview, recognized: null, selection: { id: selection.id, revoked: false } });
    this.#setPreview(preview ?? URL.createObjectURL(new Blob([selection.image.data], { type: 'image/png' })));
    this.recognizing = true;
    if (this.#recognition !== null) clearTimeout(this.#recognition);
    // Let the count and preview paint before the recogniser takes the thread.
    this.#recognition = setTimeout(() => {
      this.#recognition = null;
      const t0 = performance.now();
      let latex = '';
      try {
        latex = recognize(selection.strokes.map((s) => s.points.map(([x, y]) => [x, y]))).latex;
      } finally {
        this.recognizeMs = Math.round(performance.now() - t0);
        this.recognizing = false;
      }
      this.#update({ recognized: latex });
      this.setLatex(latex, true);
      this.onExternalLatex?.(latex);
    }, 0);
  }

  /**
   * The person revoked the share: forget the ink's preview, count and reading (saved at once),
   * keep the expression and its result, which are the person's own.
   */
  #revoked(): void {
    this.shared = null;
    const known = this.#data.selection;
    if (!known || known.revoked) return;
    if (this.#recognition !== null) {
      clearTimeout(this.#recognition);
      this.#recognition = null;
      this.recognizing = false;
    }
    this.#setPreview(null);
    this.#update({ preview: null, strokes: 0, recognized: null, selection: { id: known.id, revoked: true } });
    this.#saveSoon.cancel();
    this.#save();
  }

  #setPreview(url: string | null): void {
    if (this.preview?.startsWith('blob:')) URL.revokeObjectURL(this.preview);
    this.preview = url;
  }

  setLatex(latex: string, now = false): void {
    this.#update({ latex, result: resultLatex(latex.trim() ? evaluateLatex(latex) : null) });
    if (now) { this.#saveSoon.cancel(); this.#save(); } else this.#saveSoon();
  }

  setPlot(plot: PlotSettings): void {
    this.#update({ plot: { ...plot } });
    this.#save();
  }

  #update(change: Partial<MathPayload>): void {
    this.#data = { ...this.#data, ...change };
    this.payload = { ...this.#data };
  }

  destroy(): void {
    this.#saveSoon.flush();
    this.#offSelection();
    if (this.#recognition !== null) clearTimeout(this.#recognition);
    this.#setPreview(null);
  }

  #save(): void {
    this.#card.setPayload(this.#data as unknown as JsonObject);
  }
}

export function resultLatex(o: Outcome | null): string | null {
  if (!o) return null;
  switch (o.kind) {
    case 'value': return o.latex;
    case 'solution': return o.latex;
    case 'function': return o.latex;
    case 'error': return null;
  }
}
