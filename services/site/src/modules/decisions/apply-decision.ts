import type { AnnotationDoc } from '@annex/annotation-model';
import { pseudonymize } from '@annex/dicom';
import type { BodyOf } from '@annex/protocol';
import type { Prisma } from '../../db.ts';
import type { CommandHandler, CommandOutcome } from '../sync/command-handlers.ts';
import type { Db } from '../sync/db-client.ts';
import { enqueueOutbox } from '../sync/outbox.ts';
import type { TaskIdentity } from '../tasks/identity.ts';
import { canariesOfStudy, reportTask } from '../tasks/task-sync.ts';

type Tx = Prisma.TransactionClient;
const failed = (code: string): CommandOutcome => ({ status: 'failed', code });

function labelsIn(doc: AnnotationDoc): string[] {
  return [
    ...new Set([
      ...doc.shapes.map((s) => s.labelId),
      ...doc.masks.map((m) => m.labelId),
      ...Object.keys(doc.classifications),
    ]),
  ];
}

async function finalize(
  tx: Tx,
  ids: TaskIdentity,
  secret: string,
  task: { id: string; cloudId: string; projectRef: string; studyRef: string },
  method: 'single' | 'staple' | 'majority' | 'annotator',
  doc: AnnotationDoc,
  decisionId: string,
  annotator?: string,
) {
  await tx.labelSet.upsert({
    where: { taskRef: task.id },
    create: {
      taskRef: task.id,
      method,
      annotator: annotator ?? null,
      doc: doc as Prisma.InputJsonValue,
      decisionId,
    },
    update: {
      method,
      annotator: annotator ?? null,
      doc: doc as Prisma.InputJsonValue,
      decisionId,
      finalizedAt: new Date(),
    },
  });
  await tx.task.update({ where: { id: task.id }, data: { status: 'accepted' } });
  const version = await tx.task.findUniqueOrThrow({
    where: { id: task.id },
    select: { instructionsVersion: true },
  });
  const instructions = await tx.instructionsVersion.findUniqueOrThrow({
    where: { projectRef_version: { projectRef: task.projectRef, version: version.instructionsVersion } },
  });
  const used = labelsIn(doc);
  // An empty final label set (nothing found) still names the labels it answers for.
  const labelIds = used.length
    ? used
    : ((instructions.instructions as { labels: { id: string }[] }).labels ?? []).map((l) => l.id);
  await enqueueOutbox(
    tx as unknown as Db,
    'labelset.finalized',
    {
      taskId: task.cloudId,
      projectId: ids.project(task.projectRef),
      annotationSetId: pseudonymize(secret, 'annotation', task.id),
      method,
      ...(annotator ? { annotatorId: ids.user(annotator) } : {}),
      labelIds: labelIds.slice(0, 256),
    },
    { canaries: await canariesOfStudy(tx, task.studyRef) },
  );
}

/**
 * Applies a QC decision from the cloud inside the inbox transaction (exactly once): accept the
 * consensus or one annotator's version as the task's final label set, send it back for rework
 * with the reviewer's comment, or escalate it for adjudication.
 */
export function qcDecisionHandler(ids: TaskIdentity, secret: string): CommandHandler<'qc.decision'> {
  return async (db, body: BodyOf<'qc.decision'>) => {
    const tx = db as unknown as Tx;
    if (await tx.qcDecision.findUnique({ where: { decisionId: body.decisionId } }))
      return { status: 'applied' };
    const task = await tx.task.findUnique({ where: { cloudId: body.taskId } });
    if (!task) return failed('TASK_NOT_FOUND');
    if (task.revision !== body.taskRevision) return failed('STALE_TASK_REVISION');
    if (!['in_review', 'escalated'].includes(task.status)) return failed('TASK_NOT_IN_REVIEW');
    // 'in_review' also while the site's own review stage holds work back: no verdict before it is done.
    if (await tx.assignment.count({ where: { taskRef: task.id, status: 'awaiting_review' } }))
      return failed('TASK_IN_SITE_REVIEW');
    const verdict = body.verdict;
    if (verdict.kind === 'accept-consensus') {
      const quality = await tx.qualityResult.findUnique({ where: { taskRef: task.id } });
      if (!quality) return failed('NO_CONSENSUS');
      await finalize(
        tx,
        ids,
        secret,
        task,
        quality.consensusMethod as 'staple',
        quality.consensusDoc as AnnotationDoc,
        body.decisionId,
      );
    } else if (verdict.kind === 'accept-annotator') {
      const assignments = await tx.assignment.findMany({ where: { taskRef: task.id, status: 'submitted' } });
      const chosen = assignments.find((a) => ids.user(a.annotator) === verdict.annotatorId);
      if (!chosen) return failed('ANNOTATOR_NOT_ON_TASK');
      const latest = await tx.annotationRevision.findFirst({
        where: { assignmentRef: chosen.id },
        orderBy: { revision: 'desc' },
      });
      await finalize(
        tx,
        ids,
        secret,
        task,
        'annotator',
        (latest?.doc ?? { shapes: [], masks: [], classifications: {} }) as AnnotationDoc,
        body.decisionId,
        chosen.annotator,
      );
    } else if (verdict.kind === 'rework') {
      await tx.assignment.updateMany({
        where: { taskRef: task.id, status: 'submitted' },
        data: { status: 'rework', reworkComment: verdict.comment, reworkCount: { increment: 1 } },
      });
      await tx.task.update({ where: { id: task.id }, data: { status: 'rework' } });
    } else {
      await tx.task.update({ where: { id: task.id }, data: { status: 'escalated' } });
    }
    await tx.qcDecision.create({
      data: {
        decisionId: body.decisionId,
        taskRef: task.id,
        verdict: verdict as Prisma.InputJsonValue,
        outcome: 'applied',
      },
    });
    await reportTask(tx, ids, task.id);
    return { status: 'applied' };
  };
}

/** Applies QC settings for a project; an older revision than the one applied is ignored. */
export function projectSettingsHandler(ids: TaskIdentity): CommandHandler<'project.settings'> {
  return async (db, body: BodyOf<'project.settings'>) => {
    const tx = db as unknown as Tx;
    const projects = await tx.project.findMany({ select: { id: true, settingsRevision: true } });
    const project = projects.find((p) => ids.project(p.id) === body.projectId);
    if (!project) return failed('PROJECT_NOT_FOUND');
    if (body.revision <= project.settingsRevision) return { status: 'applied' };
    await tx.project.update({
      where: { id: project.id },
      data: {
        settingsRevision: body.revision,
        consensusSize: body.consensusSize,
        goldRate: body.goldRate,
        flagThresholds: body.flagThresholds as Prisma.InputJsonValue,
      },
    });
    return { status: 'applied' };
  };
}
