import type { Envelope, MetricValues, PairwiseAgreement } from '@annex/protocol';
import type { Db, PrismaClient } from '../../db.ts';
import { currentThresholds } from './settings-repository.ts';
import { summarizeTask, TIME_OUTLIER_MIN_SAMPLES, type TypicalTime } from './task-summary.ts';

// Applies the site→cloud QC messages inside the inbox transaction. Every statement is set-based
// and idempotent on its own keys, so a message re-sent under a new seq changes nothing.

const CHUNK = 1000;

/** Newest item per key (by `rank`), for batches that carry several updates of one task. */
function newestBy<T>(items: T[], key: (t: T) => string, rank: (t: T) => number): T[] {
  const best = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const prev = best.get(k);
    if (!prev || rank(item) >= rank(prev)) best.set(k, item);
  }
  return [...best.values()];
}

/** task.upserted: keep the highest revision of each task, and every revision in the history. */
export async function applyTaskUpserted(tx: Db, siteId: string, envelopes: Envelope<'task.upserted'>[]) {
  const all = envelopes.map((e) => ({ ...e.body, at: e.sentAt }));
  const rows = newestBy(
    all,
    (r) => r.taskId,
    (r) => r.revision,
  );
  await tx.$executeRaw`
    INSERT INTO "QcTask" ("siteId", "taskId", "projectId", "studyId", "seriesIds", status, "assigneeIds", "labelIds",
      modalities, "isGold", revision, "firstSeenAt", "updatedAt")
    SELECT ${siteId}, x."taskId", x."projectId", x."studyId",
      ARRAY(SELECT jsonb_array_elements_text(x."seriesIds")), x.status,
      ARRAY(SELECT jsonb_array_elements_text(x."assigneeIds")), ARRAY(SELECT jsonb_array_elements_text(x."labelIds")),
      -- Modalities of the task's series, as the site announced them (allow-listed attributes).
      ARRAY(SELECT DISTINCT cs.modality FROM "CloudSeries" cs WHERE cs."siteId" = ${siteId}
        AND cs."seriesId" IN (SELECT jsonb_array_elements_text(x."seriesIds")) ORDER BY 1),
      x."isGold", x.revision, x.at AT TIME ZONE 'UTC', x.at AT TIME ZONE 'UTC'
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x("taskId" text, "projectId" text, "studyId" text,
      "seriesIds" jsonb, status text, "assigneeIds" jsonb, "labelIds" jsonb, "isGold" boolean, revision bigint,
      at timestamptz)
    ON CONFLICT ("siteId", "taskId") DO UPDATE SET "projectId" = EXCLUDED."projectId", "studyId" = EXCLUDED."studyId",
      "seriesIds" = EXCLUDED."seriesIds", status = EXCLUDED.status, "assigneeIds" = EXCLUDED."assigneeIds",
      "labelIds" = EXCLUDED."labelIds", modalities = EXCLUDED.modalities, "isGold" = EXCLUDED."isGold",
      revision = EXCLUDED.revision,
      "updatedAt" = EXCLUDED."updatedAt"
    WHERE "QcTask".revision < EXCLUDED.revision`;
  await tx.$executeRaw`
    INSERT INTO "QcTaskEvent" ("siteId", "taskId", revision, "projectId", status, at)
    SELECT ${siteId}, x."taskId", x.revision, x."projectId", x.status, x.at AT TIME ZONE 'UTC'
    FROM jsonb_to_recordset(${JSON.stringify(all)}::jsonb)
      AS x("taskId" text, revision bigint, "projectId" text, status text, at timestamptz)
    ON CONFLICT DO NOTHING`;
  // Scores that arrived before their task, or whose task's gold status changed, follow the task.
  await tx.$executeRaw`
    UPDATE "QcAnnotatorScore" s SET "isGold" = t."isGold"
    FROM "QcTask" t
    WHERE t."siteId" = ${siteId} AND t."taskId" = ANY(${rows.map((r) => r.taskId)}::text[])
      AND s."siteId" = t."siteId" AND s."taskId" = t."taskId" AND s."isGold" IS DISTINCT FROM t."isGold"`;
  await refreshTasks(
    tx,
    siteId,
    rows.map((r) => r.taskId),
  );
}

