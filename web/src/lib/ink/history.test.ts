import { describe, expect, it } from 'vitest';
import { InkHistory, stepOf, type InkOp } from './history';

const op = (kind: InkOp['kind']): InkOp => ({ kind, strokes: [], erasures: [] });

describe('InkHistory', () => {
  it('undo then redo walks the same operation back and forth', () => {
    const h = new InkHistory();
    const a = op('add');
    const b = op('erase');
    h.push(a);
    h.push(b);
    expect(h.takeUndo()).toBe(b);
    expect(h.takeUndo()).toBe(a);
    expect(h.takeUndo()).toBeNull();
    expect(h.canRedo).toBe(true);
    expect(h.takeRedo()).toBe(a);
    expect(h.takeRedo()).toBe(b);
    expect(h.takeRedo()).toBeNull();
  });

  it('a new operation clears what could be redone', () => {
    const h = new InkHistory();
    h.push(op('add'));
    h.takeUndo();
    h.push(op('add'));
    expect(h.canRedo).toBe(false);
  });

  it('keeps at most `limit` steps, dropping the oldest', () => {
    const h = new InkHistory(2);
    const first = op('add');
    h.push(first);
    h.push(op('add'));
    h.push(op('add'));
    h.takeUndo();
    h.takeUndo();
    expect(h.canUndo).toBe(false);
  });

  it('maps every step to one server call: erase or restore', () => {
    expect(stepOf(op('add'), 'undo')).toBe('erase');
    expect(stepOf(op('add'), 'redo')).toBe('restore');
    expect(stepOf(op('erase'), 'undo')).toBe('restore');
    expect(stepOf(op('erase'), 'redo')).toBe('erase');
  });
});
