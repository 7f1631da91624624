import { type AnnotationDoc, instructionsSchema } from '@annex/annotation-model';
import { describe, expect, it } from 'vitest';
import { runsToCocoRle, toCoco } from './coco.ts';
import { cocoDatasetSchema, decodeCocoRle } from './coco-schema.ts';

const instructions = instructionsSchema.parse({
  labels: [
    { id: 'ruler', name: 'Ruler', color: '#000000', tool: 'length' },
    { id: 'box', name: 'Box', color: '#ff0000', tool: 'bbox' },
    {
      id: 'lesion',
      name: 'Lesion',
      color: '#00ff00',
      tool: 'mask',
      code: { scheme: 'SCT', value: '52988006', meaning: 'Lesion' },
      category: { scheme: 'SCT', value: '49755003', meaning: 'Morphologically Altered Structure' },
    },
    { id: 'outline', name: 'Outline', color: '#0000ff', tool: 'polygon' },
  ],
});

const image = (sop: string) => ({ seriesUid: '2.25.9', sopInstanceUid: sop, frame: 1 });

/** 4 rows × 5 columns, row-major runs (zeros first): pixels (row 1, col 1..3) and (row 2, col 2). */
const RUNS = [6, 3, 3, 1, 7];
const SET = [
  [1, 1],
  [1, 2],
  [1, 3],
  [2, 2],
];

const doc: AnnotationDoc = {
  shapes: [
    {
      id: 's1',
      labelId: 'box',
      kind: 'bbox',
      image: image('2.25.1'),
      points: [
        [4, 2],
        [1, 0],
      ],
      attributes: { confident: true },
    },
    {
      id: 's2',
      labelId: 'outline',
      kind: 'polygon',
      image: image('2.25.1'),
      points: [
        [0, 0],
        [4, 0],
        [4, 3],
      ],
      attributes: {},
    },
    {
      id: 's3',
      labelId: 'ruler',
      kind: 'length',
      image: image('2.25.1'),
      points: [
        [0, 0],
        [3, 4],
      ],
      attributes: {},
    },
    {
      id: 's4',
      labelId: 'box',
      kind: 'bbox',
      image: image('2.25.404'),
      points: [
        [0, 0],
        [1, 1],
      ],
      attributes: {},
    },
  ],
  masks: [
    {
      labelId: 'lesion',
      rows: 4,
      columns: 5,
      slices: [{ image: image('2.25.1'), runs: RUNS }],
      attributes: {},
    },
  ],
  classifications: {},
};

describe('toCoco', () => {
  const { coco, skipped } = toCoco({
    instructions,
    images: [{ sopInstanceUid: '2.25.1', frame: 1, rows: 4, columns: 5, fileName: 'images/a.png' }],
    labelSets: [{ task: 'tsk_1', doc }],
  });

  it('passes the COCO schema, with one category per region label in instruction order', () => {
    expect(() => cocoDatasetSchema.parse(coco)).not.toThrow();
    expect(coco.categories.map((c) => [c.id, c.name, c.supercategory])).toEqual([
      [1, 'Box', 'annex'],
      [2, 'Lesion', 'Morphologically Altered Structure'],
      [3, 'Outline', 'annex'],
    ]);
    expect(coco.images).toMatchObject([{ id: 1, width: 5, height: 4, file_name: 'images/a.png' }]);
  });

  it('writes boxes as [x, y, w, h] from any two corners, polygons with their area', () => {
    const box = coco.annotations.find((a) => a.category_id === 1)!;
    expect(box).toMatchObject({
      bbox: [1, 0, 3, 2],
      area: 6,
      iscrowd: 0,
      task: 'tsk_1',
      attributes: { confident: true },
    });
    const outline = coco.annotations.find((a) => a.category_id === 3)!;
    expect(outline).toMatchObject({ area: 6, bbox: [0, 0, 4, 3], segmentation: [[0, 0, 4, 0, 4, 3]] });
  });

  it('writes a mask as column-major RLE that decodes to exactly the painted pixels', () => {
    const mask = coco.annotations.find((a) => a.category_id === 2)!;
    expect(mask).toMatchObject({ iscrowd: 1, area: 4, bbox: [1, 1, 3, 2] });
    const decoded = decodeCocoRle(mask.segmentation as { size: [number, number]; counts: number[] });
    const set: number[][] = [];
    decoded.forEach((v, i) => {
      if (v) set.push([Math.floor(i / 5), i % 5]);
    });
    expect(set).toEqual(SET);
  });

  it('counts what COCO cannot hold or what does not fit, instead of dropping it silently', () => {
    expect(skipped).toEqual({ length: 1, 'unknown-image': 1 });
    expect(coco.annotations).toHaveLength(3);
  });
});

describe('runsToCocoRle', () => {
  it('refuses runs that do not cover the frame exactly', () => {
    expect(runsToCocoRle([6, 3], 4, 5)).toBeNull();
    expect(runsToCocoRle([21], 4, 5)).toBeNull();
    expect(runsToCocoRle([20], 4, 5)).toEqual({ counts: [20], area: 0, bbox: [0, 0, 0, 0] });
  });
});