/** task.metrics: every revision is kept (history); the task's summary follows the newest. */
export async function applyTaskMetrics(tx: Db, siteId: string, envelopes: Envelope<'task.metrics'>[]) {
  const events = envelopes.map((e) => ({
    taskId: e.body.taskId,
    projectId: e.body.projectId,
    revision: e.body.revision,
    labels: e.body.labels,
    annotators: e.body.annotators,
    at: e.sentAt,
  }));
  await tx.$executeRaw`
    INSERT INTO "QcMetricEvent" ("siteId", "taskId", revision, "projectId", labels, annotators, "sentAt")
    SELECT ${siteId}, x."taskId", x.revision, x."projectId", x.labels, x.annotators, x.at AT TIME ZONE 'UTC'
    FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb) AS x("taskId" text, revision bigint, "projectId" text,
      labels jsonb, annotators jsonb, at timestamptz)
    ON CONFLICT DO NOTHING`;
  const scores = events.flatMap((e) =>
    e.annotators.map((a) => ({
      taskId: e.taskId,
      revision: e.revision,
      projectId: e.projectId,
      annotatorId: a.annotatorId,
      score: a.score,
      dice: a.metrics.dice ?? null,
      f1: a.metrics.f1 ?? null,
      accuracy: a.metrics.accuracy ?? null,
      sens: a.metrics.staple_sensitivity ?? null,
      spec: a.metrics.staple_specificity ?? null,
      active: a.activeSeconds ?? null,
      revisions: a.revisionCount ?? null,
      reworks: a.reworkCount ?? null,
      at: e.at,
    })),
  );
  if (scores.length) {
    await tx.$executeRaw`
      INSERT INTO "QcAnnotatorScore" ("siteId", "taskId", revision, "projectId", "annotatorId", score, dice, f1, accuracy,
        "stapleSensitivity", "stapleSpecificity", "activeSeconds", "revisionCount", "reworkCount", at, "isGold")
      SELECT ${siteId}, x."taskId", x.revision, x."projectId", x."annotatorId", x.score, x.dice, x.f1, x.accuracy,
        x.sens, x.spec, x.active, x.revisions, x.reworks, x.at AT TIME ZONE 'UTC', t."isGold"
      FROM jsonb_to_recordset(${JSON.stringify(scores)}::jsonb) AS x("taskId" text, revision bigint, "projectId" text,
        "annotatorId" text, score float8, dice float8, f1 float8, accuracy float8, sens float8, spec float8,
        active int, revisions int, reworks int, at timestamptz)
      LEFT JOIN "QcTask" t ON t."siteId" = ${siteId} AND t."taskId" = x."taskId"
      ON CONFLICT DO NOTHING`;
    // Only the newest revision of each task counts in per-annotator summaries.
    await tx.$executeRaw`
      UPDATE "QcAnnotatorScore" s SET latest = (s.revision = m.newest)
      FROM (SELECT "taskId", max(revision) AS newest FROM "QcMetricEvent"
            WHERE "siteId" = ${siteId} AND "taskId" = ANY(${[...new Set(events.map((e) => e.taskId))]}::text[])
            GROUP BY "taskId") m
      WHERE s."siteId" = ${siteId} AND s."taskId" = m."taskId" AND s.latest IS DISTINCT FROM (s.revision = m.newest)`;
  }
  await refreshTasks(tx, siteId, [...new Set(events.map((e) => e.taskId))]);
}

