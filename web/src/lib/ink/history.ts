// Undo/redo of ink operations. Every step is one of two server calls: erase the strokes (and
// remember the server's erase id) or restore them with the erase id that removed them, so an undo
// can never bring back a stroke that someone else erased (docs/api.md "Ink").
import type { Stroke } from './types';

export interface InkOp {
  /** What the person did: drew strokes, or erased them (eraser, Delete). */
  readonly kind: 'add' | 'erase';
  /** The strokes it touched; narrowed to what the server really erased. */
  strokes: Stroke[];
  /** The server's erase ids (one per batch) that currently keep these strokes off the board. */
  erasures: { erasure: string; ids: string[] }[];
}

/** What undoing or redoing `op` does on the board. */
export function stepOf(op: InkOp, direction: 'undo' | 'redo'): 'erase' | 'restore' {
  return (op.kind === 'add') === (direction === 'undo') ? 'erase' : 'restore';
}

/** Two stacks with a bound; a new operation clears the redo stack. */
export class InkHistory {
  readonly #undo: InkOp[] = [];
  readonly #redo: InkOp[] = [];

  constructor(readonly limit = 200) {}

  get canUndo(): boolean {
    return this.#undo.length > 0;
  }

  get canRedo(): boolean {
    return this.#redo.length > 0;
  }

  push(op: InkOp): void {
    this.#undo.push(op);
    if (this.#undo.length > this.limit) this.#undo.shift();
    this.#redo.length = 0;
  }

  /** The operation to undo (moved to the redo stack), or null. */
  takeUndo(): InkOp | null {
    const op = this.#undo.pop() ?? null;
    if (op) this.#redo.push(op);
    return op;
  }

  /** The operation to redo (moved back to the undo stack), or null. */
  takeRedo(): InkOp | null {
    const op = this.#redo.pop() ?? null;
    if (op) this.#undo.push(op);
    return op;
  }

  clear(): void {
    this.#undo.length = 0;
    this.#redo.length = 0;
  }
}
