import { z } from 'zod';

// The QC API's answers as the dashboard reads them (services/cloud/src/modules/qc/present.ts and
// routes). Parsed at the boundary so a changed API fails loudly here, not as NaN in a chart.

const num = z.number().nullable();
const iso = z.string();

export const travelStateSchema = z.object({
  seq: z.number(),
  state: z.enum(['sent', 'applied', 'failed']),
  deliveredAt: iso.nullable(),
  resultAt: iso.nullable(),
  code: z.string().nullable(),
});

export const taskSchema = z.object({
  siteId: z.string(),
  taskId: z.string(),
  projectId: z.string(),
  studyId: z.string(),
  status: z.string(),
  isGold: z.boolean(),
  revision: z.number(),
  assigneeIds: z.array(z.string()),
  labelIds: z.array(z.string()),
  // Allow-listed modalities of the task's series, as the site announced them.
  modalities: z.array(z.string()).default([]),
  metricsAt: iso.nullable(),
  agreement: num,
  minDice: num,
  minKappa: num,
  maxHd95Mm: num,
  minAnnotatorScore: num,
  annotatorCount: z.number(),
  flags: z.array(z.string()),
  firstSeenAt: iso,
  updatedAt: iso,
  final: z
    .object({ at: iso.nullable(), method: z.string().nullable(), annotatorId: z.string().nullable() })
    .nullable(),
  lastDecision: z
    .object({
      decisionId: z.string(),
      verdict: z.string(),
      createdAt: iso,
      state: z.enum(['sent', 'applied', 'failed']),
    })
    .nullable(),
});
export type Task = z.infer<typeof taskSchema>;

export const taskListSchema = z.object({
  tasks: z.array(taskSchema),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
});

export const decisionSchema = z.object({
  decisionId: z.string(),
  siteId: z.string(),
  taskId: z.string(),
  projectId: z.string(),
  taskRevision: z.number(),
  verdict: z.string(),
  annotatorId: z.string().nullable(),
  comment: z.string().nullable(),
  decidedBy: z.object({ sub: z.string(), username: z.string() }),
  bulkId: z.string().nullable(),
  createdAt: iso,
  command: travelStateSchema,
});
export type Decision = z.infer<typeof decisionSchema>;

/** One label's pairwise agreement: its main metric between every pair of annotators. */
export const pairwiseSchema = z.object({
  labelId: z.string(),
  metric: z.string(),
  pairs: z.array(z.object({ annotatorA: z.string(), annotatorB: z.string(), value: num })),
});
export type Pairwise = z.infer<typeof pairwiseSchema>;

export const taskDetailSchema = z.object({
  task: taskSchema.extend({ seriesIds: z.array(z.string()) }),
  series: z.array(z.record(z.string(), z.unknown())).default([]),
  labels: z.array(
    z.object({
      labelId: z.string(),
      agreement: num,
      dice: num,
      iou: num,
      hd95Mm: num,
      f1: num,
      kappa: num,
      metrics: z.record(z.string(), z.number()).default({}),
    }),
  ),
  annotators: z.array(
    z.object({
      annotatorId: z.string(),
      score: z.number(),
      scoredAgainst: z.enum(['gold', 'consensus']),
      stapleSensitivity: num,
      stapleSpecificity: num,
      metrics: z.record(z.string(), z.number()).default({}),
      // Where the site sends names; else null and the pseudonym is shown.
      displayName: z.string().nullable().default(null),
      activeSeconds: num.default(null),
      revisionCount: num.default(null),
      reworkCount: num.default(null),
      timeOutlier: z.enum(['fast', 'slow']).nullable().default(null),
    }),
  ),
  activeTime: z
    .object({ typicalSeconds: num, samples: z.number(), factor: num })
    .default({ typicalSeconds: null, samples: 0, factor: null }),
  pairwise: z.array(pairwiseSchema).nullable().default([]),
  metricsHistory: z.array(z.object({ revision: z.number(), at: iso })),
  decisions: z.array(decisionSchema),
});
export type TaskDetail = z.infer<typeof taskDetailSchema>;

