/**
 * The visual math editor: a MathLive `<math-field>` (keyboard-first, screen-reader aware). Loaded
 * on first use and only where the browser has what it needs (custom elements, FontFace); the
 * card's LaTeX field works everywhere and stays in sync, so a person can always type LaTeX.
 * MathLive needs no eval; its fonts are the plugin's own KaTeX files and its sounds are off (the
 * frame's CSP allows no media).
 */
export interface MathEditor {
  /** Replaces the content without firing `onInput`. */
  set(latex: string): void;
  focus(): void;
  destroy(): void;
}

export function mathEditorSupported(win: Window & typeof globalThis = window): boolean {
  return typeof win.customElements?.define === 'function' && typeof win.FontFace === 'function'
    && typeof win.CSS?.supports === 'function';
}

export async function mountMathEditor(host: HTMLElement, latex: string, label: string, onInput: (latex: string) => void): Promise<MathEditor> {
  const { MathfieldElement, initVirtualKeyboardInCurrentBrowsingContext } = await import('mathlive');
  // Inside a frame MathLive would proxy its virtual keyboard to window.top by postMessage, with
  // the frame's origin as target — "null" in a sandboxed frame, so it throws — and the host must
  // not get plugin messages on its window anyway. Keep the keyboard inside the card.
  if (Object.getOwnPropertyDescriptor(window, 'mathVirtualKeyboard')?.configurable) {
    delete (window as { mathVirtualKeyboard?: unknown }).mathVirtualKeyboard;
    initVirtualKeyboardInCurrentBrowsingContext();
  }
  // The card is `cards/math.js`; the fonts are `katex/fonts/` at the plugin's root.
  MathfieldElement.fontsDirectory = new URL('../katex/fonts/', import.meta.url).href;
  MathfieldElement.soundsDirectory = null;
  const field = new MathfieldElement();
  field.setAttribute('aria-label', label);
  field.setAttribute('data-testid', 'math-field');
  field.mathVirtualKeyboardPolicy = 'manual';
  field.smartFence = true;
  field.value = latex;
  let quiet = false;
  const handler = () => { if (!quiet) onInput(field.getValue('latex-unstyled')); };
  field.addEventListener('input', handler);
  host.replaceChildren(field);
  return {
    set(next) {
      if (field.getValue('latex-unstyled') === next) return;
      quiet = true;
      field.setValue(next, { silenceNotifications: true });
      quiet = false;
    },
    focus() { field.focus(); },
    destroy() { field.removeEventListener('input', handler); field.remove(); },
  };
}
