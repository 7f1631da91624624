import { z } from 'zod';

// One annotator's work on one task, as the viewer saves it. Geometry is in image pixel
// coordinates of one frame of one instance, named by the UIDs the annotator sees (de-identified).

const uid = z.string().regex(/^[0-9.]{1,64}$/);

export type AttributeValue = string | number | boolean | string[] | null;
export const attributeValueSchema: z.ZodType<AttributeValue> = z.union([
  z.string().max(2000),
  z.number().finite(),
  z.boolean(),
  z.array(z.string().max(200)).max(100),
  z.null(),
]);

export const imageRefSchema = z.strictObject({
  seriesUid: uid,
  sopInstanceUid: uid,
  frame: z.number().int().min(1),
});
export type ImageRef = z.infer<typeof imageRefSchema>;

export const SHAPE_KINDS = ['bbox', 'polygon', 'polyline', 'freehand', 'point', 'length', 'angle'] as const;

export const shapeSchema = z.strictObject({
  id: z.string().min(1).max(100),
  labelId: z.string().min(1).max(40),
  kind: z.enum(SHAPE_KINDS),
  image: imageRefSchema,
  /** [column, row] pairs: a bbox is two corners, a point one, a length two, an angle three. */
  points: z
    .array(z.tuple([z.number().finite(), z.number().finite()]))
    .min(1)
    .max(10_000),
  attributes: z.record(z.string(), attributeValueSchema).default({}),
});
export type Shape = z.infer<typeof shapeSchema>;

/** One frame of a mask, run-length encoded over its pixels in row-major order, zeros first. */
export const maskSliceSchema = z.strictObject({
  image: imageRefSchema,
  runs: z.array(z.number().int().min(0)).max(2_000_000),
});
export const maskSchema = z.strictObject({
  labelId: z.string().min(1).max(40),
  rows: z.number().int().positive().max(65535),
  columns: z.number().int().positive().max(65535),
  slices: z.array(maskSliceSchema).max(5000),
  attributes: z.record(z.string(), attributeValueSchema).default({}),
});
export type Mask = z.infer<typeof maskSchema>;
export type MaskSlice = z.infer<typeof maskSliceSchema>;

export const annotationDocSchema = z.strictObject({
  shapes: z.array(shapeSchema).max(50_000),
  masks: z.array(maskSchema).max(256),
  /** Keyed by classification id, then by target: "study" or the study UID, a series UID, or "<sop>/<frame>". */
  classifications: z.record(z.string(), z.record(z.string(), attributeValueSchema)),
});
export type AnnotationDoc = z.infer<typeof annotationDocSchema>;

export const emptyDoc = (): AnnotationDoc => ({ shapes: [], masks: [], classifications: {} });
