import { describe, expect, it } from 'vitest';
import { dciodvfyErrors, readWithDcmjs } from '../../test/dicom-tools.ts';
import { MR_IMAGE_STORAGE, makeMrSeries } from './mr-series.ts';
import { phantomValueAt } from './phantom.ts';
import { pixelToPatient } from './series-options.ts';

describe('makeMrSeries', () => {
  const series = makeMrSeries({ slices: 5, seed: 'mr-test' });

  it('writes sagittal MR Image Storage slices stepping along x with a valid IOD', () => {
    const slices = series.files.map((f) => readWithDcmjs(f));
    expect(slices[0]!.SOPClassUID).toBe(MR_IMAGE_STORAGE);
    expect(slices[0]!.ImageOrientationPatient).toEqual([0, 1, 0, 0, 0, -1]);
    const xs = slices.map((s) => (s.ImagePositionPatient as number[])[0]!);
    for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeCloseTo(4.4, 6);
    expect(slices[0]!.BitsStored).toBe(12);
    expect(dciodvfyErrors(series.files[0]!)).toEqual([]);
  });

  it('stores the phantom signal where the geometry says', () => {
    const middle = 2;
    const pixels = new Uint16Array((readWithDcmjs(series.files[middle]!).PixelData as ArrayBuffer[])[0]!);
    for (const [row, column] of [
      [128, 128],
      [5, 5],
      [60, 100],
    ] as const) {
      const expected = phantomValueAt(series.phantom, pixelToPatient(series.geometry, middle, row, column));
      expect(pixels[row * 256 + column]).toBe(expected);
    }
    expect(Math.max(...pixels)).toBeLessThan(4096);
  });

  it('also writes axial slices when asked', () => {
    const axial = makeMrSeries({ slices: 2, plane: 'axial', seed: 'mr-test', rows: 64, cols: 64 });
    expect(readWithDcmjs(axial.files[0]!).ImageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
  });
});
