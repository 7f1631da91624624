import type { AnnotationDoc, Instructions } from '@annex/annotation-model';
import { MAX_ACTIVE_SECONDS, MAX_TASK_ANNOTATORS } from '@annex/protocol';
import type { Prisma } from '../../db.ts';
import type { Db } from '../sync/db-client.ts';
import { enqueueOutbox } from '../sync/outbox.ts';
import type { TaskContext } from '../tasks/service.ts';
import { canariesOfStudy, reportTask } from '../tasks/task-sync.ts';
import { computeTaskQuality } from './compute.ts';
import { pairwiseAgreement } from './pairwise.ts';
import { type GridImage, type SeriesGrid, seriesGrid } from './series-grid.ts';

type Json = Record<string, { Value?: unknown[] } | undefined>;
const numbers = (json: Json, tag: string) => (json[tag]?.Value ?? []).map(Number).filter(Number.isFinite);

async function gridsOf(
  ctx: TaskContext,
  task: { studyRef: string; seriesRef: string | null },
): Promise<Map<string, SeriesGrid>> {
  const bySeries = new Map<string, GridImage[]>();
  for (const i of await ctx.repository.scopeInstances(task.studyRef, task.seriesRef)) {
    const meta = (i.metadata ?? {}) as Json;
    const seriesUid = ctx.ids.deidUid(i.seriesInstanceUid);
    const list = bySeries.get(seriesUid) ?? [];
    list.push({
      seriesUid,
      sopInstanceUid: ctx.ids.deidUid(i.sopInstanceUid),
      frames: i.numberOfFrames,
      rows: i.rows ?? 0,
      columns: i.columns ?? 0,
      position: numbers(meta, '00200032'),
      orientation: numbers(meta, '00200037'),
      pixelSpacing: numbers(meta, '00280030'),
    });
    bySeries.set(seriesUid, list);
  }
  return new Map([...bySeries].map(([uid, images]) => [uid, seriesGrid(images)]));
}

/**
 * The quality job: agreement, consensus and scores for a task whose annotations are in, stored
 * at the site, and sent to the cloud as numbers under pseudonyms in the same transaction.
 */
export async function computeQualityForTask(ctx: TaskContext, taskId: string): Promise<void> {
  const task = await ctx.repository.findTask(taskId);
  if (!task) return;
  const assignments = await ctx.repository.submittedRevisions(taskId);
  if (assignments.length === 0) return;
  const version = await ctx.repository.prisma.instructionsVersion.findUniqueOrThrow({
    where: { projectRef_version: { projectRef: task.projectRef, version: task.instructionsVersion } },
  });
  const docs = assignments.map(
    (a) => (a.revisions[0]?.doc ?? { shapes: [], masks: [], classifications: {} }) as AnnotationDoc,
  );
  const result = computeTaskQuality({
    instructions: version.instructions as Instructions,
    raters: docs,
    ...(task.isGold && task.goldDoc ? { gold: task.goldDoc as AnnotationDoc } : {}),
    grids: await gridsOf(ctx, task),
  });
  // The message reports on at most 16 annotators; the pairs name only those.
  const reported = assignments.slice(0, MAX_TASK_ANNOTATORS);
  const annotatorIds = reported.map((a) => ctx.ids.user(a.annotator));
  const pairwise = pairwiseAgreement({
    instructions: version.instructions as Instructions,
    metrics: result.summary.metrics,
    annotatorIds,
    docs: docs.slice(0, MAX_TASK_ANNOTATORS),
  });
  await ctx.repository.transaction(async (tx) => {
    const data = {
      annotators: assignments.map((a) => a.annotator),
      summary: result.summary as unknown as Prisma.InputJsonValue,
      consensusDoc: result.consensus as Prisma.InputJsonValue,
      consensusMethod: result.consensusMethod,
      flags: [],
      computedAt: new Date(),
    };
    await tx.qualityResult.upsert({
      where: { taskRef: taskId },
      create: { taskRef: taskId, ...data },
      update: data,
    });
    if (!task.isGold && task.status === 'submitted') {
      await tx.task.update({ where: { id: taskId }, data: { status: 'in_review' } });
    }
    await reportTask(tx, ctx.ids, taskId);
    const revision = (await tx.task.findUniqueOrThrow({ where: { id: taskId }, select: { revision: true } }))
      .revision;
    await enqueueOutbox(
      tx as unknown as Db,
      'task.metrics',
      {
        taskId: task.cloudId,
        projectId: ctx.ids.project(task.projectRef),
        revision,
        labels: result.labels.slice(0, 256).map((l) => {
          const p = pairwise.get(l.labelId);
          return p ? { ...l, pairwise: p } : l;
        }),
        annotators: reported.map((a, i) => ({
          annotatorId: annotatorIds[i]!,
          score: result.annotators[i]!.score,
          metrics: result.annotators[i]!.metrics,
          // Work numbers of the assignment (active, not wall-clock, time; saves; rework rounds).
          activeSeconds: Math.min(MAX_ACTIVE_SECONDS, a.activeSeconds),
          revisionCount: a.revision,
          reworkCount: a.reworkCount,
        })),
      },
      { canaries: await canariesOfStudy(tx, task.studyRef) },
    );
  });
}
