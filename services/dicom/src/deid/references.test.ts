import { describe, expect, it } from 'vitest';
import { dciodvfyErrors, runOnFile } from '../../test/dicom-tools.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { dcmjs } from '../synthetic/dcmjs-module.ts';
import { makeMrSeries } from '../synthetic/mr-series.ts';
import { makeMultiframe } from '../synthetic/multiframe.ts';
import type { DElement } from './binary/element.ts';
import { readPart10 } from './binary/read-part10.ts';
import { deidentify } from './deidentify.ts';
import { decodeText } from './text-values.ts';
import { deidentifiedUid } from './uid-remap.ts';

const secret = 'references-secret-0123456789';
const ct = makeCtSeries({ slices: 3, rows: 32, cols: 32, seed: 'refs' });

type Dict = Record<string, { vr: string; Value?: unknown[] }>;
const ui = (v: string) => ({ vr: 'UI', Value: [v] });

/** A segmentation-like object referencing the CT series, its instances and frame of reference, nested deep. */
function referencingObject(): Buffer {
  const sop = '1.2.826.0.1.3680043.9.7433.99.1';
  const dict: Dict = {
    '00080016': ui('1.2.840.10008.5.1.4.1.1.66.4'),
    '00080018': ui(sop),
    '00080060': { vr: 'CS', Value: ['SEG'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Refpatient^Alma' }] },
    '00100020': { vr: 'LO', Value: [ct.study.patient.id] },
    '0020000D': ui(ct.study.studyInstanceUid),
    '0020000E': ui('1.2.826.0.1.3680043.9.7433.99.2'),
    '00200052': ui(ct.frameOfReferenceUid),
    '00081115': {
      vr: 'SQ',
      Value: [
        {
          '0020000E': ui(ct.seriesInstanceUid),
          '0008114A': {
            vr: 'SQ',
            Value: ct.sopInstanceUids.map((u) => ({
              '00081150': ui('1.2.840.10008.5.1.4.1.1.2'),
              '00081155': ui(u),
            })),
          },
        },
      ],
    },
    '52009230': {
      vr: 'SQ',
      Value: [
        {
          '00089124': {
            vr: 'SQ',
            Value: [
              {
                '00082112': {
                  vr: 'SQ',
                  Value: [
                    { '00081150': ui('1.2.840.10008.5.1.4.1.1.2'), '00081155': ui(ct.sopInstanceUids[1]!) },
                  ],
                },
              },
            ],
          },
        },
      ],
    },
  };
  const meta: Dict = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': ui('1.2.840.10008.5.1.4.1.1.66.4'),
    '00020003': ui(sop),
    '00020010': ui('1.2.840.10008.1.2.1'),
  };
  const d = new dcmjs.data.DicomDict(meta);
  d.dict = dict as never;
  return Buffer.from(d.write());
}

function find(elements: DElement[], path: number[]): DElement | undefined {
  let current: DElement[] | undefined = elements;
  let found: DElement | undefined;
  for (const [i, tag] of path.entries()) {
    found = current?.find((e) => e.tag === tag);
    current = i < path.length - 1 ? found?.items?.[0] : undefined;
  }
  return found;
}
const text = (e: DElement | undefined) => (e?.value ? decodeText(e.value, 'latin1') : undefined);

describe('references between de-identified objects', () => {
  const seg = deidentify(referencingObject(), { profile: 'annotator-view', secret });
  const cts = ct.files.map((f) => deidentify(f, { profile: 'annotator-view', secret }));
  const segTop = readPart10(seg.buffer).dataset;

  it('point at the de-identified study, series, frame of reference and instances', () => {
    const ctTop = (i: number) => readPart10(cts[i]!.buffer).dataset;
    expect(text(find(segTop, [0x0020000d]))).toBe(text(find(ctTop(0), [0x0020000d])));
    expect(text(find(segTop, [0x00200052]))).toBe(text(find(ctTop(0), [0x00200052])));
    expect(text(find(segTop, [0x00081115, 0x0020000e]))).toBe(text(find(ctTop(0), [0x0020000e])));
    const refs = find(segTop, [0x00081115, 0x0008114a])!.items!.map((item) =>
      text(item.find((e) => e.tag === 0x00081155)),
    );
    expect(refs).toEqual(ct.files.map((_, i) => text(find(ctTop(i), [0x00080018]))));
    // Four levels down: per-frame functional groups > derivation image > source image > referenced instance.
    expect(text(find(segTop, [0x52009230, 0x00089124, 0x00082112, 0x00081155]))).toBe(
      text(find(ctTop(1), [0x00080018])),
    );
    expect(text(find(segTop, [0x00081115, 0x0020000e]))).toBe(deidentifiedUid(secret, ct.seriesInstanceUid));
  });

  it('keep SOP Class UIDs (well-known classes are not identifying)', () => {
    expect(text(find(segTop, [0x00081115, 0x0008114a, 0x00081150]))).toBe('1.2.840.10008.5.1.4.1.1.2');
  });
});

describe('other modalities stay valid', () => {
  it.each([
    ['MR', () => makeMrSeries({ slices: 1, rows: 32, cols: 32, seed: 'valid-mr' }).files[0]!],
    ['multi-frame SC', () => makeMultiframe({ frames: 2, rows: 32, cols: 32, seed: 'valid-sc' }).files[0]!],
  ])('%s: dcmdump reads it and dciodvfy finds no new error', (_label, make) => {
    const input = make();
    const out = deidentify(input, { profile: 'annotator-view', secret });
    expect(runOnFile('dcmdump', out.buffer).status).toBe(0);
    const before = new Set(dciodvfyErrors(input));
    expect(dciodvfyErrors(out.buffer).filter((line) => !before.has(line))).toEqual([]);
  });
});
