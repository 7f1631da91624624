import { describe, expect, it } from 'vitest';
import { actionFor, SHORTCUTS } from './shortcuts.ts';

const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey', boolean>> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...mods,
});

describe('keyboard shortcuts', () => {
  it('scrolls, jumps and picks presets', () => {
    expect(actionFor(key('ArrowDown'))).toEqual({ kind: 'scroll', delta: 1 });
    expect(actionFor(key('PageUp'))).toEqual({ kind: 'scroll', delta: -10 });
    expect(actionFor(key('3'))).toEqual({ kind: 'preset', key: '3' });
  });

  it('tells undo, redo and the zoom tool apart by modifiers', () => {
    expect(actionFor(key('z'))).toEqual({ kind: 'tool', tool: 'Zoom' });
    expect(actionFor(key('z', { ctrlKey: true }))).toEqual({ kind: 'undo' });
    expect(actionFor(key('Z', { ctrlKey: true, shiftKey: true }))).toEqual({ kind: 'redo' });
    expect(actionFor(key('y', { metaKey: true }))).toEqual({ kind: 'redo' });
  });

  it('is case-insensitive for letters and ignores unknown keys', () => {
    expect(actionFor(key('I', { shiftKey: true }))).toEqual({ kind: 'invert' });
    expect(actionFor(key('q'))).toBeUndefined();
  });

  it('picks labels with Alt+digit, by physical key, and drives the brush', () => {
    expect(actionFor({ ...key('¡'), altKey: true, code: 'Digit1' })).toEqual({ kind: 'label', index: 0 });
    expect(actionFor({ ...key('3'), altKey: true, code: 'Digit3' })).toEqual({ kind: 'label', index: 2 });
    expect(actionFor(key('e'))).toEqual({ kind: 'brush', mode: 'erase' });
    expect(actionFor(key(']'))).toEqual({ kind: 'brushSize', delta: 2 });
  });

  it('has keys for the magic wand, interpolation and deleting a label, and lists them', () => {
    expect(actionFor(key('g'))).toEqual({ kind: 'brush', mode: 'wand' });
    expect(actionFor(key('f'))).toEqual({ kind: 'interpolate' });
    expect(actionFor(key('Delete'))).toEqual({ kind: 'delete' });
    expect(actionFor(key('Backspace'))).toEqual({ kind: 'delete' });
    const listed = SHORTCUTS.filter((s) => s.keys).map((s) => s.keys);
    expect(listed).toEqual(expect.arrayContaining(['G', 'F', 'Del']));
  });

  it('binds no key twice', () => {
    const seen = SHORTCUTS.map((s) => `${s.key}|${Boolean(s.mod)}|${Boolean(s.shift)}|${Boolean(s.alt)}`);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
