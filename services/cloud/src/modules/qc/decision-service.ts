import { randomBytes } from 'node:crypto';
import { AppError, badRequest, conflict, notFound, type Principal } from '@annex/platform';
import type { QcVerdict } from '@annex/protocol';
import type { Db, PrismaClient } from '../../db.ts';
import { enqueueCommand } from '../outbox/repository.ts';
import { countTasks, findTask, insertDecision, matchingTasks, wasScored } from './repository.ts';
import { BULK_MAX, type TaskFilter } from './schemas.ts';

/** `qc_` + 22 random base64url characters (the protocol's decisionId pattern). */
export const newDecisionId = () => `qc_${randomBytes(16).toString('base64url')}`;

interface DecisionTarget {
  siteId: string;
  taskId: string;
  projectId: string;
  revision: bigint;
}

export const authorOf = (principal: Principal | undefined) => {
  if (!principal) throw new AppError('TOKEN_MISSING', 401, 'Authentication required.');
  return { decidedBy: principal.sub, decidedByName: principal.username };
};

/** Stores one decision and enqueues its qc.decision command, inside the caller's transaction. */
export async function decide(
  tx: Db,
  target: DecisionTarget,
  verdict: QcVerdict,
  author: { decidedBy: string; decidedByName: string },
  bulkId: string | null,
) {
  const id = newDecisionId();
  const commandSeq = await enqueueCommand(
    tx,
    target.siteId,
    'qc.decision',
    { decisionId: id, taskId: target.taskId, taskRevision: Number(target.revision), verdict },
    author.decidedBy,
  );
  return insertDecision(tx, {
    id,
    siteId: target.siteId,
    taskId: target.taskId,
    projectId: target.projectId,
    taskRevision: target.revision,
    verdict: verdict.kind,
    annotatorId: verdict.kind === 'accept-annotator' ? verdict.annotatorId : null,
    comment: verdict.kind === 'rework' ? verdict.comment : null,
    ...author,
    bulkId,
    commandSeq: BigInt(commandSeq),
  });
}

/**
 * One decision about one task: checked against what the cloud knows (the task is visible, the
 * reviewer saw its newest revision, an accepted annotator worked on it), stored with its author and
 * sent to the task's site as a signed qc.decision command.
 */
export async function decideTask(
  prisma: PrismaClient,
  sites: string[] | null,
  principal: Principal | undefined,
  ref: { siteId: string; taskId: string },
  body: { verdict: QcVerdict; taskRevision?: number | undefined },
) {
  const author = authorOf(principal);
  return prisma.$transaction(async (tx) => {
    const task = await findTask(tx, sites, ref.siteId, ref.taskId);
    if (!task) throw notFound('TASK_NOT_FOUND', 'No such task in your organizations.');
    if (body.taskRevision !== undefined && BigInt(body.taskRevision) !== task.revision) {
      throw conflict('TASK_CHANGED', 'The task changed since you looked at it; reload it and decide again.', {
        currentRevision: Number(task.revision),
      });
    }
    const { verdict } = body;
    if (
      verdict.kind === 'accept-annotator' &&
      !task.assigneeIds.includes(verdict.annotatorId) &&
      !(await wasScored(tx, task.siteId, task.taskId, verdict.annotatorId))
    ) {
      throw badRequest('ANNOTATOR_NOT_ON_TASK', 'That annotator did not work on this task.');
    }
    return decide(tx, task, verdict, author, null);
  });
}

/**
 * The same verdict for every task a filter matches, all or nothing: if the filter now matches a
 * different number of tasks than the reviewer saw, nothing is sent.
 */
export async function decideBulk(
  prisma: PrismaClient,
  sites: string[] | null,
  principal: Principal | undefined,
  body: { filter: TaskFilter; verdict: QcVerdict; expectedCount: number },
) {
  const author = authorOf(principal);
  const bulkId = `bulk_${randomBytes(12).toString('base64url')}`;
  return prisma.$transaction(
    async (tx) => {
      const count = await countTasks(tx, sites, body.filter);
      if (count !== body.expectedCount) {
        throw conflict(
          'BULK_COUNT_CHANGED',
          'The filter matches a different number of tasks now; review it again.',
          {
            matching: count,
          },
        );
      }
      if (count > BULK_MAX)
        throw badRequest('BULK_TOO_LARGE', `Narrow the filter to at most ${BULK_MAX} tasks.`);
      const tasks = await matchingTasks(tx, sites, body.filter, BULK_MAX);
      const siteIds = new Set<string>();
      for (const task of tasks) {
        await decide(tx, task, body.verdict, author, bulkId);
        siteIds.add(task.siteId);
      }
      return { bulkId, count: tasks.length, siteIds: [...siteIds] };
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}
