import { z } from 'zod';

/**
 * What an export can hold. `dicom` is the de-identified source images (annotator view), `nifti` the label
 * volume and `nifti-image` the image volume beside it, `coco` 2D shapes and masks, `coco-png` the PNG frames
 * COCO's image entries then point at (without it they carry the de-identified SOP instance UID and frame).
 */
export const EXPORT_FORMATS = ['seg', 'sr', 'nifti', 'nifti-image', 'coco', 'coco-png', 'dicom'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const SINGLE_TASK_FORMATS = ['seg', 'sr', 'nifti', 'coco'] as const;

export const EXPORT_VARIANTS = ['deidentified', 'identified'] as const;
export type ExportVariant = (typeof EXPORT_VARIANTS)[number];

export const EXPORT_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired'] as const;

export const exportFilterSchema = z.strictObject({
  /** Only these tasks (site task ids); default: every task of the project with a final label set. */
  taskIds: z.array(z.string().uuid()).max(100_000).optional(),
  /** How the final set was made. */
  methods: z
    .array(z.enum(['staple', 'majority', 'single', 'annotator']))
    .max(4)
    .optional(),
  /** Final label sets fixed at or after this instant. */
  finalizedSince: z.string().datetime().optional(),
  /** Include gold-standard tasks (default: no, they are the annotators' test). */
  includeGold: z.boolean().default(false),
});
export type ExportFilter = z.infer<typeof exportFilterSchema>;

export const createExportBody = z.strictObject({
  projectId: z.string().uuid(),
  formats: z
    .array(z.enum(EXPORT_FORMATS))
    .min(1)
    .max(EXPORT_FORMATS.length)
    .refine((f) => new Set(f).size === f.length, 'each format once'),
  variant: z.enum(EXPORT_VARIANTS).default('deidentified'),
  filter: exportFilterSchema.default({ includeGold: false }),
  /** Hours until the files are deleted (default 72, at most 30 days). */
  expiresInHours: z.number().int().min(1).max(720).default(72),
});
export type CreateExportBody = z.infer<typeof createExportBody>;

export const exportView = z.object({
  id: z.string(),
  projectId: z.string(),
  formats: z.array(z.string()),
  variant: z.string(),
  status: z.enum(EXPORT_STATUSES),
  percent: z.number(),
  itemsDone: z.number(),
  itemsTotal: z.number(),
  currentItem: z.string().nullable(),
  attempt: z.number(),
  size: z.number().nullable(),
  sha256: z.string().nullable(),
  fileCount: z.number().nullable(),
  fileName: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
export type ExportView = z.infer<typeof exportView>;
