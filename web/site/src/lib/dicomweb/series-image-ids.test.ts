import { describe, expect, it } from 'vitest';
import type { DicomJson } from './dicom-json.ts';
import { seriesImages } from './series-image-ids.ts';

function instance(sop: string, z: number | undefined, num: number, frames?: number): DicomJson {
  const ds: DicomJson = {
    '0020000D': { vr: 'UI', Value: ['1.2.3'] },
    '0020000E': { vr: 'UI', Value: ['1.2.3.4'] },
    '00080018': { vr: 'UI', Value: [sop] },
    '00200013': { vr: 'IS', Value: [num] },
  };
  if (z !== undefined) {
    ds['00200032'] = { vr: 'DS', Value: [0, 0, z] };
    ds['00200037'] = { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] };
  }
  if (frames) ds['00280008'] = { vr: 'IS', Value: [frames] };
  return ds;
}

describe('series image ids', () => {
  it('orders slices head to feet by position, whatever the instance numbers say', () => {
    const ids = seriesImages('http://h/dicomweb/', [
      instance('9', -10, 1),
      instance('8', 5, 3),
      instance('7', 0, 2),
    ]);
    expect(ids.map((i) => i.sopInstanceUid)).toEqual(['8', '7', '9']);
    expect(ids[0]?.imageId).toBe(
      'wadors:http://h/dicomweb/studies/1.2.3/series/1.2.3.4/instances/8/frames/1',
    );
  });

  it('falls back to instance number when any slice lacks geometry', () => {
    const ids = seriesImages('/dicomweb', [instance('b', 0, 2), instance('a', undefined, 1)]);
    expect(ids.map((i) => i.sopInstanceUid)).toEqual(['a', 'b']);
  });

  it('gives each frame of a multi-frame instance its own image id', () => {
    const ids = seriesImages('/dicomweb', [instance('m', undefined, 1, 3)]);
    expect(ids.map((i) => i.imageId.split('/').slice(-2).join('/'))).toEqual([
      'frames/1',
      'frames/2',
      'frames/3',
    ]);
    expect(new Set(ids.map((i) => i.metadata)).size).toBe(1);
  });

  it('skips instances without UIDs instead of building broken URLs', () => {
    const broken = instance('x', 0, 1);
    delete broken['00080018'];
    expect(seriesImages('/dicomweb', [broken])).toEqual([]);
  });
});
