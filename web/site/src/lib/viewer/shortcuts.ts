// One table for the keyboard: the handler dispatches from it and the help overlay lists it, so
// the two cannot drift apart.

export type Action =
  | { kind: 'scroll'; delta: number }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'preset'; key: string }
  | { kind: 'invert' }
  | { kind: 'reset' }
  | { kind: 'cine' }
  | { kind: 'zoom'; factor: number }
  | { kind: 'tool'; tool: string }
  | { kind: 'mpr' }
  | { kind: 'header' }
  | { kind: 'help' }
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'close' }
  | { kind: 'label'; index: number }
  | { kind: 'brush'; mode: 'paint' | 'erase' | 'threshold' | 'wand' }
  | { kind: 'brushSize'; delta: number }
  | { kind: 'interpolate' }
  | { kind: 'delete' };

export interface Shortcut {
  keys: string;
  label: string;
  action: Action;
  /** Matches KeyboardEvent.key (and ctrl/meta when `mod`, alt when `alt`). */
  key: string;
  mod?: boolean;
  shift?: boolean;
  alt?: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: '↑ / ↓', key: 'ArrowUp', label: 'Previous / next image', action: { kind: 'scroll', delta: -1 } },
  { keys: '', key: 'ArrowDown', label: '', action: { kind: 'scroll', delta: 1 } },
  { keys: 'PgUp / PgDn', key: 'PageUp', label: 'Jump 10 images', action: { kind: 'scroll', delta: -10 } },
  { keys: '', key: 'PageDown', label: '', action: { kind: 'scroll', delta: 10 } },
  { keys: 'Home / End', key: 'Home', label: 'First / last image', action: { kind: 'first' } },
  { keys: '', key: 'End', label: '', action: { kind: 'last' } },
  { keys: 'Space', key: ' ', label: 'Play / stop cine', action: { kind: 'cine' } },
  { keys: '1 … 7', key: '1', label: 'Window presets (see toolbar)', action: { kind: 'preset', key: '1' } },
  ...['2', '3', '4', '5', '6', '7', '8', '9'].map(
    (k): Shortcut => ({ keys: '', key: k, label: '', action: { kind: 'preset', key: k } }),
  ),
  { keys: 'I', key: 'i', label: 'Invert', action: { kind: 'invert' } },
  { keys: 'R', key: 'r', label: 'Reset view', action: { kind: 'reset' } },
  { keys: '+ / −', key: '+', label: 'Zoom in / out', action: { kind: 'zoom', factor: 1.25 } },
  { keys: '', key: '=', label: '', action: { kind: 'zoom', factor: 1.25 } },
  { keys: '', key: '-', label: '', action: { kind: 'zoom', factor: 0.8 } },
  { keys: 'W', key: 'w', label: 'Window/level drag', action: { kind: 'tool', tool: 'WindowLevel' } },
  { keys: 'P', key: 'p', label: 'Pan drag', action: { kind: 'tool', tool: 'Pan' } },
  { keys: 'Z', key: 'z', label: 'Zoom drag', action: { kind: 'tool', tool: 'Zoom' } },
  { keys: 'S', key: 's', label: 'Scroll drag', action: { kind: 'tool', tool: 'StackScroll' } },
  { keys: 'L', key: 'l', label: 'Length', action: { kind: 'tool', tool: 'Length' } },
  { keys: 'A', key: 'a', label: 'Angle', action: { kind: 'tool', tool: 'Angle' } },
  { keys: 'O', key: 'o', label: 'ROI statistics (HU)', action: { kind: 'tool', tool: 'EllipticalROI' } },
  { keys: 'M', key: 'm', label: 'MPR (axial / sagittal / coronal)', action: { kind: 'mpr' } },
  { keys: 'H', key: 'h', label: 'DICOM header', action: { kind: 'header' } },
  { keys: 'Ctrl+Z', key: 'z', mod: true, label: 'Undo', action: { kind: 'undo' } },
  { keys: 'Ctrl+Y / Ctrl+Shift+Z', key: 'y', mod: true, label: 'Redo', action: { kind: 'redo' } },
  { keys: '', key: 'z', mod: true, shift: true, label: '', action: { kind: 'redo' } },
  {
    keys: 'Alt+1 … 9',
    key: '1',
    alt: true,
    label: 'Pick label 1 … 9 (task)',
    action: { kind: 'label', index: 0 },
  },
  ...['2', '3', '4', '5', '6', '7', '8', '9'].map(
    (k): Shortcut => ({
      keys: '',
      key: k,
      alt: true,
      label: '',
      action: { kind: 'label', index: Number(k) - 1 },
    }),
  ),
  { keys: 'B', key: 'b', label: 'Brush: paint (mask labels)', action: { kind: 'brush', mode: 'paint' } },
  { keys: 'E', key: 'e', label: 'Brush: erase', action: { kind: 'brush', mode: 'erase' } },
  { keys: 'T', key: 't', label: 'Brush: threshold (HU range)', action: { kind: 'brush', mode: 'threshold' } },
  {
    keys: 'G',
    key: 'g',
    label: 'Magic wand: click grows a region (Shift+click erases)',
    action: { kind: 'brush', mode: 'wand' },
  },
  { keys: 'F', key: 'f', label: 'Fill mask between slices (interpolate)', action: { kind: 'interpolate' } },
  { keys: 'Del', key: 'Delete', label: 'Delete the selected label', action: { kind: 'delete' } },
  { keys: '', key: 'Backspace', label: '', action: { kind: 'delete' } },
  { keys: '[ / ]', key: '[', label: 'Smaller / larger brush', action: { kind: 'brushSize', delta: -2 } },
  { keys: '', key: ']', label: '', action: { kind: 'brushSize', delta: 2 } },
  { keys: '?', key: '?', label: 'This help', action: { kind: 'help' } },
  { keys: 'Esc', key: 'Escape', label: 'Close panels', action: { kind: 'close' } },
];

export function actionFor(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey'> & { altKey?: boolean; code?: string },
): Action | undefined {
  const mod = e.ctrlKey || e.metaKey;
  const alt = Boolean(e.altKey);
  // Alt+digit types a symbol on some layouts; the physical key still says which digit.
  const digit = alt && e.code?.startsWith('Digit') ? e.code.slice(5) : undefined;
  const key = digit ?? (e.key.length === 1 ? e.key.toLowerCase() : e.key);
  const shiftMatters = (s: Shortcut) => (s.mod ? Boolean(s.shift) === e.shiftKey : true);
  return SHORTCUTS.find(
    (s) => s.key === key && Boolean(s.mod) === mod && Boolean(s.alt) === alt && shiftMatters(s),
  )?.action;
}
