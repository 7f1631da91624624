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
  | { kind: 'close' };

export interface Shortcut {
  keys: string;
  label: string;
  action: Action;
  /** Matches KeyboardEvent.key (and ctrl/meta when `mod`). */
  key: string;
  mod?: boolean;
  shift?: boolean;
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
  { keys: '?', key: '?', label: 'This help', action: { kind: 'help' } },
  { keys: 'Esc', key: 'Escape', label: 'Close panels', action: { kind: 'close' } },
];

export function actionFor(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey'>,
): Action | undefined {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const shiftMatters = (s: Shortcut) => (s.mod ? Boolean(s.shift) === e.shiftKey : true);
  return SHORTCUTS.find((s) => s.key === key && Boolean(s.mod) === mod && shiftMatters(s))?.action;
}
