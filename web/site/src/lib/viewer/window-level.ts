// Window/level arithmetic, kept pure so that tests can state what a pixel must look like.

export interface VoiRange {
  lower: number;
  upper: number;
}

export interface WindowLevel {
  width: number;
  center: number;
}

/** DICOM PS3.3 C.11.2.1.2 linear VOI: the range whose ends map to black and white. */
export function toVoiRange({ width, center }: WindowLevel): VoiRange {
  const w = Math.max(1, width);
  return { lower: center - 0.5 - (w - 1) / 2, upper: center - 0.5 + (w - 1) / 2 };
}

export function fromVoiRange({ lower, upper }: VoiRange): WindowLevel {
  const width = Math.max(1, upper - lower + 1);
  return { width, center: lower + 0.5 + (width - 1) / 2 };
}

/** The 8-bit gray a linear VOI gives an output value (before any invert). */
export function displayGray(value: number, wl: WindowLevel): number {
  const { lower, upper } = toVoiRange(wl);
  if (value <= lower) return 0;
  if (value > upper) return 255;
  return Math.round(((value - lower) / (upper - lower)) * 255);
}

/**
 * Mouse drag to window/level, as on PACS workstations: right widens the window, down raises
 * the level. Sensitivity scales with the current width so narrow brain windows stay usable.
 */
export function dragWindowLevel(start: WindowLevel, dx: number, dy: number, sensitivity = 1): WindowLevel {
  const perPixel = Math.max(0.5, start.width / 512) * sensitivity;
  return {
    width: Math.max(1, start.width + dx * perPixel * 2),
    center: start.center + dy * perPixel,
  };
}