export const projectsSchema = z.object({
  projects: z.array(
    z.object({
      siteId: z.string(),
      projectId: z.string(),
      tasks: z.number(),
      open: z.number(),
      flagged: z.number(),
    }),
  ),
});
export type ProjectRef = z.infer<typeof projectsSchema>['projects'][number];

export const overviewSchema = z.object({
  siteId: z.string(),
  projectId: z.string(),
  tasks: z.number(),
  tasksByStatus: z.record(z.string(), z.number()),
  flagged: z.record(z.string(), z.number()),
  labels: z.array(
    z.object({
      labelId: z.string(),
      tasks: z.number(),
      medianAgreement: num,
      // The API now sends one agreement measure per label; dice/kappa medians are optional.
      medianDice: num.optional(),
      medianKappa: num.optional(),
    }),
  ),
  gold: z.object({ tasks: z.number(), scores: z.number(), accuracy: num }),
  backlog: z.object({ open: z.number(), oldestAgeS: num, medianAgeS: num }),
  statusPerDay: z.array(z.object({ day: z.string(), status: z.string(), tasks: z.number() })),
});
export type Overview = z.infer<typeof overviewSchema>;

export const statusSchema = z.object({
  messagesPerSecond: z.number(),
  sites: z.array(
    z.object({
      siteId: z.string(),
      organization: z.string(),
      connection: z.unknown().nullable(),
      siteToCloud: z.object({
        appliedSeq: z.number(),
        lastMessageAt: iso.nullable(),
        sitePending: num,
        siteOldestPendingAgeMs: num,
        statusAt: iso.nullable(),
      }),
      cloudToSite: z.object({ lastSeq: z.number(), ackedSeq: z.number(), oldestPendingAgeMs: num }),
      rejections: z.record(z.string(), z.number()),
    }),
  ),
});
export type SiteStatus = z.infer<typeof statusSchema>['sites'][number];

export const annotatorsSchema = z.object({
  annotators: z.array(
    z.object({
      annotatorId: z.string(),
      tasks: z.number(),
      goldTasks: z.number(),
      goldAccuracy: num,
      consensusAgreement: num,
      meanDice: num,
      meanF1: num,
      stapleSensitivity: num,
      stapleSpecificity: num,
      displayName: z.string().nullable().default(null),
      activeSecondsPerTask: num.default(null),
      reworkRate: num.default(null),
      meanRevisions: num.default(null),
      firstAt: iso,
      lastAt: iso,
    }),
  ),
});
export type AnnotatorSummary = z.infer<typeof annotatorsSchema>['annotators'][number];

export const performanceSchema = z.object({
  annotatorId: z.string(),
  days: z.array(
    z.object({
      day: z.string(),
      tasks: z.number(),
      goldTasks: z.number(),
      goldAccuracy: num,
      consensusAgreement: num,
      meanDice: num,
      meanActiveSeconds: num.optional(),
      reworkRate: num.optional(),
    }),
  ),
});
export type Performance = z.infer<typeof performanceSchema>;

export const thresholdsSchema = z.object({
  diceBelow: z.number().optional(),
  kappaBelow: z.number().optional(),
  hd95MmAbove: z.number().optional(),
  annotatorScoreBelow: z.number().optional(),
  // Cloud-only: flags time_outlier beyond median/factor … median×factor.
  timeOutlierFactor: z.number().optional(),
});
export type Thresholds = z.infer<typeof thresholdsSchema>;

const settingsRevisionSchema = z.object({
  revision: z.number(),
  consensusSize: z.number(),
  goldRate: z.number(),
  flagThresholds: thresholdsSchema,
  setBy: z.string().optional(),
  setAt: iso.optional(),
  command: travelStateSchema,
});
export type SettingsRevision = z.infer<typeof settingsRevisionSchema>;

export const settingsSchema = z.object({
  siteId: z.string(),
  projectId: z.string(),
  current: settingsRevisionSchema.nullable(),
  defaults: z.object({ flagThresholds: thresholdsSchema }),
  inEffectAtSite: z.object({ revision: z.number(), since: iso.nullable() }).nullable(),
  revisions: z.array(settingsRevisionSchema),
});
export type Settings = z.infer<typeof settingsSchema>;
