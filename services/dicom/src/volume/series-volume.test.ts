import { describe, expect, it } from 'vitest';
import { toDicomJson } from '../parse/dicom-json.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import type { SyntheticSeries } from '../synthetic/image-series.ts';
import { makeMultiframe } from '../synthetic/multiframe.ts';
import { voxelToPatientLps } from './affine.ts';
import { seriesVolume, VolumeGeometryError, type VolumeSourceInstance } from './series-volume.ts';

const OBLIQUE: [number, number, number, number, number, number] = [0.9397, 0.342, 0, -0.117, 0.3214, -0.9397];
/** The cosines as the unit vectors they stand for (DS rounding leaves them a hair off unit length). */
const unit = (v: readonly number[]) => v.map((x) => x / Math.hypot(...v));
const [ROW, COLUMN] = [unit(OBLIQUE.slice(0, 3)), unit(OBLIQUE.slice(3))];

/** The series as the index hands it over: DICOM JSON per instance, in whatever order the files came. */
const sourceOf = (series: SyntheticSeries): VolumeSourceInstance[] =>
  series.files.map((file, i) => ({
    sopInstanceUid: series.sopInstanceUids[i]!,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    numberOfFrames: series.files.length === 1 ? Math.max(1, series.geometry.positions.length) : 1,
    metadata: toDicomJson(file) as VolumeSourceInstance['metadata'],
  }));

const refusal = (instances: VolumeSourceInstance[]) => {
  try {
    seriesVolume(instances);
  } catch (error) {
    if (error instanceof VolumeGeometryError) return error;
    throw error;
  }
  throw new Error('the series was accepted');
};

/** A copy of an instance's metadata with one attribute replaced. */
const withAttribute = (i: VolumeSourceInstance, tag: string, vr: string, value: unknown[]) => ({
  ...i,
  metadata: { ...i.metadata, [tag]: { vr, Value: value } },
});

describe('seriesVolume', () => {
  it('orders an axial series along its normal, whatever order the instances come in', () => {
    const series = makeCtSeries({ seed: 'vol-axial', slices: 6, rows: 8, cols: 10 });
    const shuffled = sourceOf(series).reverse();
    const g = seriesVolume([shuffled[2]!, ...shuffled.filter((_, i) => i !== 2)]);
    expect(g.rows).toBe(8);
    expect(g.columns).toBe(10);
    expect(g.sliceSpacing).toBeCloseTo(1.25, 6);
    expect(g.seriesInstanceUid).toBe(series.seriesInstanceUid);
    // Normal of axial (row +x, column +y) is +z: the slice at the feet (z = -6.25) comes first.
    expect(g.frames.map((f) => f.position[2])).toEqual([-6.25, -5, -3.75, -2.5, -1.25, 0]);
    expect(g.frames.map((f) => f.sopInstanceUid)).toEqual([...series.sopInstanceUids].reverse());
  });

  it('gives the same grid for a series numbered from the other end', () => {
    const forward = seriesVolume(sourceOf(makeCtSeries({ seed: 'vol-order', slices: 5, rows: 8, cols: 8 })));
    const reverse = seriesVolume(
      sourceOf(makeCtSeries({ seed: 'vol-order', slices: 5, rows: 8, cols: 8, sliceOrder: 'reverse' })),
    );
    expect(reverse.frames.map((f) => f.position)).toEqual(forward.frames.map((f) => f.position));
  });

  it('keeps an oblique stack, and its affine puts each voxel where the image says it is', () => {
    const series = makeCtSeries({ seed: 'vol-oblique', slices: 4, rows: 6, cols: 7, orientation: OBLIQUE });
    const g = seriesVolume(sourceOf(series));
    expect(g.orientation).toEqual(OBLIQUE);
    const m = voxelToPatientLps(g);
    for (const [k, frame] of g.frames.entries()) {
      const slice = series.sopInstanceUids.indexOf(frame.sopInstanceUid);
      for (const [i, j] of [
        [0, 0],
        [6, 5],
        [3, 2],
      ] as const) {
        // PS3.3 C.7.6.2.1.1 from the instance's own position, orientation and spacing.
        const expected = [0, 1, 2].map(
          (a) =>
            series.geometry.positions[slice]![a]! +
            ROW[a]! * i * series.geometry.pixelSpacing[1] +
            COLUMN[a]! * j * series.geometry.pixelSpacing[0],
        );
        const got = [0, 1, 2].map((a) => m[a]![0]! * i + m[a]![1]! * j + m[a]![2]! * k + m[a]![3]!);
        for (let a = 0; a < 3; a++) expect(got[a]).toBeCloseTo(expected[a]!, 3);
      }
    }
  });

  it('reads an enhanced multi-frame image through its functional groups, one slice a frame', () => {
    const series = makeMultiframe({ seed: 'vol-mf', frames: 5, rows: 8, cols: 8 });
    const [instance] = series.files.map((file, i) => ({
      sopInstanceUid: series.sopInstanceUids[i]!,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7.3',
      numberOfFrames: 5,
      metadata: toDicomJson(file) as VolumeSourceInstance['metadata'],
    }));
    const g = seriesVolume([instance!]);
    expect(g.frames.map((f) => f.frameNumber)).toEqual([5, 4, 3, 2, 1]);
    expect(g.sliceSpacing).toBeCloseTo(2.5, 6);
    expect(g.pixelSpacing[0]).toBeGreaterThan(0);
  });

  it('refuses what is not one regular grid, naming the image that breaks it', () => {
    const base = sourceOf(makeCtSeries({ seed: 'vol-bad', slices: 5, rows: 8, cols: 8 }));
    const missing = refusal([...base.slice(0, 2), ...base.slice(3)]);
    expect(missing.code).toBe('MISSING_SLICE');
    expect(missing.sopInstanceUid).toBe(base[1]!.sopInstanceUid);

    const duplicate = refusal([...base, { ...base[2]!, sopInstanceUid: '2.25.1' }]);
    expect(duplicate.code).toBe('DUPLICATE_SLICE');

    const tilted = base.map((i, k) =>
      k === 3 ? withAttribute(i, '00200037', 'DS', [1, 0, 0, 0, 0.9, 0.43589]) : i,
    );
    expect(refusal(tilted)).toMatchObject({
      code: 'MIXED_ORIENTATION',
      sopInstanceUid: base[3]!.sopInstanceUid,
    });

    const position = (i: VolumeSourceInstance) => i.metadata['00200032']!.Value!.map(Number);
    const shifted = base.map((i, k) => {
      if (k !== 4) return i;
      const [x, y, z] = position(i);
      return withAttribute(i, '00200032', 'DS', [x! + 3, y, z]);
    });
    expect(refusal(shifted).code).toBe('NOT_STACKED');

    const resized = base.map((i, k) => (k === 1 ? withAttribute(i, '00280010', 'US', [16]) : i));
    expect(refusal(resized)).toMatchObject({ code: 'MIXED_SIZE', sopInstanceUid: base[1]!.sopInstanceUid });

    const otherFrame = base.map((i, k) => (k === 0 ? withAttribute(i, '00200052', 'UI', ['2.25.7']) : i));
    expect(refusal(otherFrame).code).toBe('MIXED_FRAME_OF_REFERENCE');

    const noPosition = base.map((i, k) => (k === 2 ? withAttribute(i, '00200032', 'DS', []) : i));
    expect(refusal(noPosition)).toMatchObject({
      code: 'GEOMETRY_MISSING',
      sopInstanceUid: base[2]!.sopInstanceUid,
    });
    expect(refusal([]).code).toBe('GEOMETRY_MISSING');
  });
});
