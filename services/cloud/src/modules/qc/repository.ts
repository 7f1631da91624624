import { type Db, Prisma } from '../../db.ts';
import type { TaskFilter, TaskSort } from './schemas.ts';

// Reads for the QC API. Every function takes the caller's visible site ids (`null` = all, for
// cloud-admin) from scope.ts, so no query here can cross organizations.

type Sites = string[] | null;

const siteWhere = (sites: Sites) => (sites === null ? {} : { siteId: { in: sites } });

const range = (min: number | undefined, max: number | undefined) =>
  min === undefined && max === undefined
    ? undefined
    : { ...(min !== undefined ? { gte: min } : {}), ...(max !== undefined ? { lte: max } : {}) };

/** The queue filter as a Prisma `where`, always limited to the visible sites. */
export function taskWhere(sites: Sites, f: TaskFilter): Prisma.QcTaskWhereInput {
  const and: Prisma.QcTaskWhereInput[] = [siteWhere(sites)];
  if (f.siteId) and.push({ siteId: f.siteId });
  if (f.projectId) and.push({ projectId: f.projectId });
  if (f.status?.length) and.push({ status: { in: f.status } });
  if (f.flag) and.push({ flags: { has: f.flag } });
  if (f.modality) and.push({ modalities: { has: f.modality } });
  if (f.isGold !== undefined) and.push({ isGold: f.isGold });
  if (f.hasMetrics !== undefined) and.push({ metricsRevision: f.hasMetrics ? { not: null } : null });
  const dice = range(f.minDice, f.maxDice);
  const kappa = range(f.minKappa, f.maxKappa);
  const agreement = range(f.minAgreement, f.maxAgreement);
  if (f.label) {
    and.push({
      labels: {
        some: {
          labelId: f.label,
          ...(dice ? { dice } : {}),
          ...(kappa ? { kappa } : {}),
          ...(agreement ? { agreement } : {}),
        },
      },
    });
  } else {
    if (dice) and.push({ minDice: dice });
    if (kappa) and.push({ minKappa: kappa });
    if (agreement) and.push({ agreement });
  }
  return { AND: and };
}

const ORDER: Record<TaskSort, Prisma.QcTaskOrderByWithRelationInput[]> = {
  agreement: [{ agreement: { sort: 'asc', nulls: 'last' } }],
  '-agreement': [{ agreement: { sort: 'desc', nulls: 'last' } }],
  updated: [{ updatedAt: 'asc' }],
  '-updated': [{ updatedAt: 'desc' }],
  age: [{ firstSeenAt: 'asc' }],
};

export async function listTasks(
  db: Db,
  sites: Sites,
  filter: TaskFilter,
  page: { sort: TaskSort; limit: number; offset: number },
) {
  const where = taskWhere(sites, filter);
  // The count runs beside the page and the caller's next query; awaited last.
  const total = db.qcTask.count({ where }).then((n) => n);
  total.catch(() => {}); // a failure surfaces where it is awaited
  const rows = await db.qcTask.findMany({
    where,
    // siteId/taskId last: a stable order, so pages neither repeat nor skip tasks.
    orderBy: [...ORDER[page.sort], { siteId: 'asc' }, { taskId: 'asc' }],
    take: page.limit,
    skip: page.offset,
  });
  return { rows, total };
}

export type TaskRow = Awaited<ReturnType<typeof listTasks>>['rows'][number];

/** Whether an annotator was scored on the task's newest metrics (assignments may be released). */
export const wasScored = async (db: Db, siteId: string, taskId: string, annotatorId: string) =>
  (await db.qcAnnotatorScore.count({ where: { siteId, taskId, annotatorId, latest: true } })) > 0;

/** Task ids matching a filter (for bulk decisions), at most `take`. */
export const matchingTasks = (db: Db, sites: Sites, filter: TaskFilter, take: number) =>
  db.qcTask.findMany({
    where: taskWhere(sites, filter),
    select: { siteId: true, taskId: true, projectId: true, revision: true },
    orderBy: [{ siteId: 'asc' }, { taskId: 'asc' }],
    take,
  });

export const countTasks = (db: Db, sites: Sites, filter: TaskFilter) =>
  db.qcTask.count({ where: taskWhere(sites, filter) });

export const findTask = (db: Db, sites: Sites, siteId: string, taskId: string) =>
  db.qcTask.findFirst({
    where: { AND: [siteWhere(sites), { siteId, taskId }] },
    include: { labels: { orderBy: { labelId: 'asc' } } },
  });

export const metricsHistory = (db: Db, siteId: string, taskId: string, take = 20) =>
  db.qcMetricEvent.findMany({ where: { siteId, taskId }, orderBy: { revision: 'desc' }, take });

/** Display names the site sent for these annotators (only sites that allow it send any). */
export async function displayNames(
  db: Db,
  siteId: string,
  annotatorIds: string[],
): Promise<Map<string, string>> {
  if (annotatorIds.length === 0) return new Map();
  const rows = await db.qcAnnotatorProfile.findMany({
    where: { siteId, annotatorId: { in: annotatorIds } },
    select: { annotatorId: true, displayName: true },
  });
  return new Map(rows.map((r) => [r.annotatorId, r.displayName]));
}

/** The typical active time time_outlier last used for this kind of task (see typicalTimes). */
export const typicalTimeOf = (db: Db, siteId: string, projectId: string, kind: string) =>
  db.qcTypicalTime.findUnique({ where: { siteId_projectId_kind: { siteId, projectId, kind } } });

