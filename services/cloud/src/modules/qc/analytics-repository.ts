import { type Db, Prisma } from '../../db.ts';

// Aggregates for the project overview and annotator performance. Callers check that the site is
// visible first (scope.ts); every query is limited to one (site, project).

const FINAL_STATUSES = ['accepted', 'cancelled'];

export async function projectOverview(db: Db, siteId: string, projectId: string, now = new Date()) {
  const [byStatus, byFlag, labels, gold, backlog, perDay] = await Promise.all([
    db.$queryRaw<{ status: string; n: bigint }[]>`
      SELECT status, count(*) AS n FROM "QcTask" WHERE "siteId" = ${siteId} AND "projectId" = ${projectId}
      GROUP BY status ORDER BY status`,
    db.$queryRaw<{ flag: string; n: bigint }[]>`
      SELECT f AS flag, count(*) AS n FROM "QcTask", unnest(flags) AS f
      WHERE "siteId" = ${siteId} AND "projectId" = ${projectId} GROUP BY f ORDER BY f`,
    // One median per label: its agreement measure (dice for masks, f1 for shapes, kappa for classes).
    db.$queryRaw<{ labelId: string; tasks: bigint; agreement: number | null }[]>`
      SELECT "labelId", count(*) AS tasks, percentile_cont(0.5) WITHIN GROUP (ORDER BY agreement) AS agreement
      FROM "QcTaskLabel" WHERE "siteId" = ${siteId} AND "projectId" = ${projectId}
      GROUP BY "labelId" ORDER BY "labelId"`,
    // Gold accuracy from each gold task's newest metrics only (a re-computed task counts once).
    db.$queryRaw<{ tasks: bigint; scores: bigint; accuracy: number | null }[]>`
      SELECT count(DISTINCT "taskId") AS tasks, count(*) AS scores, avg(score) AS accuracy
      FROM "QcAnnotatorScore"
      WHERE "siteId" = ${siteId} AND "projectId" = ${projectId} AND latest AND "isGold"`,
    db.$queryRaw<{ open: bigint; oldest: Date | null; medianAgeS: number | null }[]>`
      SELECT count(*) AS open, min("firstSeenAt") AS oldest,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (${now}::timestamp - "firstSeenAt")))
          AS "medianAgeS"
      FROM "QcTask" WHERE "siteId" = ${siteId} AND "projectId" = ${projectId}
        AND status NOT IN (${Prisma.join(FINAL_STATUSES)})`,
    // Tasks that entered each status per day (last 90 days), from the task history.
    db.$queryRaw<{ day: string; status: string; n: bigint }[]>`
      SELECT to_char(date_trunc('day', at), 'YYYY-MM-DD') AS day, status, count(DISTINCT "taskId") AS n
      FROM "QcTaskEvent" WHERE "siteId" = ${siteId} AND "projectId" = ${projectId}
        AND at >= ${now}::timestamp - interval '90 days'
      GROUP BY 1, 2 ORDER BY 1, 2`,
  ]);
  const g = gold[0];
  const b = backlog[0];
  return {
    tasksByStatus: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])),
    tasks: byStatus.reduce((sum, r) => sum + Number(r.n), 0),
    flagged: Object.fromEntries(byFlag.map((r) => [r.flag, Number(r.n)])),
    labels: labels.map((l) => ({
      labelId: l.labelId,
      tasks: Number(l.tasks),
      medianAgreement: l.agreement,
    })),
    gold: { tasks: Number(g?.tasks ?? 0), scores: Number(g?.scores ?? 0), accuracy: g?.accuracy ?? null },
    backlog: {
      open: Number(b?.open ?? 0),
      oldestAgeS: b?.oldest ? Math.max(0, Math.round((now.getTime() - b.oldest.getTime()) / 1000)) : null,
      medianAgeS: b?.medianAgeS === null || b?.medianAgeS === undefined ? null : Math.round(b.medianAgeS),
    },
    statusPerDay: perDay.map((r) => ({ day: r.day, status: r.status, tasks: Number(r.n) })),
  };
}

export interface Period {
  from?: string | undefined;
  to?: string | undefined;
}

const periodSql = (p: Period) =>
  Prisma.sql`${p.from ? Prisma.sql`AND s.at >= ${p.from}::date` : Prisma.empty}
    ${p.to ? Prisma.sql`AND s.at < ${p.to}::date + 1` : Prisma.empty}`;

