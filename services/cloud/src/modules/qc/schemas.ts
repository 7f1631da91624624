import {
  labelIdSchema,
  MODALITIES,
  projectId,
  projectSettingsSchema,
  qcVerdictSchema,
  SITE_ID_PATTERN,
  TASK_STATUSES,
  taskId,
  userId,
} from '@annex/protocol';
import { z } from 'zod';
import { QC_FLAGS } from './task-summary.ts';

// HTTP shapes of the QC API. Ids are validated with the protocol's patterns, so a malformed id is
// a 400 before any query runs.

const siteIdParam = z.string().regex(SITE_ID_PATTERN);
const agreementBound = z.coerce.number().min(-1).max(1).optional();
const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const statusList = z.union([
  z.array(z.enum(TASK_STATUSES)).max(TASK_STATUSES.length),
  z
    .string()
    .max(200)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(TASK_STATUSES))),
]);

/** The review queue's filter; used by the list, the bulk decision and the overview. */
export const taskFilterSchema = z.object({
  siteId: siteIdParam.optional(),
  projectId: projectId.optional(),
  /** One status or several, comma-separated (`submitted,in_review`). */
  status: statusList.optional(),
  flag: z.enum(QC_FLAGS).optional(),
  modality: z.enum(MODALITIES).optional(),
  /** With a label, the agreement bounds apply to that label; without, to the task's worst label. */
  label: labelIdSchema.optional(),
  minDice: agreementBound,
  maxDice: agreementBound,
  minKappa: agreementBound,
  maxKappa: agreementBound,
  minAgreement: agreementBound,
  maxAgreement: agreementBound,
  isGold: booleanish.optional(),
  /** Only tasks that have metrics (true) or that are still waiting for them (false). */
  hasMetrics: booleanish.optional(),
});
export type TaskFilter = z.infer<typeof taskFilterSchema>;

export const TASK_SORTS = ['agreement', '-agreement', 'updated', '-updated', 'age'] as const;
export type TaskSort = (typeof TASK_SORTS)[number];

export const taskListQuerySchema = taskFilterSchema.extend({
  sort: z.enum(TASK_SORTS).default('agreement'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const taskParamsSchema = z.object({ siteId: siteIdParam, taskId });
export const projectParamsSchema = z.object({ siteId: siteIdParam, projectId });
export const annotatorParamsSchema = projectParamsSchema.extend({ annotatorId: userId });

export const decisionBodySchema = z.object({
  verdict: qcVerdictSchema,
  /** The revision the reviewer looked at; a newer one at the cloud makes this a 409. */
  taskRevision: z.number().int().min(1).optional(),
});

/** Most tasks one bulk request may decide (one command each, all in one transaction). */
export const BULK_MAX = 2000;

export const bulkDecisionBodySchema = z.object({
  filter: taskFilterSchema,
  /** accept-annotator names one annotator, so it cannot be applied to a set of tasks. */
  verdict: qcVerdictSchema.refine((v) => v.kind !== 'accept-annotator', {
    message: 'accept-annotator cannot be decided in bulk',
  }),
  /** The count the reviewer saw; if the filter now matches a different number, nothing is sent (409). */
  expectedCount: z.number().int().min(1).max(BULK_MAX),
});

export const decisionListQuerySchema = z.object({
  siteId: siteIdParam.optional(),
  projectId: projectId.optional(),
  taskId: taskId.optional(),
  state: z.enum(['sent', 'applied', 'failed']).optional(),
  decidedBy: z.string().max(200).optional(),
  bulkId: z.string().max(80).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** The cloud-owned settings; the revision is assigned by the cloud. */
export const settingsBodySchema = projectSettingsSchema.omit({ projectId: true, revision: true }).extend({
  flagThresholds: projectSettingsSchema.shape.flagThresholds.extend({
    /** Cloud-only (the cloud computes time_outlier): more than 1, at most 100. */
    timeOutlierFactor: z.number().gt(1).max(100).optional(),
  }),
});

export const performanceQuerySchema = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
});
