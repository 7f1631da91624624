import { z } from 'zod';

// A project's labeling instructions: what to label, how, and the question-and-answer forms.
// Versioned by the site; a task remembers the version it was done under.

/** Label and attribute ids are short slugs: they cross to the cloud as ids, never as DICOM text. */
export const slugSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a lowercase slug (a-z, 0-9, _ and -)');
const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/);

/** Show an attribute only when another attribute of the same label has a given answer. */
export const showIfSchema = z.strictObject({
  attribute: slugSchema,
  equals: z.union([z.string().max(200), z.number(), z.boolean()]),
});

export const attributeDefSchema = z
  .strictObject({
    id: slugSchema,
    label: z.string().min(1).max(200),
    type: z.enum(['select', 'multiselect', 'boolean', 'number', 'text']),
    options: z.array(z.string().min(1).max(200)).max(100).optional(),
    required: z.boolean().default(false),
    min: z.number().optional(),
    max: z.number().optional(),
    unit: z.string().max(20).optional(),
    showIf: showIfSchema.optional(),
  })
  .refine((a) => !['select', 'multiselect'].includes(a.type) || (a.options?.length ?? 0) > 0, {
    message: 'select attributes need options',
    path: ['options'],
  })
  .refine((a) => a.min === undefined || a.max === undefined || a.min <= a.max, {
    message: 'min > max',
    path: ['min'],
  });
export type AttributeDef = z.infer<typeof attributeDefSchema>;

export const LABEL_TOOLS = [
  'bbox',
  'polygon',
  'polyline',
  'freehand',
  'point',
  'mask',
  'length',
  'angle',
] as const;
export type LabelTool = (typeof LABEL_TOOLS)[number];

/**
 * A coded concept (PS3.3 8.8): the ontology term a label stands for, e.g. SNOMED CT
 * `{ scheme: 'SCT', value: '39607008', meaning: 'Lung' }`. Exports write it into DICOM SEG and SR.
 */
export const codedConceptSchema = z.strictObject({
  /** CodingSchemeDesignator: SCT, DCM, FMA, RADLEX, or a local '99…' scheme. */
  scheme: z.string().regex(/^[A-Za-z0-9_.-]{1,16}$/),
  value: z.string().regex(/^[^\\]{1,64}$/),
  meaning: z.string().regex(/^[^\\]{1,64}$/),
});
export type CodedConcept = z.infer<typeof codedConceptSchema>;

export const labelDefSchema = z.strictObject({
  id: slugSchema,
  name: z.string().min(1).max(200),
  color: hexColor,
  tool: z.enum(LABEL_TOOLS),
  /** Submit is refused until at least one instance of a required label exists. */
  required: z.boolean().default(false),
  attributes: z.array(attributeDefSchema).max(50).default([]),
  /** For masks: the HU range the threshold brush paints by default. */
  threshold: z.tuple([z.number(), z.number()]).optional(),
  /** What the label is (SEG Segmented Property Type, SR finding); without one exports use a local code. */
  code: codedConceptSchema.optional(),
  /** SEG Segmented Property Category, e.g. SCT 49755003 Morphologically Altered Structure. */
  category: codedConceptSchema.optional(),
});
export type LabelDef = z.infer<typeof labelDefSchema>;

export const classificationDefSchema = z.strictObject({
  id: slugSchema,
  label: z.string().min(1).max(200),
  level: z.enum(['study', 'series', 'image']),
  type: z.enum(['select', 'multiselect', 'boolean', 'number', 'text']),
  options: z.array(z.string().min(1).max(200)).max(100).optional(),
  required: z.boolean().default(false),
  min: z.number().optional(),
  max: z.number().optional(),
});
export type ClassificationDef = z.infer<typeof classificationDefSchema>;

/** An example image the instructions refer to, by de-identified UIDs of a study on this site. */
export const exampleRefSchema = z.strictObject({
  title: z.string().min(1).max(200),
  studyUid: z.string().regex(/^[0-9.]{1,64}$/),
  seriesUid: z
    .string()
    .regex(/^[0-9.]{1,64}$/)
    .optional(),
  sopInstanceUid: z
    .string()
    .regex(/^[0-9.]{1,64}$/)
    .optional(),
});

export const instructionsSchema = z
  .strictObject({
    text: z.string().max(20_000).default(''),
    examples: z.array(exampleRefSchema).max(50).default([]),
    labels: z.array(labelDefSchema).max(200),
    classifications: z.array(classificationDefSchema).max(100).default([]),
  })
  .superRefine((ins, ctx) => {
    const ids = new Set<string>();
    for (const [i, l] of ins.labels.entries()) {
      if (ids.has(l.id))
        ctx.addIssue({ code: 'custom', path: ['labels', i, 'id'], message: 'duplicate label id' });
      ids.add(l.id);
      const attrs = new Set(l.attributes.map((a) => a.id));
      for (const [j, a] of l.attributes.entries()) {
        if (a.showIf && !attrs.has(a.showIf.attribute)) {
          ctx.addIssue({
            code: 'custom',
            path: ['labels', i, 'attributes', j, 'showIf'],
            message: 'refers to an unknown attribute',
          });
        }
      }
    }
    const cls = new Set<string>();
    for (const [i, c] of ins.classifications.entries()) {
      if (cls.has(c.id))
        ctx.addIssue({
          code: 'custom',
          path: ['classifications', i, 'id'],
          message: 'duplicate classification id',
        });
      cls.add(c.id);
    }
  });
export type Instructions = z.infer<typeof instructionsSchema>;