export interface AnnotatorSummaryRow {
  annotatorId: string;
  tasks: bigint;
  goldTasks: bigint;
  goldAccuracy: number | null;
  consensusAgreement: number | null;
  meanDice: number | null;
  meanF1: number | null;
  stapleSensitivity: number | null;
  stapleSpecificity: number | null;
  /** Mean active seconds per task, over tasks whose site reported it. */
  activeSecondsPerTask: number | null;
  /** Assignments sent back for rework at least once / assignments (where reported). */
  reworkRate: number | null;
  meanRevisions: number | null;
  displayName: string | null;
  firstAt: Date;
  lastAt: Date;
}

/**
 * Per annotator of a project, over each task's newest metrics in the period: accuracy against gold
 * (mean score on gold tasks), agreement with the consensus (mean score on the others), throughput.
 */
export const annotatorSummaries = (db: Db, siteId: string, projectId: string, p: Period) =>
  db.$queryRaw<AnnotatorSummaryRow[]>`
    SELECT s."annotatorId", count(*) AS tasks, count(*) FILTER (WHERE s."isGold") AS "goldTasks",
      avg(s.score) FILTER (WHERE s."isGold") AS "goldAccuracy",
      avg(s.score) FILTER (WHERE NOT coalesce(s."isGold", false)) AS "consensusAgreement",
      avg(s.dice) AS "meanDice", avg(s.f1) AS "meanF1", avg(s."stapleSensitivity") AS "stapleSensitivity",
      avg(s."stapleSpecificity") AS "stapleSpecificity",
      avg(s."activeSeconds")::float8 AS "activeSecondsPerTask",
      (count(*) FILTER (WHERE s."reworkCount" > 0))::float8 / nullif(count(s."reworkCount"), 0) AS "reworkRate",
      avg(s."revisionCount")::float8 AS "meanRevisions",
      min(p."displayName") AS "displayName",
      min(s.at) AS "firstAt", max(s.at) AS "lastAt"
    FROM "QcAnnotatorScore" s
    LEFT JOIN "QcAnnotatorProfile" p ON p."siteId" = s."siteId" AND p."annotatorId" = s."annotatorId"
    WHERE s."siteId" = ${siteId} AND s."projectId" = ${projectId} AND s.latest ${periodSql(p)}
    GROUP BY s."annotatorId" ORDER BY s."annotatorId"`;

export interface AnnotatorDayRow {
  annotatorId: string;
  day: string;
  tasks: number;
  goldTasks: number;
  goldAccuracy: number | null;
  consensusAgreement: number | null;
  meanDice: number | null;
  meanActiveSeconds: number | null;
  reworkRate: number | null;
}

/**
 * Per annotator and UTC day, from every metrics revision received (the history): a task scored
 * again after rework counts again on the day of its new scores. Thousands of rows (50 annotators ×
 * months) come back as one JSON value, far cheaper to decode than as rows.
 */
export async function annotatorDays(
  db: Db,
  siteId: string,
  projectId: string,
  p: Period,
  annotatorId?: string,
): Promise<AnnotatorDayRow[]> {
  const out = await db.$queryRaw<{ rows: AnnotatorDayRow[] }[]>`
    SELECT coalesce(json_agg(d ORDER BY d."annotatorId", d.day), '[]'::json) AS rows FROM (
      SELECT s."annotatorId", to_char(date_trunc('day', s.at), 'YYYY-MM-DD') AS day, count(*)::int AS tasks,
        (count(*) FILTER (WHERE s."isGold"))::int AS "goldTasks",
        avg(s.score) FILTER (WHERE s."isGold") AS "goldAccuracy",
        avg(s.score) FILTER (WHERE NOT coalesce(s."isGold", false)) AS "consensusAgreement",
        avg(s.dice) AS "meanDice", avg(s."activeSeconds")::float8 AS "meanActiveSeconds",
        (count(*) FILTER (WHERE s."reworkCount" > 0))::float8 / nullif(count(s."reworkCount"), 0) AS "reworkRate"
      FROM "QcAnnotatorScore" s
      WHERE s."siteId" = ${siteId} AND s."projectId" = ${projectId}
        ${annotatorId ? Prisma.sql`AND s."annotatorId" = ${annotatorId}` : Prisma.empty} ${periodSql(p)}
      GROUP BY s."annotatorId", date_trunc('day', s.at)) d`;
  return out[0]?.rows ?? [];
}
