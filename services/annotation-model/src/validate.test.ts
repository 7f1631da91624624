import { describe, expect, it } from 'vitest';
import { annotationDocSchema } from './document.ts';
import { instructionsSchema } from './instructions.ts';
import { type ImageSizes, validateDocument } from './validate.ts';

const instructions = instructionsSchema.parse({
  text: 'Outline every nodule.',
  labels: [
    {
      id: 'nodule',
      name: 'Nodule',
      color: '#ff0000',
      tool: 'bbox',
      required: true,
      attributes: [
        { id: 'solid', label: 'Solid', type: 'boolean', required: true },
        {
          id: 'calcified',
          label: 'Calcified',
          type: 'select',
          options: ['yes', 'no'],
          required: true,
          showIf: { attribute: 'solid', equals: true },
        },
        { id: 'size', label: 'Size', type: 'number', min: 0, max: 100, unit: 'mm' },
      ],
    },
    { id: 'liver', name: 'Liver', color: '#00ff00', tool: 'mask' },
  ],
  classifications: [
    {
      id: 'quality',
      label: 'Image quality',
      level: 'study',
      type: 'select',
      options: ['good', 'poor'],
      required: true,
    },
  ],
});
const images: ImageSizes = new Map([['1.2.3.4', { rows: 4, columns: 4, frames: 1 }]]);
const image = { seriesUid: '1.2.3', sopInstanceUid: '1.2.3.4', frame: 1 };
const box = (
  attributes: Record<string, unknown>,
  points: [number, number][] = [
    [0, 0],
    [2, 2],
  ],
) => ({
  id: 'b1',
  labelId: 'nodule',
  kind: 'bbox',
  image,
  points,
  attributes,
});

describe('instructions', () => {
  it('rejects duplicate label ids and conditions on unknown attributes', () => {
    const bad = instructionsSchema.safeParse({
      labels: [
        {
          id: 'a',
          name: 'A',
          color: '#000000',
          tool: 'bbox',
          attributes: [{ id: 'x', label: 'X', type: 'boolean', showIf: { attribute: 'nope', equals: true } }],
        },
        { id: 'a', name: 'A2', color: '#000000', tool: 'point' },
      ],
    });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('duplicate label id');
    expect(JSON.stringify(bad.error?.issues)).toContain('unknown attribute');
  });
});

describe('validating a document against its instructions', () => {
  it('accepts a complete document', () => {
    const doc = annotationDocSchema.parse({
      shapes: [box({ solid: true, calcified: 'no', size: 4 })],
      masks: [{ labelId: 'liver', rows: 4, columns: 4, slices: [{ image, runs: [5, 3, 8] }] }],
      classifications: { quality: { study: 'good' } },
    });
    expect(validateDocument(doc, instructions, images, true)).toEqual([]);
  });

  it('asks for a conditional attribute only when its condition holds', () => {
    const solid = annotationDocSchema.parse({
      shapes: [box({ solid: true })],
      masks: [],
      classifications: { quality: { study: 'good' } },
    });
    expect(validateDocument(solid, instructions, images, true).map((p) => p.code)).toEqual([
      'REQUIRED_ATTRIBUTE_MISSING',
    ]);
    const notSolid = annotationDocSchema.parse({
      shapes: [box({ solid: false })],
      masks: [],
      classifications: { quality: { study: 'good' } },
    });
    expect(validateDocument(notSolid, instructions, images, true)).toEqual([]);
  });

  it('says which required labels and classifications are missing at submit, not at autosave', () => {
    const empty = annotationDocSchema.parse({ shapes: [], masks: [], classifications: {} });
    expect(validateDocument(empty, instructions, images, false)).toEqual([]);
    const codes = validateDocument(empty, instructions, images, true).map((p) => p.code);
    expect(codes).toEqual(['REQUIRED_LABEL_MISSING', 'REQUIRED_CLASSIFICATION_MISSING']);
  });

  it('refuses geometry outside the image, unknown images, wrong tools and out-of-range answers', () => {
    const doc = annotationDocSchema.parse({
      shapes: [
        box({ solid: false }, [
          [0, 0],
          [9, 9],
        ]),
        { ...box({ solid: false }), image: { ...image, sopInstanceUid: '9.9' } },
        { ...box({ solid: false }), kind: 'point', points: [[1, 1]] },
        box({ solid: false, size: 500 }),
      ],
      masks: [{ labelId: 'liver', rows: 4, columns: 4, slices: [{ image, runs: [5, 3] }] }],
      classifications: {},
    });
    const codes = validateDocument(doc, instructions, images, false).map((p) => p.code);
    expect(codes).toEqual(['OUTSIDE_IMAGE', 'UNKNOWN_IMAGE', 'WRONG_TOOL', 'ATTRIBUTE_INVALID', 'MASK_SIZE']);
  });
});
