import { describe, expect, it } from 'vitest';
import { displayGray, dragWindowLevel, fromVoiRange, toVoiRange } from './window-level.ts';

describe('window/level', () => {
  it('maps a window to the DICOM linear VOI range', () => {
    expect(toVoiRange({ width: 400, center: 40 })).toEqual({ lower: -160, upper: 239 });
  });

  it('round-trips between window and VOI range', () => {
    for (const wl of [
      { width: 1500, center: -600 },
      { width: 80, center: 40 },
      { width: 1, center: 0 },
    ]) {
      expect(fromVoiRange(toVoiRange(wl))).toEqual(wl);
    }
  });

  it('gives black below the window, white above and a linear ramp inside', () => {
    const wl = { width: 400, center: 40 };
    expect(displayGray(-1000, wl)).toBe(0);
    expect(displayGray(3000, wl)).toBe(255);
    expect(displayGray(40, wl)).toBe(128);
    expect(displayGray(150, wl)).toBe(198);
  });

  it('widens the window when dragging right and raises the level when dragging down', () => {
    const next = dragWindowLevel({ width: 400, center: 40 }, 10, 20);
    expect(next.width).toBeGreaterThan(400);
    expect(next.center).toBeGreaterThan(40);
    expect(dragWindowLevel({ width: 400, center: 40 }, -10_000, 0).width).toBe(1);
  });
});
