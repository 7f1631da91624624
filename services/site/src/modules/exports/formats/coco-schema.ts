import { z } from 'zod';

// The COCO object-detection format (cocodataset.org/#format-data), strict on the fields COCO defines and
// open to extra ones (Annex adds DICOM references, attributes and the task), as COCO readers ignore them.

export const cocoInfoSchema = z.object({
  year: z.number().int(),
  version: z.string(),
  description: z.string(),
  contributor: z.string(),
  url: z.string(),
  date_created: z.string(),
});
export type CocoInfo = z.infer<typeof cocoInfoSchema>;

export const cocoLicenseSchema = z.object({ id: z.number().int(), name: z.string(), url: z.string() });

export const cocoImageSchema = z.looseObject({
  id: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  file_name: z.string().min(1),
  license: z.number().int().optional(),
  flickr_url: z.string().optional(),
  coco_url: z.string().optional(),
  date_captured: z.string().optional(),
});
export type CocoImage = z.infer<typeof cocoImageSchema>;

/** Polygons: one or more rings of x,y pairs, three points at least. */
export const cocoPolygonsSchema = z
  .array(
    z
      .array(z.number().finite())
      .min(6)
      .refine((r) => r.length % 2 === 0, 'a polygon is x,y pairs'),
  )
  .min(1);

/** Run-length encoding over the pixels in column-major order, zeros first; `counts` may be compressed. */
export const cocoRleSchema = z.object({
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  counts: z.union([z.array(z.number().int().nonnegative()), z.string()]),
});
export type CocoRle = z.infer<typeof cocoRleSchema>;

export const cocoAnnotationSchema = z
  .looseObject({
    id: z.number().int().nonnegative(),
    image_id: z.number().int().nonnegative(),
    category_id: z.number().int().nonnegative(),
    segmentation: z.union([cocoPolygonsSchema, cocoRleSchema]),
    area: z.number().finite().nonnegative(),
    bbox: z.tuple([
      z.number().finite(),
      z.number().finite(),
      z.number().nonnegative(),
      z.number().nonnegative(),
    ]),
    iscrowd: z.union([z.literal(0), z.literal(1)]),
  })
  .refine((a) => (a.iscrowd === 1) === !Array.isArray(a.segmentation), {
    message: 'iscrowd 1 goes with RLE, iscrowd 0 with polygons',
    path: ['iscrowd'],
  });
export type CocoAnnotation = z.infer<typeof cocoAnnotationSchema>;

export const cocoCategorySchema = z.looseObject({
  id: z.number().int().nonnegative(),
  name: z.string().min(1),
  supercategory: z.string(),
});
export type CocoCategory = z.infer<typeof cocoCategorySchema>;

export const cocoDatasetSchema = z
  .object({
    info: cocoInfoSchema.optional(),
    licenses: z.array(cocoLicenseSchema).optional(),
    images: z.array(cocoImageSchema),
    annotations: z.array(cocoAnnotationSchema),
    categories: z.array(cocoCategorySchema),
  })
  .superRefine((d, ctx) => {
    const unique = (ids: number[], path: string) => {
      if (new Set(ids).size !== ids.length)
        ctx.addIssue({ code: 'custom', path: [path], message: 'duplicate id' });
    };
    unique(
      d.images.map((i) => i.id),
      'images',
    );
    unique(
      d.annotations.map((a) => a.id),
      'annotations',
    );
    unique(
      d.categories.map((c) => c.id),
      'categories',
    );
    const images = new Map(d.images.map((i) => [i.id, i]));
    const categories = new Set(d.categories.map((c) => c.id));
    for (const [i, a] of d.annotations.entries()) {
      const image = images.get(a.image_id);
      if (!image)
        ctx.addIssue({ code: 'custom', path: ['annotations', i, 'image_id'], message: 'no such image' });
      if (!categories.has(a.category_id))
        ctx.addIssue({
          code: 'custom',
          path: ['annotations', i, 'category_id'],
          message: 'no such category',
        });
      const seg = a.segmentation;
      if (Array.isArray(seg) || !image) continue;
      if (seg.size[0] !== image.height || seg.size[1] !== image.width)
        ctx.addIssue({
          code: 'custom',
          path: ['annotations', i, 'segmentation', 'size'],
          message: 'not [height, width]',
        });
      if (Array.isArray(seg.counts) && seg.counts.reduce((s, c) => s + c, 0) !== seg.size[0] * seg.size[1])
        ctx.addIssue({
          code: 'custom',
          path: ['annotations', i, 'segmentation', 'counts'],
          message: 'counts do not cover the image',
        });
    }
  });
export type CocoDataset = z.infer<typeof cocoDatasetSchema>;

/** pycocotools' compressed counts string (rleFrString): 5-bit groups, delta against the count two back. */
export function decompressCocoCounts(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      const c = s.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}

/**
 * Decodes a COCO RLE to a row-major 0/1 mask of height x width. Written from the format's definition
 * (column-major, zeros first), independently of the encoder, so tests can check one with the other.
 */
export function decodeCocoRle(rle: CocoRle): Uint8Array {
  const [h, w] = rle.size;
  const counts = typeof rle.counts === 'string' ? decompressCocoCounts(rle.counts) : rle.counts;
  const out = new Uint8Array(h * w);
  let k = 0;
  for (let i = 0; i < counts.length; i++) {
    const end = k + counts[i]!;
    if (end > h * w) throw new RangeError('RLE counts run past the image');
    if (i % 2 === 1) {
      for (; k < end; k++) {
        const col = Math.floor(k / h);
        const row = k - col * h;
        out[row * w + col] = 1;
      }
    }
    k = end;
  }
  if (k !== h * w) throw new RangeError('RLE counts do not cover the image');
  return out;
}
