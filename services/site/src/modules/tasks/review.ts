import { type AnnotationDoc, emptyDoc } from '@annex/annotation-model';
import type { Principal } from '@annex/platform';
import { assignmentNotFound, notAReviewer, notAwaitingReview, ownWork } from './errors.ts';
import { instructionsOf, reviewView, settleTask, type TaskContext } from './service.ts';
import { reportTask } from './task-sync.ts';

// The optional review stage: with Project.reviewStage on, an annotator's submitted work waits
// ('awaiting_review') for a site user with the reviewer role, who approves it (then it counts as
// submitted for consensus) or sends it back for rework with a comment. Reviews are blind to gold
// status, and nobody reviews their own work nor anyone's work on a task they annotated. Turning the stage off changes new submissions only:
// work already waiting stays in the queue until reviewed.

const REVIEWER = 'reviewer';

function mustReview(principal: Principal) {
  if (!principal.roles.includes(REVIEWER)) throw notAReviewer();
}

async function reviewable(ctx: TaskContext, assignmentId: string, reviewer: Principal) {
  mustReview(reviewer);
  const assignment = await ctx.repository.findAssignmentById(assignmentId);
  if (!assignment || assignment.status === 'released' || assignment.status === 'active')
    throw assignmentNotFound();
  if (assignment.annotator === reviewer.sub) throw ownWork();
  // Someone who annotated the task too would see a colleague's answer to it: not blind any more.
  const theirs = await ctx.repository.findAssignment(assignment.taskRef, reviewer.sub);
  if (theirs && theirs.status !== 'released') throw ownWork();
  if (assignment.status !== 'awaiting_review') throw notAwaitingReview(assignment.status);
  return assignment;
}

export interface ReviewQueueItem {
  assignmentId: string;
  taskId: string;
  annotator: string;
  submittedAt: string | null;
  revision: number;
  reworkCount: number;
  activeSeconds: number;
}

/** The project's work waiting for review, highest task priority then oldest first; never the reviewer's own. */
export async function reviewQueue(
  ctx: TaskContext,
  projectId: string,
  reviewer: Principal,
): Promise<ReviewQueueItem[]> {
  mustReview(reviewer);
  const rows = await ctx.repository.reviewQueue(projectId, reviewer.sub);
  return rows.map((a) => ({
    assignmentId: a.id,
    taskId: a.taskRef,
    annotator: a.annotator,
    submittedAt: a.submittedAt?.toISOString() ?? null,
    revision: a.revision,
    reworkCount: a.reworkCount,
    activeSeconds: a.activeSeconds,
  }));
}

/** One piece of work, read-only: the annotation document and the de-identified task view. */
export async function openForReview(ctx: TaskContext, assignmentId: string, reviewer: Principal) {
  const assignment = await reviewable(ctx, assignmentId, reviewer);
  const [task, latest, instructions] = await Promise.all([
    reviewView(ctx, assignment.taskRef),
    ctx.repository.latestRevision(assignment.id),
    instructionsOf(ctx, assignment.task.projectRef, assignment.instructionsVersion),
  ]);
  return {
    assignmentId: assignment.id,
    annotator: assignment.annotator,
    submittedAt: assignment.submittedAt?.toISOString() ?? null,
    reworkCount: assignment.reworkCount,
    task: {
      id: task.id,
      projectId: assignment.task.projectRef,
      projectName: assignment.task.project.name,
      studyUid: task.studyUid,
      seriesUids: task.seriesUids,
      instructions,
      instructionsVersion: assignment.instructionsVersion,
    },
    revision: latest?.revision ?? 0,
    doc: (latest?.doc as AnnotationDoc | undefined) ?? emptyDoc(),
  };
}

/**
 * Approves the work: it now counts as submitted. When it completes the task (every seat in and
 * approved) the task becomes 'submitted' and the quality job is queued; an approved gold answer
 * is scored at once, as a gold submission is without the review stage.
 */
export async function approve(ctx: TaskContext, assignmentId: string, reviewer: Principal) {
  const assignment = await reviewable(ctx, assignmentId, reviewer);
  const task = assignment.task;
  const complete = await ctx.repository.transaction(async (tx) => {
    const moved = await ctx.repository.leaveReview(tx, assignment.id, { status: 'submitted' });
    if (moved.count === 0) throw notAwaitingReview('already reviewed');
    if (task.isGold) return true;
    return settleTask(ctx, tx, task);
  });
  if (complete) await ctx.onSubmitted(task.id);
  return { taskId: task.id, taskComplete: complete };
}

/**
 * Sends the work back to its annotator with the reviewer's comment (shown in their task view);
 * their resubmission comes back to review. A task that was complete and in review goes to
 * 'rework', as after a QC rework decision.
 */
export async function sendBack(ctx: TaskContext, assignmentId: string, reviewer: Principal, comment: string) {
  const assignment = await reviewable(ctx, assignmentId, reviewer);
  const task = assignment.task;
  await ctx.repository.transaction(async (tx) => {
    const moved = await ctx.repository.leaveReview(tx, assignment.id, {
      status: 'rework',
      reworkComment: comment,
      reworkCount: { increment: 1 },
    });
    if (moved.count === 0) throw notAwaitingReview('already reviewed');
    if (!task.isGold && (await ctx.repository.taskStatus(tx, task.id)) === 'in_review') {
      await ctx.repository.setTaskStatus(tx, task.id, 'rework');
      await reportTask(tx, ctx.ids, task.id);
    }
  });
  return { taskId: task.id };
}
