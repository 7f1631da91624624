import { describe, expect, it } from 'vitest';
import { toDicomJson } from '../parse/dicom-json.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { seriesVolume, type VolumeSourceInstance } from '../volume/series-volume.ts';
import { dicomLabToRgb, readSeg, type SegReadError } from './read-seg.ts';
import { hexToDicomLab, writeSeg } from './write-seg.ts';

const series = makeCtSeries({ seed: 'read-seg', slices: 4, rows: 9, cols: 10 });
const g = seriesVolume(
  series.files.map((file, i) => ({
    sopInstanceUid: series.sopInstanceUids[i]!,
    sopClassUid: series.sopClassUid,
    numberOfFrames: 1,
    metadata: toDicomJson(file) as VolumeSourceInstance['metadata'],
  })),
);
const frame = (set: number[]) => {
  const f = new Uint8Array(90);
  for (const i of set) f[i] = 1;
  return f;
};
const seg = writeSeg({
  geometry: g,
  segments: [
    {
      number: 1,
      label: 'Lesion',
      code: { scheme: 'SCT', value: '52988006', meaning: 'Lesion' },
      category: { scheme: 'SCT', value: '49755003', meaning: 'Morphologically Altered Structure' },
      algorithmType: 'MANUAL',
      color: '#e6194b',
      slices: new Map([
        [0, frame([0, 89])],
        [3, frame([44, 45])],
      ]),
    },
    {
      number: 2,
      label: 'Long code',
      code: { scheme: '99ANNEX', value: 'a-label-id-longer-than-16', meaning: 'Long code' },
      category: { scheme: 'SCT', value: '49755003', meaning: 'Morphologically Altered Structure' },
      algorithmType: 'MANUAL',
      slices: new Map([[1, frame([5])]]),
    },
  ],
  patient: {},
  seriesInstanceUid: '2.25.77',
  sopInstanceUid: '2.25.78',
  seriesNumber: 1,
  instanceNumber: 1,
  contentLabel: 'X',
  manufacturer: 'Annex',
  softwareVersions: 't',
  contentDateTime: new Date(0),
});
const buffer = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe('readSeg (dcmjs)', () => {
  it('reads back what writeSeg wrote: segments, codes, colours, frames on their source images', () => {
    const read = readSeg(buffer(seg));
    expect(read).toMatchObject({ rows: 9, columns: 10, seriesInstanceUid: series.seriesInstanceUid });
    expect(read.segments.map((s) => [s.number, s.label, s.code?.value])).toEqual([
      [1, 'Lesion', '52988006'],
      [2, 'Long code', 'a-label-id-longer-than-16'],
    ]);
    expect(read.segments[0]!.color).toEqual([230, 25, 75]);
    const set = (p: Uint8Array) => [...p.keys()].filter((i) => p[i]);
    expect(read.frames.map((f) => [f.segment, f.sopInstanceUid, f.frameNumber, set(f.pixels)])).toEqual([
      [1, g.frames[0]!.sopInstanceUid, 1, [0, 89]],
      [1, g.frames[3]!.sopInstanceUid, 1, [44, 45]],
      [2, g.frames[1]!.sopInstanceUid, 1, [5]],
    ]);
  });

  it('refuses what is not a binary SEG, and a truncated one, with a code', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as SegReadError).code;
      }
      return 'accepted';
    };
    expect(code(() => readSeg(buffer(series.files[0]!)))).toBe('SEG_NOT_A_SEGMENTATION');
    expect(code(() => readSeg(new ArrayBuffer(10)))).toBe('SEG_UNREADABLE');
    // The pixel data element's value cut short (its length too): the header still says 3 frames of 90 pixels.
    const at = seg.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0]));
    const length = seg.readUInt32LE(at + 8);
    const truncated = Buffer.from(seg.subarray(0, seg.length - 30));
    truncated.writeUInt32LE(length - 30, at + 8);
    expect(code(() => readSeg(buffer(truncated)))).toBe('SEG_TRUNCATED');
  });

  it('converts scaled CIELab back to the sRGB it came from', () => {
    for (const hex of ['#000000', '#ffffff', '#3cb44b', '#4363d8']) {
      const rgb = dicomLabToRgb(hexToDicomLab(hex));
      const back = `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
      expect(back).toBe(hex);
    }
  });
});