/** labelset.finalized: recorded as received; the task shows its newest final set. */
export async function applyLabelsetFinalized(
  tx: Db,
  siteId: string,
  envelopes: Envelope<'labelset.finalized'>[],
) {
  const rows = envelopes.map((e) => ({
    annotationSetId: e.body.annotationSetId,
    taskId: e.body.taskId,
    projectId: e.body.projectId,
    method: e.body.method,
    annotatorId: e.body.annotatorId ?? null,
    labelIds: e.body.labelIds,
    at: e.sentAt,
  }));
  await tx.$executeRaw`
    INSERT INTO "QcLabelSet" ("siteId", "annotationSetId", "taskId", "projectId", method, "annotatorId", "labelIds",
      "finalizedAt")
    SELECT ${siteId}, x."annotationSetId", x."taskId", x."projectId", x.method, x."annotatorId",
      ARRAY(SELECT jsonb_array_elements_text(x."labelIds")), x.at AT TIME ZONE 'UTC'
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x("annotationSetId" text, "taskId" text,
      "projectId" text, method text, "annotatorId" text, "labelIds" jsonb, at timestamptz)
    ON CONFLICT DO NOTHING`;
  const newest = newestBy(
    rows,
    (r) => r.taskId,
    (r) => Date.parse(r.at),
  );
  await tx.$executeRaw`
    UPDATE "QcTask" t SET "finalizedAt" = x.at AT TIME ZONE 'UTC', "finalMethod" = x.method,
      "finalAnnotatorId" = x."annotatorId"
    FROM jsonb_to_recordset(${JSON.stringify(newest)}::jsonb) AS x("taskId" text, method text, "annotatorId" text,
      at timestamptz)
    WHERE t."siteId" = ${siteId} AND t."taskId" = x."taskId"
      AND (t."finalizedAt" IS NULL OR t."finalizedAt" <= x.at AT TIME ZONE 'UTC')`;
}

/** annotator.profile: the newest display name of each annotator (sites send one per change). */
export async function applyAnnotatorProfile(
  tx: Db,
  siteId: string,
  envelopes: Envelope<'annotator.profile'>[],
) {
  const rows = newestBy(
    envelopes.map((e) => ({ ...e.body, at: e.sentAt })),
    (r) => r.annotatorId,
    (r) => Date.parse(r.at),
  );
  await tx.$executeRaw`
    INSERT INTO "QcAnnotatorProfile" ("siteId", "annotatorId", "displayName", "updatedAt")
    SELECT ${siteId}, x."annotatorId", x."displayName", x.at AT TIME ZONE 'UTC'
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x("annotatorId" text, "displayName" text, at timestamptz)
    ON CONFLICT ("siteId", "annotatorId") DO UPDATE SET "displayName" = EXCLUDED."displayName",
      "updatedAt" = EXCLUDED."updatedAt"
    WHERE "QcAnnotatorProfile"."updatedAt" <= EXCLUDED."updatedAt"`;
}

interface LatestMetrics {
  taskId: string;
  revision: bigint;
  sentAt: Date;
  labels: { labelId: string; metrics: MetricValues; pairwise?: PairwiseAgreement }[];
  annotators: { annotatorId: string; score: number; activeSeconds?: number }[];
}

/** A task's kind within its project: the modalities of its series, sorted. */
export const taskKind = (modalities: string[]) => [...modalities].sort().join(',');
const kindKey = (projectId: string, modalities: string[]) => `${projectId}|${taskKind(modalities)}`;

/**
 * The typical active time of each kind of task (its modalities) in these projects: the median of
 * the annotators' times on each task's newest metrics. Also kept in QcTypicalTime for the task page.
 */
export async function typicalTimes(
  db: Db,
  siteId: string,
  projectIds: string[],
): Promise<(projectId: string, modalities: string[]) => TypicalTime | undefined> {
  const rows = await db.$queryRaw<
    { projectId: string; modalities: string[]; medianSeconds: number; samples: bigint }[]
  >`
    SELECT s."projectId", t.modalities, percentile_cont(0.5) WITHIN GROUP (ORDER BY s."activeSeconds") AS "medianSeconds",
      count(*) AS samples
    FROM "QcAnnotatorScore" s
    JOIN "QcTask" t ON t."siteId" = s."siteId" AND t."taskId" = s."taskId"
    WHERE s."siteId" = ${siteId} AND s."projectId" = ANY(${projectIds}::text[]) AND s.latest
      AND s."activeSeconds" IS NOT NULL
    GROUP BY s."projectId", t.modalities`;
  if (rows.length) {
    const kept = rows.map((r) => ({
      projectId: r.projectId,
      kind: taskKind(r.modalities),
      medianSeconds: r.medianSeconds,
      samples: Number(r.samples),
    }));
    await db.$executeRaw`
      INSERT INTO "QcTypicalTime" ("siteId", "projectId", kind, "medianSeconds", samples, "updatedAt")
      SELECT ${siteId}, x."projectId", x.kind, x."medianSeconds", x.samples, now()
      FROM jsonb_to_recordset(${JSON.stringify(kept)}::jsonb)
        AS x("projectId" text, kind text, "medianSeconds" float8, samples int)
      ON CONFLICT ("siteId", "projectId", kind) DO UPDATE SET "medianSeconds" = EXCLUDED."medianSeconds",
        samples = EXCLUDED.samples, "updatedAt" = EXCLUDED."updatedAt"`;
  }
  const map = new Map(
    rows.map((r) => [
      kindKey(r.projectId, r.modalities),
      { medianSeconds: r.medianSeconds, samples: Number(r.samples) },
    ]),
  );
  return (projectId, modalities) => map.get(kindKey(projectId, modalities));
}

