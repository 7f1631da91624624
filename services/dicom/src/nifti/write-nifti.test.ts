import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { NIBABEL_COMPARE, NIBABEL_VOXELS, python } from '../../test/python-tools.ts';
import { decodeFrameSync } from '../frames/decode-frame.ts';
import { toDicomJson } from '../parse/dicom-json.ts';
import { parseInstance } from '../parse/parse-instance.ts';
import { type CtSeriesOptions, makeCtSeries } from '../synthetic/ct-series.ts';
import type { SyntheticSeries } from '../synthetic/image-series.ts';
import { makeMultiframe } from '../synthetic/multiframe.ts';
import { seriesVolume, type VolumeSourceInstance } from '../volume/series-volume.ts';
import type { VolumeGeometry } from '../volume/types.ts';
import { imageVolumeNifti, labelVolumeNifti, niftiAffine } from './write-nifti.ts';

// The peer is dcm2niix (Debian's), the converter most training pipelines start from: for the same series
// Annex's NIfTI must have its voxel grid (shape, voxel order, affine) so labels and images from either line
// up. nibabel, not our code, reads both files.

const work = mkdtempSync(join(tmpdir(), 'annex-nifti-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function volumeOf(series: SyntheticSeries, frames = 1): VolumeGeometry {
  return seriesVolume(
    series.files.map((file, i) => ({
      sopInstanceUid: series.sopInstanceUids[i]!,
      sopClassUid: series.sopClassUid,
      numberOfFrames: frames,
      metadata: toDicomJson(file) as VolumeSourceInstance['metadata'],
    })),
  );
}

/** The series' stored values in volume order (slice by slice along the normal), as Int16. */
function storedVoxels(series: SyntheticSeries, g: VolumeGeometry): Int16Array {
  const plane = g.rows * g.columns;
  const out = new Int16Array(plane * g.frames.length);
  g.frames.forEach((f, k) => {
    const file = series.files[series.sopInstanceUids.indexOf(f.sopInstanceUid)]!;
    out.set(decodeFrameSync(parseInstance(file), f.frameNumber - 1).pixels as ArrayLike<number>, k * plane);
  });
  return out;
}

function dcm2niix(name: string, series: SyntheticSeries): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const [i, f] of series.files.entries()) writeFileSync(join(dir, `${i}.dcm`), f);
  const run = spawnSync('dcm2niix', ['-z', 'n', '-f', 'peer', '-o', dir, dir], { encoding: 'utf8' });
  expect(run.status, `dcm2niix (apt-get install dcm2niix): ${run.stdout}${run.stderr}`).toBe(0);
  expect(readdirSync(dir).filter((f) => f.endsWith('.nii'))).toEqual(['peer.nii']);
  return join(dir, 'peer.nii');
}

interface Compared {
  shapes: number[][];
  affine: number;
  voxels: number | null;
  codes: number[][];
  qform: number;
}

const OBLIQUE: CtSeriesOptions['orientation'] = [0.9397, 0.342, 0, -0.117, 0.3214, -0.9397];

describe('NIfTI image volumes against dcm2niix', () => {
  const cases: [string, CtSeriesOptions, number][] = [
    ['axial', { seed: 'nii-axial', slices: 7, rows: 24, cols: 32 }, 1e-3],
    [
      'reversed instance order',
      { seed: 'nii-rev', slices: 7, rows: 24, cols: 32, sliceOrder: 'reverse' },
      1e-3,
    ],
    ['oblique', { seed: 'nii-obl', slices: 6, rows: 20, cols: 26, orientation: OBLIQUE }, 1e-3],
  ];
  for (const [name, options, tolerance] of cases) {
    it(`${name}: the same shape, affine and voxel values`, () => {
      const series = makeCtSeries(options);
      const g = volumeOf(series);
      const ours = join(work, `${name.replaceAll(' ', '-')}.nii.gz`);
      writeFileSync(ours, imageVolumeNifti(g, storedVoxels(series, g), series.rescale));
      const peer = dcm2niix(name.replaceAll(' ', '-'), series);
      const compared = python<Compared>(NIBABEL_COMPARE, [ours, peer], 'python3-nibabel');
      expect(compared.shapes[0]).toEqual([options.cols, options.rows, options.slices]);
      expect(compared.shapes[0]).toEqual(compared.shapes[1]);
      expect(compared.affine).toBeLessThan(tolerance);
      // Same HU in every voxel: same order, same rescale.
      expect(compared.voxels).toBe(0);
      // Scanner-anatomical sform and qform, and the qform says the same as the sform.
      expect(compared.codes[0]).toEqual([1, 1]);
      expect(compared.qform).toBeLessThan(1e-3);
    });
  }

  it('an enhanced multi-frame image: its frames in dcm2niix order, same affine and values', () => {
    const series = makeMultiframe({ seed: 'nii-mf', frames: 6, rows: 16, cols: 20 });
    const g = volumeOf(series, 6);
    const ours = join(work, 'multiframe.nii.gz');
    writeFileSync(ours, imageVolumeNifti(g, storedVoxels(series, g), series.rescale));
    const compared = python<Compared>(
      NIBABEL_COMPARE,
      [ours, dcm2niix('multiframe', series)],
      'python3-nibabel',
    );
    expect(compared.shapes).toEqual([
      [20, 16, 6],
      [20, 16, 6],
    ]);
    expect(compared.affine).toBeLessThan(1e-3);
    expect(compared.voxels).toBe(0);
  });

  it('writes float32 physical values where there is no one int16 rescale, in the same grid', () => {
    const series = makeCtSeries({ seed: 'nii-float', slices: 3, rows: 8, cols: 8 });
    const g = volumeOf(series);
    const stored = storedVoxels(series, g);
    const hu = Float32Array.from(stored, (v) => v * series.rescale.slope + series.rescale.intercept);
    const ours = join(work, 'float.nii.gz');
    writeFileSync(ours, imageVolumeNifti(g, hu));
    const compared = python<Compared>(NIBABEL_COMPARE, [ours, dcm2niix('float', series)], 'python3-nibabel');
    expect(compared.affine).toBeLessThan(1e-3);
    expect(compared.voxels).toBe(0);
    expect(gunzipSync(readFileSync(ours)).readInt16LE(70)).toBe(16);
  });
});

