// The ink keyboard model: P pen, E eraser, L lasso, Esc leaves the tool (and the selection),
// Ctrl/Cmd+Z undo, Shift+Ctrl/Cmd+Z or Ctrl+Y redo, Delete/Backspace erases the selection.
export type InkKeyAction = 'pen' | 'eraser' | 'lasso' | 'leave' | 'undo' | 'redo' | 'delete';

/** Whether a key pressed on `target` belongs to something the person is typing into or a dialog. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  return el.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], dialog[open], [role="dialog"]') !== null;
}

export function inkKeyAction(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey' | 'target' | 'defaultPrevented'>,
  state: { engaged: boolean; hasSelection: boolean },
): InkKeyAction | null {
  if (e.defaultPrevented || isTypingTarget(e.target)) return null;
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (mod && !e.altKey) {
    if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (key === 'y' && e.ctrlKey) return 'redo';
    return null;
  }
  if (e.altKey || e.ctrlKey || e.metaKey) return null;
  if (key === 'escape') return state.engaged || state.hasSelection ? 'leave' : null;
  if ((key === 'delete' || key === 'backspace') && state.hasSelection) return 'delete';
  if (e.shiftKey) return null;
  if (key === 'p') return 'pen';
  if (key === 'e') return 'eraser';
  if (key === 'l') return 'lasso';
  return null;
}