/**
 * Recomputes the summary columns, flags and per-label rows of tasks from their newest metrics and
 * their project's current thresholds. Tasks without metrics (or unknown tasks) are left alone: a
 * task.metrics that arrives before its task.upserted is summarized when the task arrives.
 */
export async function refreshTasks(tx: Db, siteId: string, taskIds: string[]): Promise<void> {
  for (let i = 0; i < taskIds.length; i += CHUNK) {
    const ids = taskIds.slice(i, i + CHUNK);
    const tasks = await tx.qcTask.findMany({
      where: { siteId, taskId: { in: ids } },
      select: { taskId: true, projectId: true, isGold: true, modalities: true },
    });
    if (tasks.length === 0) continue;
    const latest = await tx.$queryRaw<LatestMetrics[]>`
      SELECT DISTINCT ON ("taskId") "taskId", revision, "sentAt", labels, annotators
      FROM "QcMetricEvent" WHERE "siteId" = ${siteId} AND "taskId" = ANY(${tasks.map((t) => t.taskId)}::text[])
      ORDER BY "taskId", revision DESC`;
    if (latest.length === 0) continue;
    const byTask = new Map(latest.map((m) => [m.taskId, m]));
    const projectIds = [...new Set(tasks.map((t) => t.projectId))];
    const thresholds = await currentThresholds(tx, siteId, projectIds);
    // Typical times as of now: a task is flagged against the project's times when its metrics (or
    // the project's thresholds) change, not every time another task's times move the median.
    const typical = await typicalTimes(tx, siteId, projectIds);
    const updates = [];
    const labelRows = [];
    for (const task of tasks) {
      const m = byTask.get(task.taskId);
      if (!m) continue;
      const s = summarizeTask(
        { isGold: task.isGold, labels: m.labels, annotators: m.annotators },
        thresholds(task.projectId),
        typical(task.projectId, task.modalities),
      );
      updates.push({
        taskId: task.taskId,
        revision: Number(m.revision),
        at: m.sentAt.toISOString(),
        agreement: s.agreement,
        minDice: s.minDice,
        minKappa: s.minKappa,
        maxHd95Mm: s.maxHd95Mm,
        minScore: s.minAnnotatorScore,
        annotators: s.annotatorCount,
        flags: s.flags,
      });
      const pairwise = new Map(m.labels.map((l) => [l.labelId, l.pairwise ?? null]));
      for (const l of s.labels)
        labelRows.push({
          ...l,
          pairwise: pairwise.get(l.labelId) ?? null,
          taskId: task.taskId,
          projectId: task.projectId,
        });
    }
    await tx.$executeRaw`
      UPDATE "QcTask" t SET "metricsRevision" = x.revision, "metricsAt" = x.at AT TIME ZONE 'UTC',
        agreement = x.agreement, "minDice" = x."minDice", "minKappa" = x."minKappa", "maxHd95Mm" = x."maxHd95Mm",
        "minAnnotatorScore" = x."minScore", "annotatorCount" = x.annotators,
        flags = ARRAY(SELECT jsonb_array_elements_text(x.flags))
      FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS x("taskId" text, revision bigint, at timestamptz,
        agreement float8, "minDice" float8, "minKappa" float8, "maxHd95Mm" float8, "minScore" float8,
        annotators int, flags jsonb)
      WHERE t."siteId" = ${siteId} AND t."taskId" = x."taskId"`;
    await tx.$executeRaw`
      DELETE FROM "QcTaskLabel" WHERE "siteId" = ${siteId} AND "taskId" = ANY(${updates.map((u) => u.taskId)}::text[])`;
    if (labelRows.length) {
      await tx.$executeRaw`
        INSERT INTO "QcTaskLabel" ("siteId", "taskId", "projectId", "labelId", dice, iou, "hd95Mm", f1, kappa, agreement,
          metrics, pairwise)
        SELECT ${siteId}, x."taskId", x."projectId", x."labelId", x.dice, x.iou, x."hd95Mm", x.f1, x.kappa, x.agreement,
          x.metrics, CASE WHEN jsonb_typeof(x.pairwise) = 'object' THEN x.pairwise END
        FROM jsonb_to_recordset(${JSON.stringify(labelRows)}::jsonb) AS x("taskId" text, "projectId" text,
          "labelId" text, dice float8, iou float8, "hd95Mm" float8, f1 float8, kappa float8, agreement float8,
          metrics jsonb, pairwise jsonb)`;
    }
  }
}

