import type { Prisma } from '../../db.ts';
import type { Db } from '../sync/db-client.ts';
import { studyCanaries } from '../sync/index.ts';
import { enqueueOutbox } from '../sync/outbox.ts';
import type { TaskIdentity } from './identity.ts';

type Tx = Prisma.TransactionClient;

/** The PHI of a task's study: none of it may appear in a message about the task. */
export async function canariesOfStudy(tx: Tx, studyRef: string): Promise<string[]> {
  const study = await tx.study.findUnique({
    where: { id: studyRef },
    include: { patient: true, series: { select: { seriesInstanceUid: true, attributes: true } } },
  });
  if (!study) return [];
  return studyCanaries({ patient: study.patient, study, series: study.series });
}

/**
 * Reports a task's current state to the cloud, inside the transaction that changed it: bumps the
 * task's revision and writes task.upserted to the outbox (pseudonymous ids only).
 */
export async function reportTask(tx: Tx, ids: TaskIdentity, taskId: string): Promise<void> {
  const task = await tx.task.update({
    where: { id: taskId },
    data: { revision: { increment: 1 } },
    include: {
      assignments: {
        where: { status: { in: ['active', 'submitted', 'awaiting_review', 'rework'] } },
        select: { annotator: true },
      },
      project: { select: { id: true, currentVersion: true } },
    },
  });
  const study = await tx.study.findUniqueOrThrow({
    where: { id: task.studyRef },
    select: { studyInstanceUid: true },
  });
  const series = await tx.series.findMany({
    where: task.seriesRef ? { id: task.seriesRef } : { studyRef: task.studyRef },
    select: { seriesInstanceUid: true },
  });
  const version = await tx.instructionsVersion.findUnique({
    where: { projectRef_version: { projectRef: task.projectRef, version: task.instructionsVersion } },
  });
  const labels = ((version?.instructions as { labels?: { id: string }[] } | undefined)?.labels ?? []).map(
    (l) => l.id,
  );
  await enqueueOutbox(
    tx as unknown as Db,
    'task.upserted',
    {
      taskId: ids.task(task.id),
      projectId: ids.project(task.projectRef),
      studyId: ids.study(study.studyInstanceUid),
      seriesIds: series.map((s) => ids.series(s.seriesInstanceUid)),
      status: task.status as 'pending',
      assigneeIds: task.assignments.slice(0, 16).map((a) => ids.user(a.annotator)),
      labelIds: labels.slice(0, 256),
      isGold: task.isGold,
      revision: task.revision,
    },
    { canaries: await canariesOfStudy(tx, task.studyRef) },
  );
}
