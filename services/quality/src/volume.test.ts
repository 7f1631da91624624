import { describe, expect, it } from 'vitest';
import { paintBox } from '../test/shapes.ts';
import type { Grid } from './grid.ts';
import { assertGrid, axisCoordinates, sliceThicknesses } from './grid.ts';
import { encodeLabelRle } from './label-rle.ts';
import { labelVolumesMl, volumeDifference } from './volume.ts';

describe('grid geometry', () => {
  it('gives each slice half the gap to each neighbour as thickness', () => {
    const g: Grid = { dims: [2, 2, 4], spacing: [0.5, 0.5, 9], zPositions: [0, 1, 3, 7] };
    expect(Array.from(sliceThicknesses(g))).toEqual([1, 1.5, 3, 4]);
    expect(Array.from(axisCoordinates(g)[2])).toEqual([0, 1, 3, 7]);
    expect(Array.from(sliceThicknesses({ dims: [1, 1, 3], spacing: [1, 1, 2.5] }))).toEqual([2.5, 2.5, 2.5]);
  });

  it('accepts descending slice positions and rejects non-monotonic ones', () => {
    expect(
      Array.from(axisCoordinates({ dims: [1, 1, 3], spacing: [1, 1, 1], zPositions: [5, 3, 0] })[2]),
    ).toEqual([0, 2, 5]);
    expect(() => assertGrid({ dims: [1, 1, 3], spacing: [1, 1, 1], zPositions: [0, 2, 1] })).toThrow(
      /monotonic/,
    );
    expect(() => assertGrid({ dims: [1, 1, 3], spacing: [1, 1, 1], zPositions: [0, 2] })).toThrow(
      /one entry per slice/,
    );
    expect(() => assertGrid({ dims: [0, 1, 3], spacing: [1, 1, 1] })).toThrow(/positive integers/);
  });
});

describe('label volumes in mL', () => {
  it('weights each slice by its own thickness', () => {
    const g: Grid = { dims: [4, 4, 4], spacing: [0.5, 0.5, 9], zPositions: [0, 1, 3, 7] };
    const vol = new Uint8Array(64);
    paintBox(vol, [4, 4, 4], [1, 1, 0], [2, 2, 3], 2); // 2×2 voxels of 0.25 mm² on every slice
    paintBox(vol, [4, 4, 4], [0, 3, 2], [3, 3, 2], 1); // one row of 4 voxels on slice 2 (3 mm thick)
    const v = labelVolumesMl(encodeLabelRle(vol), g);
    expect(v[2]).toBeCloseTo((1 + 1.5 + 3 + 4) / 1000, 15);
    expect(v[1]).toBeCloseTo((4 * 0.25 * 3) / 1000, 15);
    expect(v[3]).toBe(0);
  });

  it('splits runs that cross slice boundaries', () => {
    const g: Grid = { dims: [2, 1, 2], spacing: [1, 1, 1], zPositions: [0, 10] };
    const v = labelVolumesMl(encodeLabelRle(Uint8Array.of(0, 1, 1, 0)), g);
    expect(v[1]).toBeCloseTo(20 / 1000, 15);
  });

  it('reports absolute and symmetric relative differences', () => {
    expect(volumeDifference(10, 15)).toEqual({ aMl: 10, bMl: 15, absMl: 5, relative: 0.4 });
    expect(volumeDifference(0, 0).relative).toBe(0);
  });
});
