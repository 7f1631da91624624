import { instructionsSchema, slugSchema } from '@annex/annotation-model';
import { z } from 'zod';

/** Routes a series into a project when every condition given matches (case-insensitive). */
export const routingRuleSchema = z.strictObject({
  modality: z
    .array(z.string().regex(/^[A-Z]{2,4}$/))
    .min(1)
    .optional(),
  bodyPart: z.array(z.string().min(1).max(64)).min(1).optional(),
  seriesDescriptionContains: z.string().min(1).max(64).optional(),
  sopClassUid: z
    .array(z.string().regex(/^[0-9.]{1,64}$/))
    .min(1)
    .optional(),
});
export type RoutingRule = z.infer<typeof routingRuleSchema>;

export const flagThresholdsSchema = z.strictObject({
  diceBelow: z.number().min(0).max(1).optional(),
  kappaBelow: z.number().min(-1).max(1).optional(),
  hd95MmAbove: z.number().min(0).max(10_000).optional(),
  annotatorScoreBelow: z.number().min(0).max(1).optional(),
});

export const projectInputSchema = z.strictObject({
  slug: slugSchema,
  name: z.string().min(1).max(200),
  taskScope: z.enum(['study', 'series']).default('study'),
  consensusSize: z.number().int().min(1).max(5).default(3),
  goldRate: z.number().min(0).max(1).default(0.1),
  goldWarmup: z.number().int().min(0).max(20).default(1),
  reviewStage: z.boolean().default(false),
  leaseSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(3600),
  routingRules: z.array(routingRuleSchema).max(50).default([]),
  flagThresholds: flagThresholdsSchema.default({}),
  instructions: instructionsSchema,
});
export type ProjectInput = z.infer<typeof projectInputSchema>;

export const projectViewSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  taskScope: z.string(),
  consensusSize: z.number(),
  goldRate: z.number(),
  goldWarmup: z.number(),
  reviewStage: z.boolean(),
  leaseSeconds: z.number(),
  routingRules: z.array(routingRuleSchema),
  flagThresholds: flagThresholdsSchema,
  currentVersion: z.number(),
  instructions: instructionsSchema,
});

/** Project settings a data-science lead (site-admin) changes after creation. */
export const projectSettingsSchema = z
  .strictObject({ reviewStage: z.boolean().optional() })
  .refine((v) => Object.keys(v).length > 0, 'name at least one setting');
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

export const addTasksSchema = z.strictObject({
  studyInstanceUids: z
    .array(z.string().regex(/^[0-9.]{1,64}$/))
    .min(1)
    .max(1000),
});
