import { randomUUID } from 'node:crypto';
import {
  type AnnotationDoc,
  annotationDocSchema,
  emptyDoc,
  type ImageSizes,
  type Instructions,
  validateDocument,
} from '@annex/annotation-model';
import { AppError, type Principal } from '@annex/platform';
import type { Prisma } from '../../db.ts';
import { noTaskAvailable, notEditable, revisionConflict, taskNotFound } from './errors.ts';
import type { TaskIdentity } from './identity.ts';
import type { TaskRepository } from './repository.ts';
import { reportTask } from './task-sync.ts';

type Tx = Prisma.TransactionClient;

export interface TaskContext {
  repository: TaskRepository;
  ids: TaskIdentity;
  /** Called when every assignment of a task is in (or one of a gold task): queue the quality job. */
  onSubmitted(taskId: string): Promise<void>;
  now?: () => Date;
}

/** What the viewer is told about a task: whether it is gold is deliberately absent. */
export interface TaskView {
  id: string;
  projectId: string;
  projectName: string;
  status: 'todo' | 'in_progress' | 'submitted' | 'in_review' | 'rejected' | 'accepted';
  studyUid: string;
  seriesUids: string[];
  progress: number;
  instructions: Instructions;
  instructionsVersion: number;
  reworkComment?: string;
}

/** Assignment states in which the annotator is done and cannot edit (approved, or waiting for review). */
export const SUBMITTED: readonly string[] = ['submitted', 'awaiting_review'];

const now = (ctx: TaskContext) => ctx.now?.() ?? new Date();
const leaseUntil = (ctx: TaskContext, seconds: number) => new Date(now(ctx).getTime() + seconds * 1000);

// ---------------------------------------------------------------------------------------------
// Creating tasks

/** One task per study or series and project; creating it again is a no-op. Returns the task id. */
export async function ensureTask(
  ctx: TaskContext,
  tx: Tx,
  project: { id: string; taskScope: string; currentVersion: number },
  studyRef: string,
  seriesRef: string | null,
): Promise<string | undefined> {
  const scopeKey = project.taskScope === 'series' && seriesRef ? seriesRef : studyRef;
  const id = randomUUID();
  const created = await tx.task.createManyAndReturn({
    data: [
      {
        id,
        cloudId: ctx.ids.task(id),
        projectRef: project.id,
        studyRef,
        seriesRef: project.taskScope === 'series' ? seriesRef : null,
        scopeKey,
        instructionsVersion: project.currentVersion,
      },
    ],
    skipDuplicates: true,
  });
  const task = created[0];
  if (!task) return undefined;
  await reportTask(tx, ctx.ids, task.id);
  return task.id;
}

// ---------------------------------------------------------------------------------------------
// Claiming (blind, with gold seeded and leases)

/** Releases claims whose lease ran out, so their tasks go back to the pool. */
export async function expireLeases(ctx: TaskContext): Promise<number> {
  const released = await ctx.repository.prisma.assignment.updateMany({
    where: { status: 'active', leaseExpiresAt: { lt: now(ctx) } },
    data: { status: 'released' },
  });
  return released.count;
}

interface Candidate {
  id: string;
}

async function pickGold(tx: Tx, projectRef: string, annotator: string): Promise<Candidate | undefined> {
  const rows = await tx.$queryRaw<Candidate[]>`
    SELECT t.id FROM "Task" t
    WHERE t."projectRef" = ${projectRef}::uuid AND t."isGold" AND t.status NOT IN ('cancelled')
      AND NOT EXISTS (SELECT 1 FROM "Assignment" a WHERE a."taskRef" = t.id AND a.annotator = ${annotator})
    ORDER BY t.priority DESC, t."createdAt" ASC
    LIMIT 1 FOR UPDATE SKIP LOCKED`;
  return rows[0];
}

async function pickRegular(tx: Tx, projectRef: string, annotator: string, consensusSize: number, at: Date) {
  // Row locks (SKIP LOCKED) make two annotators claiming at once take different places.
  const rows = await tx.$queryRaw<Candidate[]>`
    SELECT t.id FROM "Task" t
    WHERE t."projectRef" = ${projectRef}::uuid AND NOT t."isGold" AND t.status IN ('pending', 'in_progress')
      AND NOT EXISTS (SELECT 1 FROM "Assignment" a WHERE a."taskRef" = t.id AND a.annotator = ${annotator})
      AND (SELECT COUNT(*) FROM "Assignment" a WHERE a."taskRef" = t.id
           AND (a.status IN ('submitted', 'awaiting_review', 'rework') OR (a.status = 'active' AND a."leaseExpiresAt" > ${at}))) < ${consensusSize}
    ORDER BY t.priority DESC, t."createdAt" ASC
    LIMIT 1 FOR UPDATE SKIP LOCKED`;
  return rows[0];
}