describe('NIfTI label maps', () => {
  it('puts each label value on the voxel of the pixel it was painted on, as nibabel reads it', () => {
    const series = makeCtSeries({ seed: 'nii-labels', slices: 4, rows: 6, cols: 5, orientation: OBLIQUE });
    const g = volumeOf(series);
    const plane = g.rows * g.columns;
    const labels = new Uint8Array(plane * g.frames.length);
    // Volume order: column i, row j (DICOM row index), slice k.
    const painted = [
      [0, 0, 0, 1],
      [4, 5, 3, 2],
      [2, 1, 1, 1],
    ];
    for (const [i, j, k, v] of painted) labels[k! * plane + j! * g.columns + i!] = v!;
    const file = join(work, 'labels.nii.gz');
    writeFileSync(file, labelVolumeNifti(g, labels));
    const read = python<{ affine: number[][]; shape: number[]; voxels: number[][] }>(
      NIBABEL_VOXELS,
      [file],
      'python3-nibabel',
    );
    expect(read.shape).toEqual([5, 6, 4]);
    expect(read.voxels).toHaveLength(painted.length);
    const affine = niftiAffine(g);
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < 4; c++) expect(read.affine[r]![c]!).toBeCloseTo(affine[r]![c]!, 3);
    // The cosines as the unit vectors they stand for (DS rounding leaves them a hair off unit length).
    const unit = (v: readonly number[]) => v.map((x) => x / Math.hypot(...v));
    const [row, column] = [unit(g.orientation.slice(0, 3)), unit(g.orientation.slice(3))];
    for (const [x, y, z, value] of read.voxels) {
      // Through the file's affine to patient space (RAS → LPS), then back to the source pixel.
      const ras = [0, 1, 2].map(
        (a) =>
          read.affine[a]![0]! * x! +
          read.affine[a]![1]! * y! +
          read.affine[a]![2]! * z! +
          read.affine[a]![3]!,
      );
      const lps = [-ras[0]!, -ras[1]!, ras[2]!];
      const source = painted.find(([i, j, k]) => {
        const frame = g.frames[k!]!;
        const expected = [0, 1, 2].map(
          (a) => frame.position[a]! + row[a]! * i! * g.pixelSpacing[1] + column[a]! * j! * g.pixelSpacing[0],
        );
        return expected.every((e, a) => Math.abs(e - lps[a]!) < 1e-3);
      });
      expect(source, `voxel ${x},${y},${z}`).toBeDefined();
      expect(value).toBe(source![3]);
    }
    const header = gunzipSync(readFileSync(file));
    expect(header.readInt16LE(68)).toBe(1002); // NIFTI_INTENT_LABEL
    expect(header.readInt16LE(70)).toBe(2); // uint8
  });

  it('refuses a voxel array of the wrong length', () => {
    const g = volumeOf(makeCtSeries({ seed: 'nii-len', slices: 2, rows: 4, cols: 4 }));
    expect(() => labelVolumeNifti(g, new Uint8Array(31))).toThrow(/expected 32 voxels/);
  });
});
