import { z } from 'zod';
import { intIn } from '../bounded-number.ts';
import { exportId, isoTimestampSchema, projectId } from '../ids.ts';

export const EXPORT_FORMAT_NAMES = [
  'seg',
  'sr',
  'nifti',
  'nifti-image',
  'coco',
  'coco-png',
  'dicom',
] as const;

// site→cloud: a label export was written inside the hospital. The cloud learns that it happened and how
// big it was; the files, names and UIDs in it never leave the site.
export const exportCompletedSchema = z.strictObject({
  exportId,
  projectId,
  variant: z.enum(['deidentified', 'identified']),
  formats: z.array(z.enum(EXPORT_FORMAT_NAMES)).min(1).max(EXPORT_FORMAT_NAMES.length),
  taskCount: intIn(1, 10_000_000),
  fileCount: intIn(1, 1_000_000_000),
  bytes: intIn(0, Number.MAX_SAFE_INTEGER),
  completedAt: isoTimestampSchema,
});
export type ExportCompleted = z.infer<typeof exportCompletedSchema>;
