import { z } from 'zod';

export const uploadQuery = z.object({ project: z.string().min(1).max(100).optional() });
export const uploadParams = z.object({ id: z.uuid() });
export const uploadFilesQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
});

export const uploadView = z.object({
  id: z.string(),
  status: z.enum(['receiving', 'processing', 'done', 'failed']),
  kind: z.string(),
  errorCode: z.string().nullable(),
  bytesReceived: z.number(),
  totalEntries: z.number(),
  processedEntries: z.number(),
  stored: z.number(),
  duplicates: z.number(),
  conflicts: z.number(),
  failed: z.number(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  files: z.array(
    z.object({
      index: z.number(),
      /** Sanitized base name, for the uploader's eyes only. */
      name: z.string(),
      size: z.number().nullable(),
      /** STORED, DUPLICATE, CONFLICT, or the stable error code of the refusal. */
      outcome: z.string(),
      instanceId: z.string().nullable(),
    }),
  ),
});
export type UploadView = z.infer<typeof uploadView>;
