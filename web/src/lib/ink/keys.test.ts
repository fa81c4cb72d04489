import { describe, expect, it } from 'vitest';
import { inkKeyAction } from './keys';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}, target: EventTarget | null = null) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  defaultPrevented: false,
  target,
  ...mods,
});
const idle = { engaged: false, hasSelection: false };

describe('inkKeyAction', () => {
  it('P, E and L pick the tools; Esc leaves only when a tool or selection is active', () => {
    expect(inkKeyAction(key('p'), idle)).toBe('pen');
    expect(inkKeyAction(key('P'), idle)).toBe('pen');
    expect(inkKeyAction(key('e'), idle)).toBe('eraser');
    expect(inkKeyAction(key('l'), idle)).toBe('lasso');
    expect(inkKeyAction(key('Escape'), idle)).toBeNull();
    expect(inkKeyAction(key('Escape'), { engaged: true, hasSelection: false })).toBe('leave');
  });

  it('Ctrl/Cmd+Z undoes, with Shift (or Ctrl+Y) redoes', () => {
    expect(inkKeyAction(key('z', { ctrlKey: true }), idle)).toBe('undo');
    expect(inkKeyAction(key('z', { metaKey: true }), idle)).toBe('undo');
    expect(inkKeyAction(key('Z', { ctrlKey: true, shiftKey: true }), idle)).toBe('redo');
    expect(inkKeyAction(key('y', { ctrlKey: true }), idle)).toBe('redo');
    expect(inkKeyAction(key('p', { ctrlKey: true }), idle)).toBeNull();
  });

  it('Delete erases the selection only when there is one', () => {
    expect(inkKeyAction(key('Delete'), idle)).toBeNull();
    expect(inkKeyAction(key('Delete'), { engaged: true, hasSelection: true })).toBe('delete');
  });

  it('leaves keys alone while the person types or a dialog is open', () => {
    const input = { closest: (sel: string) => (sel.includes('input') ? {} : null), isContentEditable: false } as unknown as EventTarget;
    expect(inkKeyAction(key('p', {}, input), idle)).toBeNull();
    expect(inkKeyAction(key('z', { ctrlKey: true }, input), idle)).toBeNull();
    expect(inkKeyAction({ ...key('p'), defaultPrevented: true }, idle)).toBeNull();
  });
});