/**
 * Re-flags every task of a project that has metrics (after a threshold change), one transaction
 * per chunk: it runs after the settings were committed, so it holds no lock the sync hub needs,
 * and a message applied meanwhile already reads the new thresholds.
 */
export async function refreshProject(
  prisma: PrismaClient,
  siteId: string,
  projectId: string,
): Promise<number> {
  const rows = await prisma.qcTask.findMany({
    where: { siteId, projectId, metricsRevision: { not: null } },
    select: { taskId: true },
  });
  const ids = rows.map((r) => r.taskId);
  for (let i = 0; i < ids.length; i += CHUNK) {
    await prisma.$transaction((tx) => refreshTasks(tx, siteId, ids.slice(i, i + CHUNK)), { timeout: 60_000 });
  }
  return ids.length;
}

/** How far (relative) a project's typical time may move before all its tasks are re-flagged. */
export const TYPICAL_TIME_DRIFT = 0.1;

/**
 * Re-flags every task of each project whose typical active time (of any task kind) drifted more
 * than `drift` from the median its tasks were last all flagged against, so time_outlier follows
 * the project's times as they accumulate rather than staying as each task found them. Returns how
 * many projects were re-flagged. Idempotent; safe to run from several cloud processes at once.
 */
export async function reflagDriftedProjects(
  prisma: PrismaClient,
  drift = TYPICAL_TIME_DRIFT,
): Promise<number> {
  const drifted = await prisma.$queryRaw<{ siteId: string; projectId: string }[]>`
    SELECT DISTINCT "siteId", "projectId" FROM "QcTypicalTime"
    WHERE samples >= ${TIME_OUTLIER_MIN_SAMPLES}
      AND ("flaggedMedianSeconds" IS NULL
        OR abs("medianSeconds" - "flaggedMedianSeconds") > ${drift} * "flaggedMedianSeconds")
    ORDER BY "siteId", "projectId"`;
  for (const { siteId, projectId } of drifted) {
    await refreshProject(prisma, siteId, projectId);
    // refreshProject recomputed the medians it flagged against: they are the new baseline.
    await prisma.$executeRaw`
      UPDATE "QcTypicalTime" SET "flaggedMedianSeconds" = "medianSeconds"
      WHERE "siteId" = ${siteId} AND "projectId" = ${projectId}`;
  }
  return drifted.length;
}

/** export.completed: recorded once per export (a redelivered message changes nothing). */
export async function applyExportCompleted(
  tx: Db,
  siteId: string,
  envelopes: Envelope<'export.completed'>[],
) {
  await tx.qcExport.createMany({
    data: envelopes.map((e) => ({
      siteId,
      exportId: e.body.exportId,
      projectId: e.body.projectId,
      variant: e.body.variant,
      formats: e.body.formats,
      taskCount: e.body.taskCount,
      fileCount: e.body.fileCount,
      bytes: BigInt(e.body.bytes),
      completedAt: new Date(e.body.completedAt),
    })),
    skipDuplicates: true,
  });
}
