import type { Prisma, PrismaClient } from '../../db.ts';

type Tx = Prisma.TransactionClient;

/** The images of a task's scope, in slice order per series: what geometry and validation need. */
export interface ScopeInstance {
  seriesInstanceUid: string;
  sopInstanceUid: string;
  rows: number | null;
  columns: number | null;
  numberOfFrames: number;
  metadata: unknown;
}

export const createTaskRepository = (prisma: PrismaClient) => ({
  prisma,
  transaction: <T>(fn: (tx: Tx) => Promise<T>) => prisma.$transaction(fn, { timeout: 30_000 }),
  findTask: (id: string) => prisma.task.findUnique({ where: { id }, include: { project: true } }),
  findAssignment: (taskRef: string, annotator: string) =>
    prisma.assignment.findUnique({ where: { taskRef_annotator: { taskRef, annotator } } }),
  myAssignments: (annotator: string) =>
    prisma.assignment.findMany({
      where: { annotator, status: { in: ['active', 'submitted', 'awaiting_review', 'rework'] } },
      include: { task: { include: { project: true } } },
      orderBy: { claimedAt: 'desc' },
      take: 500,
    }),
  latestRevision: (assignmentRef: string) =>
    prisma.annotationRevision.findFirst({ where: { assignmentRef }, orderBy: { revision: 'desc' } }),
  revisionByClientId: (assignmentRef: string, clientRevisionId: string) =>
    prisma.annotationRevision.findUnique({
      where: { assignmentRef_clientRevisionId: { assignmentRef, clientRevisionId } },
    }),
  async scopeInstances(studyRef: string, seriesRef: string | null): Promise<ScopeInstance[]> {
    const rows = await prisma.instance.findMany({
      where: seriesRef ? { seriesRef } : { series: { studyRef } },
      select: {
        sopInstanceUid: true,
        rows: true,
        columns: true,
        numberOfFrames: true,
        metadata: true,
        instanceNumber: true,
        series: { select: { seriesInstanceUid: true } },
      },
      orderBy: [{ seriesRef: 'asc' }, { instanceNumber: 'asc' }],
    });
    return rows.map((r) => ({
      seriesInstanceUid: r.series.seriesInstanceUid,
      sopInstanceUid: r.sopInstanceUid,
      rows: r.rows,
      columns: r.columns,
      numberOfFrames: r.numberOfFrames,
      metadata: r.metadata,
    }));
  },
  studyOf: (studyRef: string) =>
    prisma.study.findUnique({
      where: { id: studyRef },
      include: { patient: true, series: { select: { seriesInstanceUid: true, attributes: true } } },
    }),
  seriesFacts: (seriesRef: string) =>
    prisma.series.findUnique({
      where: { id: seriesRef },
      select: {
        id: true,
        studyRef: true,
        modality: true,
        bodyPartExamined: true,
        seriesDescription: true,
        instances: { select: { sopClassUid: true }, distinct: ['sopClassUid'] },
      },
    }),
  submittedRevisions: (taskRef: string) =>
    prisma.assignment.findMany({
      where: { taskRef, status: 'submitted' },
      orderBy: { claimedAt: 'asc' },
      include: { revisions: { orderBy: { revision: 'desc' }, take: 1 } },
    }),
  /**
   * The project's work waiting for a reviewer, oldest first, leaving out every task the reviewer
   * annotated themselves; never the gold flag (reviews are blind to it).
   */
  reviewQueue: (projectRef: string, reviewer: string) =>
    prisma.assignment.findMany({
      where: {
        status: 'awaiting_review',
        task: { projectRef, assignments: { none: { annotator: reviewer, status: { not: 'released' } } } },
      },
      select: {
        id: true,
        taskRef: true,
        annotator: true,
        submittedAt: true,
        revision: true,
        reworkCount: true,
        activeSeconds: true,
        instructionsVersion: true,
        task: { select: { priority: true } },
      },
      orderBy: [{ task: { priority: 'desc' } }, { submittedAt: 'asc' }],
      take: 500,
    }),
  findAssignmentById: (id: string) =>
    prisma.assignment.findUnique({ where: { id }, include: { task: { include: { project: true } } } }),
  /** Moves an assignment out of review only if it is still waiting (two reviewers cannot both act). */
  leaveReview: (tx: Tx, id: string, data: Prisma.AssignmentUpdateManyMutationInput) =>
    tx.assignment.updateMany({ where: { id, status: 'awaiting_review' }, data }),
  taskStatus: async (tx: Tx, id: string) =>
    (await tx.task.findUniqueOrThrow({ where: { id }, select: { status: true } })).status,
  setTaskStatus: (tx: Tx, id: string, status: string) => tx.task.update({ where: { id }, data: { status } }),
});

export type TaskRepository = ReturnType<typeof createTaskRepository>;