export const labelSetsOf = (db: Db, siteId: string, taskId: string) =>
  db.qcLabelSet.findMany({ where: { siteId, taskId }, orderBy: { finalizedAt: 'desc' } });

/** Allow-listed series attributes (modality, sizes) the site announced for a task's series. */
export const seriesOf = (db: Db, siteId: string, seriesIds: string[]) =>
  db.cloudSeries.findMany({
    where: { siteId, seriesId: { in: seriesIds } },
    select: { seriesId: true, modality: true, frameCount: true, rows: true, columns: true },
  });

export interface DecisionRow {
  id: string;
  siteId: string;
  taskId: string;
  projectId: string;
  taskRevision: bigint;
  verdict: string;
  annotatorId: string | null;
  comment: string | null;
  decidedBy: string;
  decidedByName: string;
  bulkId: string | null;
  createdAt: Date;
  commandSeq: bigint;
  ackedAt: Date | null;
  resultStatus: string | null;
  resultCode: string | null;
  resultAt: Date | null;
}

export interface DecisionQuery {
  siteId?: string | undefined;
  projectId?: string | undefined;
  taskId?: string | undefined;
  state?: 'sent' | 'applied' | 'failed' | undefined;
  decidedBy?: string | undefined;
  bulkId?: string | undefined;
  limit: number;
  offset: number;
}

/**
 * Decisions with the travel state of their command (the outbox row the sites module keeps: acked
 * when the site confirmed receipt, result from the site's command.result), newest first.
 */
export async function listDecisions(db: Db, sites: Sites, q: DecisionQuery): Promise<DecisionRow[]> {
  const cond: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (sites !== null) cond.push(Prisma.sql`d."siteId" = ANY(${sites}::text[])`);
  if (q.siteId) cond.push(Prisma.sql`d."siteId" = ${q.siteId}`);
  if (q.projectId) cond.push(Prisma.sql`d."projectId" = ${q.projectId}`);
  if (q.taskId) cond.push(Prisma.sql`d."taskId" = ${q.taskId}`);
  if (q.decidedBy)
    cond.push(Prisma.sql`(d."decidedBy" = ${q.decidedBy} OR d."decidedByName" = ${q.decidedBy})`);
  if (q.bulkId) cond.push(Prisma.sql`d."bulkId" = ${q.bulkId}`);
  if (q.state === 'sent') cond.push(Prisma.sql`c."resultStatus" IS NULL`);
  else if (q.state) cond.push(Prisma.sql`c."resultStatus" = ${q.state}`);
  return db.$queryRaw<DecisionRow[]>`
    SELECT d.*, c."ackedAt", c."resultStatus", c."resultCode", c."resultAt"
    FROM "QcDecision" d
    LEFT JOIN "OutboxCommand" c ON c."siteId" = d."siteId" AND c.seq = d."commandSeq"
    WHERE ${Prisma.join(cond, ' AND ')}
    ORDER BY d."createdAt" DESC, d.id
    LIMIT ${q.limit} OFFSET ${q.offset}`;
}

/** The newest decision of each of these tasks (for the queue's "last decision" column). */
export async function latestDecisions(
  db: Db,
  tasks: { siteId: string; taskId: string }[],
): Promise<DecisionRow[]> {
  if (tasks.length === 0) return [];
  return db.$queryRaw<DecisionRow[]>`
    SELECT DISTINCT ON (d."siteId", d."taskId") d.*, c."ackedAt", c."resultStatus", c."resultCode", c."resultAt"
    FROM "QcDecision" d
    JOIN unnest(${tasks.map((t) => t.siteId)}::text[], ${tasks.map((t) => t.taskId)}::text[]) AS k(s, t)
      ON d."siteId" = k.s AND d."taskId" = k.t
    LEFT JOIN "OutboxCommand" c ON c."siteId" = d."siteId" AND c.seq = d."commandSeq"
    ORDER BY d."siteId", d."taskId", d."createdAt" DESC`;
}

/** Delivery and result of settings commands, by their seqs. */
export const commandsBySeq = (db: Db, siteId: string, seqs: bigint[]) =>
  db.outboxCommand.findMany({
    where: { siteId, seq: { in: seqs } },
    select: { seq: true, ackedAt: true, resultStatus: true, resultCode: true, resultAt: true },
  });

/** Projects visible to the caller: every (site, project) that reported tasks or has settings. */
export async function listProjects(db: Db, sites: Sites) {
  const siteCond = sites === null ? Prisma.sql`TRUE` : Prisma.sql`"siteId" = ANY(${sites}::text[])`;
  return db.$queryRaw<{ siteId: string; projectId: string; tasks: bigint; flagged: bigint; open: bigint }[]>`
    SELECT "siteId", "projectId", count(*) AS tasks, count(*) FILTER (WHERE cardinality(flags) > 0) AS flagged,
      count(*) FILTER (WHERE status NOT IN ('accepted', 'cancelled')) AS open
    FROM "QcTask" WHERE ${siteCond}
    GROUP BY "siteId", "projectId"
    UNION ALL
    SELECT DISTINCT "siteId", "projectId", 0, 0, 0 FROM "QcProjectSettings" s
    WHERE ${siteCond} AND NOT EXISTS (
      SELECT 1 FROM "QcTask" t WHERE t."siteId" = s."siteId" AND t."projectId" = s."projectId")
    ORDER BY "siteId", "projectId"`;
}

export const insertDecision = (db: Db, row: Prisma.QcDecisionUncheckedCreateInput) =>
  db.qcDecision.create({ data: row });
