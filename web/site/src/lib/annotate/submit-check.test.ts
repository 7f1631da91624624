import { describe, expect, it } from 'vitest';
import { emptyDoc, type Instructions, instructionsSchema } from '../api/tasks.ts';
import { answered, missingForSubmit } from './submit-check.ts';

const instructions: Instructions = instructionsSchema.parse({
  labels: [
    {
      id: 'nodule',
      name: 'Nodule',
      color: '#ff0000',
      tool: 'bbox',
      required: true,
      attributes: [{ id: 'solid', label: 'Solid?', type: 'boolean', required: true }],
    },
    { id: 'liver', name: 'Liver', color: '#00ff00', tool: 'mask' },
  ],
  classifications: [
    {
      id: 'quality',
      label: 'Image quality',
      type: 'select',
      options: ['good', 'poor'],
      level: 'study',
      required: true,
    },
  ],
});
const image = { seriesUid: '1.2', sopInstanceUid: '1.2.3.456789', frame: 1 };

describe('submit check', () => {
  it('lists every missing required label, attribute and classification', () => {
    expect(missingForSubmit(instructions, emptyDoc(), '1.2')).toEqual([
      'Draw at least one "Nodule"',
      'Answer "Image quality" for the study',
    ]);
  });

  it('asks for unanswered attributes of drawn shapes and passes once everything is answered', () => {
    const doc = emptyDoc();
    doc.shapes.push({
      id: 'a',
      labelId: 'nodule',
      kind: 'bbox',
      image,
      points: [
        [1, 1],
        [5, 5],
      ],
      attributes: {},
    });
    doc.classifications.quality = { '1.2': 'good' };
    expect(missingForSubmit(instructions, doc, '1.2')).toEqual([
      'Answer "Solid?" for Nodule on image 456789',
    ]);
    (doc.shapes[0] as { attributes: Record<string, unknown> }).attributes.solid = false;
    expect(missingForSubmit(instructions, doc, '1.2')).toEqual([]);
  });

  it('treats out-of-range numbers, blank text and empty selections as unanswered', () => {
    expect(answered({ type: 'number', min: 0, max: 10 }, 11)).toBe(false);
    expect(answered({ type: 'number', min: 0, max: 10 }, 0)).toBe(true);
    expect(answered({ type: 'text' }, '  ')).toBe(false);
    expect(answered({ type: 'multiselect' }, [])).toBe(false);
    expect(answered({ type: 'boolean' }, false)).toBe(true);
  });
});
