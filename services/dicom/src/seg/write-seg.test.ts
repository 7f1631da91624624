import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dciodvfyErrors, readWithDcmjs } from '../../test/dicom-tools.ts';
import { PYDICOM_SEG, python } from '../../test/python-tools.ts';
import { toDicomJson } from '../parse/dicom-json.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { makeMultiframe } from '../synthetic/multiframe.ts';
import { seriesVolume, type VolumeSourceInstance } from '../volume/series-volume.ts';
import type { VolumeGeometry } from '../volume/types.ts';
import { hexToDicomLab, packBits, type SegInput, writeSeg } from './write-seg.ts';

// Validated by tools nobody here wrote: dciodvfy checks the Segmentation IOD, pydicom unpacks the bits.

const work = mkdtempSync(join(tmpdir(), 'annex-seg-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LESION = { scheme: 'SCT', value: '52988006', meaning: 'Lesion' };
const NODULE = { scheme: 'SCT', value: '27925004', meaning: 'Nodule' };
const ALTERED = { scheme: 'SCT', value: '49755003', meaning: 'Morphologically Altered Structure' };

function geometryOf(files: Buffer[], uids: string[], frames = 1, sopClassUid = '1.2.840.10008.5.1.4.1.1.2') {
  return seriesVolume(
    files.map((file, i) => ({
      sopInstanceUid: uids[i]!,
      sopClassUid,
      numberOfFrames: frames,
      metadata: toDicomJson(file) as VolumeSourceInstance['metadata'],
    })),
  );
}

/** A frame with the given pixel indexes set. */
const frame = (g: VolumeGeometry, set: number[]) => {
  const f = new Uint8Array(g.rows * g.columns);
  for (const i of set) f[i] = 1;
  return f;
};

const segInput = (g: VolumeGeometry, segments: SegInput['segments']): SegInput => ({
  geometry: g,
  segments,
  patient: { PatientName: 'ANNEX^P-7F3A', PatientID: 'P-7F3A', StudyDate: '20250101', StudyID: 'S1' },
  seriesInstanceUid: '2.25.4242001',
  sopInstanceUid: '2.25.4242002',
  seriesNumber: 9001,
  instanceNumber: 1,
  contentLabel: 'ANNEX_LABELS',
  manufacturer: 'Annex',
  softwareVersions: 'annex-test',
  contentDateTime: '2026-12-06T10:11:12Z',
});

interface PydicomSeg {
  frames: { segment: number; sop: string; frame: number; pixels: number[] }[];
  segments: { number: number; label: string; code: string }[];
  rows: number;
  columns: number;
  series: string;
}

function pydicom(file: Buffer): PydicomSeg {
  const path = join(work, `${Math.random().toString(36).slice(2)}.dcm`);
  writeFileSync(path, file);
  return python<PydicomSeg>(PYDICOM_SEG, [path], 'python3-pydicom');
}

describe('writeSeg', () => {
  // 10 × 9 = 90 pixels a frame: not a multiple of 8, so frames after the first start mid-byte.
  const series = makeCtSeries({ seed: 'seg-axial', slices: 6, rows: 9, cols: 10 });
  const g = geometryOf(series.files, series.sopInstanceUids);

  it('writes a binary SEG dciodvfy passes, with only the frames each segment covers', () => {
    const seg = writeSeg(
      segInput(g, [
        {
          number: 1,
          label: 'Lesion',
          code: LESION,
          category: ALTERED,
          algorithmType: 'MANUAL',
          color: '#ff0000',
          slices: new Map([
            [1, frame(g, [0, 11, 89])],
            [2, frame(g, [45])],
            [4, frame(g, [])],
          ]),
        },
        {
          number: 2,
          label: 'Nodule',
          code: NODULE,
          category: ALTERED,
          algorithmType: 'MANUAL',
          slices: new Map([[5, frame(g, [7, 8, 9])]]),
        },
      ]),
    );
    expect(dciodvfyErrors(seg)).toEqual([]);
    const read = pydicom(seg);
    expect(read.series).toBe(series.seriesInstanceUid);
    expect(read.segments).toEqual([
      { number: 1, label: 'Lesion', code: '52988006' },
      { number: 2, label: 'Nodule', code: '27925004' },
    ]);
    // The empty slice 4 is not written; each frame points at its own source slice, pixels exactly as given.
    expect(read.frames).toEqual([
      { segment: 1, sop: g.frames[1]!.sopInstanceUid, frame: 1, pixels: [0, 11, 89] },
      { segment: 1, sop: g.frames[2]!.sopInstanceUid, frame: 1, pixels: [45] },
      { segment: 2, sop: g.frames[5]!.sopInstanceUid, frame: 1, pixels: [7, 8, 9] },
    ]);
    const ds = readWithDcmjs(seg) as Record<string, unknown> & {
      PerFrameFunctionalGroupsSequence: {
        PlanePositionSequence: { ImagePositionPatient: number[] };
        FrameContentSequence: { DimensionIndexValues: number[] };
      }[];
      SharedFunctionalGroupsSequence: { PlaneOrientationSequence: { ImageOrientationPatient: number[] } };
      ReferencedSeriesSequence: { ReferencedInstanceSequence: unknown[] };
    };
    // The positions are the source slices'; the dimension index is (segment, slice position).
    expect(
      ds.PerFrameFunctionalGroupsSequence.map((f) =>
        f.PlanePositionSequence.ImagePositionPatient.map(Number),
      ),
    ).toEqual([1, 2, 5].map((k) => g.frames[k]!.position));
    expect(
      ds.PerFrameFunctionalGroupsSequence.map((f) => f.FrameContentSequence.DimensionIndexValues),
    ).toEqual([
      [1, 2],
      [1, 3],
      [2, 6],
    ]);
    expect(
      ds.SharedFunctionalGroupsSequence.PlaneOrientationSequence.ImageOrientationPatient.map(Number),
    ).toEqual(g.orientation);
    expect(ds.ReferencedSeriesSequence.ReferencedInstanceSequence).toHaveLength(6);
    expect(ds.Modality).toBe('SEG');
    expect(ds.SegmentationType).toBe('BINARY');
    expect(ds.FrameOfReferenceUID).toBe(series.frameOfReferenceUid);
  });

  it('references frames of a multi-frame source by number', () => {
    const mf = makeMultiframe({ seed: 'seg-mf', frames: 4, rows: 8, cols: 8 });
    const mg = geometryOf(mf.files, mf.sopInstanceUids, 4, mf.sopClassUid);
    const seg = writeSeg(
      segInput(mg, [
        {
          number: 1,
          label: 'Lesion',
          code: LESION,
          category: ALTERED,
          algorithmType: 'SEMIAUTOMATIC',
          algorithmName: 'Annex assist',
          slices: new Map([[0, frame(mg, [3])]]),
        },
      ]),
    );
    expect(dciodvfyErrors(seg)).toEqual([]);
    const read = pydicom(seg);
    // Slice 0 is the lowest along the normal: the source's last frame.
    expect(read.frames).toEqual([{ segment: 1, sop: mf.sopInstanceUids[0], frame: 4, pixels: [3] }]);
  });

  it('writes an oblique series as dciodvfy passes it, the source cosines and positions in its groups', () => {
    const orientation: [number, number, number, number, number, number] = [
      0.9397, 0.342, 0, -0.117, 0.3214, -0.9397,
    ];
    const oblique = makeCtSeries({ seed: 'seg-oblique', slices: 4, rows: 8, cols: 8, orientation });
    const og = geometryOf(oblique.files, oblique.sopInstanceUids);
    const seg = writeSeg(
      segInput(og, [
        {
          number: 1,
          label: 'Lesion',
          code: LESION,
          category: ALTERED,
          algorithmType: 'MANUAL',
          slices: new Map([[2, frame(og, [9])]]),
        },
      ]),
    );
    expect(dciodvfyErrors(seg)).toEqual([]);
    const ds = readWithDcmjs(seg) as {
      SharedFunctionalGroupsSequence: { PlaneOrientationSequence: { ImageOrientationPatient: number[] } };
      PerFrameFunctionalGroupsSequence: { PlanePositionSequence: { ImagePositionPatient: number[] } };
    };
    expect(
      ds.SharedFunctionalGroupsSequence.PlaneOrientationSequence.ImageOrientationPatient.map(Number),
    ).toEqual(orientation);
    expect(
      ds.PerFrameFunctionalGroupsSequence.PlanePositionSequence.ImagePositionPatient.map(Number),
    ).toEqual(og.frames[2]!.position);
    expect(pydicom(seg).frames).toEqual([
      { segment: 1, sop: og.frames[2]!.sopInstanceUid, frame: 1, pixels: [9] },
    ]);
  });

  it('refuses a segmentation with nothing painted, and a slice outside the volume', () => {
    const empty = {
      number: 1,
      label: 'Lesion',
      code: LESION,
      category: ALTERED,
      algorithmType: 'MANUAL' as const,
    };
    expect(() => writeSeg(segInput(g, [{ ...empty, slices: new Map([[0, frame(g, [])]]) }]))).toThrow(
      /at least one/,
    );
    expect(() => writeSeg(segInput(g, [{ ...empty, slices: new Map([[6, frame(g, [1])]]) }]))).toThrow(
      /outside/,
    );
  });
});

describe('packBits', () => {
  it('packs frames contiguously, first pixel in the lowest bit, unaligned frames included', () => {
    const a = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    const b = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 0, 0, 1]);
    expect([...packBits([a, b], 10)]).toEqual([0b10000001, 0b00000011, 0b00001001]);
    const aligned = Uint8Array.from([0, 1, 0, 0, 0, 0, 0, 1]);
    expect([...packBits([aligned, aligned], 8)]).toEqual([0b10000010, 0b10000010]);
  });
});

describe('hexToDicomLab', () => {
  it('converts sRGB to PS3.3 scaled CIELab', () => {
    expect(hexToDicomLab('#ffffff')).toEqual([65535, 32896, 32896]);
    const [L, a, b] = hexToDicomLab('#ff0000');
    // CIELab of sRGB red (D65): L* 53.24, a* 80.09, b* 67.20.
    expect((L * 100) / 65535).toBeCloseTo(53.24, 1);
    expect((a * 255) / 65535 - 128).toBeCloseTo(80.09, 0);
    expect((b * 255) / 65535 - 128).toBeCloseTo(67.2, 0);
  });
});