/**
 * Claims the next task for an annotator: gold tasks first while the annotator has done fewer than
 * the project's warm-up, then whenever their share of gold falls below the gold rate; otherwise the
 * highest-priority oldest task that still needs annotators and that they have not seen.
 */
export async function claimNext(
  ctx: TaskContext,
  principal: Principal,
  projectId?: string,
): Promise<TaskView> {
  await expireLeases(ctx);
  const projects = projectId
    ? [await ctx.repository.prisma.project.findUnique({ where: { id: projectId } })].filter((p) => p !== null)
    : await ctx.repository.prisma.project.findMany({ orderBy: { createdAt: 'asc' } });
  const at = now(ctx);
  for (const project of projects) {
    const taskId = await ctx.repository.transaction(async (tx) => {
      const [done, gold] = await Promise.all([
        tx.assignment.count({
          where: { annotator: principal.sub, task: { projectRef: project.id }, status: { not: 'released' } },
        }),
        tx.assignment.count({
          where: { annotator: principal.sub, task: { projectRef: project.id, isGold: true } },
        }),
      ]);
      const wantGold =
        gold < project.goldWarmup || (project.goldRate > 0 && gold < project.goldRate * (done + 1));
      // When no regular task is left, a gold task still keeps the annotator measured.
      const candidate = wantGold
        ? ((await pickGold(tx, project.id, principal.sub)) ??
          (await pickRegular(tx, project.id, principal.sub, project.consensusSize, at)))
        : ((await pickRegular(tx, project.id, principal.sub, project.consensusSize, at)) ??
          (await pickGold(tx, project.id, principal.sub)));
      if (!candidate) return undefined;
      const task = await tx.task.findUniqueOrThrow({ where: { id: candidate.id } });
      await tx.assignment.upsert({
        where: { taskRef_annotator: { taskRef: task.id, annotator: principal.sub } },
        create: {
          taskRef: task.id,
          annotator: principal.sub,
          leaseExpiresAt: leaseUntil(ctx, project.leaseSeconds),
          instructionsVersion: task.instructionsVersion,
        },
        update: { status: 'active', leaseExpiresAt: leaseUntil(ctx, project.leaseSeconds), claimedAt: at },
      });
      if (task.status === 'pending')
        await tx.task.update({ where: { id: task.id }, data: { status: 'in_progress' } });
      await reportTask(tx, ctx.ids, task.id);
      return task.id;
    });
    if (taskId) return taskView(ctx, taskId, principal.sub);
  }
  throw noTaskAvailable();
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function instructionsOf(
  ctx: TaskContext,
  projectRef: string,
  version: number,
): Promise<Instructions> {
  const row = await ctx.repository.prisma.instructionsVersion.findUniqueOrThrow({
    where: { projectRef_version: { projectRef, version } },
  });
  return row.instructions as Instructions;
}

function viewStatus(
  taskStatus: string,
  assignment: { status: string; revision: number },
): TaskView['status'] {
  if (taskStatus === 'accepted') return 'accepted';
  if (assignment.status === 'rework') return 'rejected';
  if (assignment.status === 'awaiting_review') return 'in_review';
  if (assignment.status === 'submitted')
    return taskStatus === 'in_review' || taskStatus === 'escalated' ? 'in_review' : 'submitted';
  return assignment.revision > 0 ? 'in_progress' : 'todo';
}

/** The task as its annotator sees it (404 for anyone else: tasks are blind). */
export async function taskView(ctx: TaskContext, taskId: string, annotator: string): Promise<TaskView> {
  const [task, assignment] = await Promise.all([
    ctx.repository.findTask(taskId),
    ctx.repository.findAssignment(taskId, annotator),
  ]);
  if (!task || !assignment || assignment.status === 'released') throw taskNotFound();
  const instances = await ctx.repository.scopeInstances(task.studyRef, task.seriesRef);
  const study = await ctx.repository.prisma.study.findUniqueOrThrow({
    where: { id: task.studyRef },
    select: { studyInstanceUid: true },
  });
  const seriesUids = [...new Set(instances.map((i) => i.seriesInstanceUid))];
  const instructions = await instructionsOf(ctx, task.projectRef, assignment.instructionsVersion);
  const view: TaskView = {
    id: task.id,
    projectId: task.projectRef,
    projectName: task.project.name,
    status: viewStatus(task.status, assignment),
    studyUid: ctx.ids.deidUid(study.studyInstanceUid),
    seriesUids: seriesUids.map((uid) => ctx.ids.deidUid(uid)),
    progress: SUBMITTED.includes(assignment.status) ? 1 : assignment.revision > 0 ? 0.5 : 0,
    instructions,
    instructionsVersion: assignment.instructionsVersion,
  };
  if (assignment.reworkComment && assignment.status === 'rework')
    view.reworkComment = assignment.reworkComment;
  return view;
}

/** A task as a reviewer opens it from the QC dashboard: where to look, and its state. */
export async function reviewView(ctx: TaskContext, taskId: string) {
  const task = await ctx.repository.findTask(taskId);
  if (!task) throw taskNotFound();
  const instances = await ctx.repository.scopeInstances(task.studyRef, task.seriesRef);
  const study = await ctx.repository.prisma.study.findUniqueOrThrow({
    where: { id: task.studyRef },
    select: { studyInstanceUid: true },
  });
  return {
    id: task.id,
    status: task.status,
    studyUid: ctx.ids.deidUid(study.studyInstanceUid),
    seriesUids: [...new Set(instances.map((i) => ctx.ids.deidUid(i.seriesInstanceUid)))],
  };
}

export async function myTasks(ctx: TaskContext, annotator: string): Promise<TaskView[]> {
  await expireLeases(ctx);
  const assignments = await ctx.repository.myAssignments(annotator);
  return Promise.all(assignments.map((a) => taskView(ctx, a.taskRef, annotator)));
}

export async function latestRevision(ctx: TaskContext, taskId: string, annotator: string) {
  const assignment = await ctx.repository.findAssignment(taskId, annotator);
  if (!assignment || assignment.status === 'released') throw taskNotFound();
  const latest = await ctx.repository.latestRevision(assignment.id);
  if (!latest) return undefined;
  return {
    revision: latest.revision,
    doc: latest.doc as AnnotationDoc,
    savedAt: latest.savedAt.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------
// Saving and submitting

/** Image sizes of the task's scope keyed by the de-identified SOP Instance UID the viewer uses. */
async function imageSizes(
  ctx: TaskContext,
  task: { studyRef: string; seriesRef: string | null },
): Promise<ImageSizes> {
  const sizes: ImageSizes = new Map();
  for (const i of await ctx.repository.scopeInstances(task.studyRef, task.seriesRef)) {
    sizes.set(ctx.ids.deidUid(i.sopInstanceUid), {
      rows: i.rows ?? 0,
      columns: i.columns ?? 0,
      frames: i.numberOfFrames,
    });
  }
  return sizes;
}

function refuseInvalid(problems: ReturnType<typeof validateDocument>) {
  if (problems.length) {
    throw new AppError(
      'ANNOTATION_INVALID',
      422,
      `The annotation does not follow the instructions: ${problems[0]!.message}.`,
      {
        problems,
      },
    );
  }
}

export interface SaveInput {
  clientRevisionId: string;
  baseRevision: number;
  doc: AnnotationDoc;
  /** Seconds of active work since the last save, as the viewer measured it (not wall time). */
  activeSeconds?: number;
}

/**
 * Saves a whole document as the next revision. `baseRevision` must be the latest (optimistic
 * concurrency: a second tab gets REVISION_CONFLICT instead of overwriting); replaying the same
 * `clientRevisionId` returns the revision it made (offline queues replay safely). Renews the lease.
 */
export async function saveRevision(ctx: TaskContext, taskId: string, annotator: string, input: SaveInput) {
  const doc = annotationDocSchema.parse(input.doc);
  const [task, assignment] = await Promise.all([
    ctx.repository.findTask(taskId),
    ctx.repository.findAssignment(taskId, annotator),
  ]);
  if (!task || !assignment || assignment.status === 'released') throw taskNotFound();
  const replay = await ctx.repository.revisionByClientId(assignment.id, input.clientRevisionId);
  if (replay)
    return {
      revision: replay.revision,
      doc: replay.doc as AnnotationDoc,
      savedAt: replay.savedAt.toISOString(),
    };
  if (SUBMITTED.includes(assignment.status)) throw notEditable('submitted');
  const instructions = await instructionsOf(ctx, task.projectRef, assignment.instructionsVersion);
  refuseInvalid(validateDocument(doc, instructions, await imageSizes(ctx, task), false));
  const active = Math.max(0, Math.min(3600, Math.round(input.activeSeconds ?? 0)));
  return ctx.repository.transaction(async (tx) => {
    // The conditional update is the concurrency check: it only matches the revision the client saw.
    const moved = await tx.assignment.updateMany({
      where: { id: assignment.id, revision: input.baseRevision, status: { in: ['active', 'rework'] } },
      data: {
        revision: { increment: 1 },
        activeSeconds: { increment: active },
        leaseExpiresAt: leaseUntil(ctx, task.project.leaseSeconds),
      },
    });
    if (moved.count === 0) {
      const current = await tx.assignment.findUniqueOrThrow({ where: { id: assignment.id } });
      if (SUBMITTED.includes(current.status)) throw notEditable('submitted');
      throw revisionConflict(current.revision);
    }
    const saved = await tx.annotationRevision.create({
      data: {
        assignmentRef: assignment.id,
        revision: input.baseRevision + 1,
        clientRevisionId: input.clientRevisionId,
        doc: doc as Prisma.InputJsonValue,
        activeSeconds: active,
      },
    });
    return { revision: saved.revision, doc, savedAt: saved.savedAt.toISOString() };
  });
}

/** Submits the latest revision after checking it against the instructions in full. */
export async function submit(ctx: TaskContext, taskId: string, annotator: string): Promise<void> {
  const [task, assignment] = await Promise.all([
    ctx.repository.findTask(taskId),
    ctx.repository.findAssignment(taskId, annotator),
  ]);
  if (!task || !assignment || assignment.status === 'released') throw taskNotFound();
  if (SUBMITTED.includes(assignment.status)) return;
  const latest = await ctx.repository.latestRevision(assignment.id);
  const doc = (latest?.doc as AnnotationDoc | undefined) ?? emptyDoc();
  const instructions = await instructionsOf(ctx, task.projectRef, assignment.instructionsVersion);
  refuseInvalid(validateDocument(doc, instructions, await imageSizes(ctx, task), true));
  // With the project's review stage on, the work waits for a reviewer before it counts (review.ts).
  const reviewing = task.project.reviewStage;
  const complete = await ctx.repository.transaction(async (tx) => {
    await tx.assignment.update({
      where: { id: assignment.id },
      data: { status: reviewing ? 'awaiting_review' : 'submitted', submittedAt: now(ctx) },
    });
    if (task.isGold) return !reviewing;
    return settleTask(ctx, tx, task);
  });
  if (complete) await ctx.onSubmitted(task.id);
}

/**
 * After an assignment was submitted or approved: when every seat of the task is in, the task is
 * 'submitted' (the quality job runs: returns true) if nothing waits for a reviewer, else
 * 'in_review' (the site's review stage), reported to the cloud either way.
 */
export async function settleTask(
  ctx: TaskContext,
  tx: Tx,
  task: { id: string; status: string; project: { consensusSize: number } },
): Promise<boolean> {
  // One query: the task's assignments counted by state.
  const byStatus = await tx.assignment.groupBy({ by: ['status'], where: { taskRef: task.id }, _count: true });
  const count = (...states: string[]) =>
    byStatus.filter((r) => states.includes(r.status)).reduce((n, r) => n + r._count, 0);
  const [submitted, awaiting, open] = [
    count('submitted'),
    count('awaiting_review'),
    count('active', 'rework'),
  ];
  if (submitted + awaiting < task.project.consensusSize || open > 0) return false;
  const status = awaiting > 0 ? 'in_review' : 'submitted';
  if ((await ctx.repository.taskStatus(tx, task.id)) !== status) {
    await ctx.repository.setTaskStatus(tx, task.id, status);
    await reportTask(tx, ctx.ids, task.id);
  }
  return status === 'submitted';
}

/** Makes a task a gold-standard task with its reference annotation (site-admin). */
export async function setGold(ctx: TaskContext, taskId: string, doc: AnnotationDoc): Promise<void> {
  const task = await ctx.repository.findTask(taskId);
  if (!task) throw new AppError('TASK_NOT_FOUND', 404, 'No such task.');
  const parsed = annotationDocSchema.parse(doc);
  const instructions = await instructionsOf(ctx, task.projectRef, task.instructionsVersion);
  refuseInvalid(validateDocument(parsed, instructions, await imageSizes(ctx, task), true));
  await ctx.repository.transaction(async (tx) => {
    await tx.task.update({
      where: { id: taskId },
      data: { isGold: true, goldDoc: parsed as Prisma.InputJsonValue },
    });
    await reportTask(tx, ctx.ids, taskId);
  });
}
