import type { Prisma, PrismaClient } from '../../db.ts';
import type { ExportFilter } from './schemas.ts';

/** Everything an export reads from and writes to the database. */
export function createExportRepository(prisma: PrismaClient) {
  return {
    prisma,
    create: (data: Prisma.ExportUncheckedCreateInput) => prisma.export.create({ data }),
    find: (id: string) => prisma.export.findUnique({ where: { id } }),
    list: (projectRef: string | undefined, take: number) =>
      prisma.export.findMany({
        where: projectRef ? { projectRef } : {},
        orderBy: { createdAt: 'desc' },
        take,
      }),
    update: (id: string, data: Prisma.ExportUncheckedUpdateInput) =>
      prisma.export.update({ where: { id }, data }),
    /** Moves an export from one of `from` to the new state; false when it was in none of them (a race lost). */
    async transition(id: string, from: string[], data: Prisma.ExportUncheckedUpdateInput): Promise<boolean> {
      const { count } = await prisma.export.updateMany({ where: { id, status: { in: from } }, data });
      return count === 1;
    },
    statusOf: async (id: string) =>
      (await prisma.export.findUnique({ where: { id }, select: { status: true } }))?.status,
    expired: (now: Date) =>
      prisma.export.findMany({
        where: { expiresAt: { lt: now }, status: { in: ['succeeded', 'failed', 'cancelled'] } },
        select: { id: true, objectPrefix: true },
        take: 500,
      }),

    project: (id: string) => prisma.project.findUnique({ where: { id } }),
    instructions: (projectRef: string, version: number) =>
      prisma.instructionsVersion.findUnique({ where: { projectRef_version: { projectRef, version } } }),

    /** Tasks of a project with a final label set that match the filter, in a stable order. */
    async selectTasks(projectRef: string, filter: ExportFilter): Promise<string[]> {
      const rows = await prisma.task.findMany({
        where: {
          projectRef,
          ...(filter.taskIds ? { id: { in: filter.taskIds } } : {}),
          ...(filter.includeGold ? {} : { isGold: false }),
          labelSet: {
            isNot: null,
            ...(filter.methods || filter.finalizedSince
              ? {
                  is: {
                    ...(filter.methods ? { method: { in: filter.methods } } : {}),
                    ...(filter.finalizedSince
                      ? { finalizedAt: { gte: new Date(filter.finalizedSince) } }
                      : {}),
                  },
                }
              : {}),
          },
        },
        select: { id: true },
        orderBy: { createdAt: 'asc' },
      });
      return rows.map((r) => r.id);
    },

    /** One task with its final label set, study (with the patient key) and every stored instance of its scope. */
    async taskSource(taskId: string) {
      const task = await prisma.task.findUnique({
        where: { id: taskId },
        include: {
          labelSet: true,
          quality: { select: { summary: true, annotators: true, consensusMethod: true } },
        },
      });
      if (!task) return undefined;
      const study = await prisma.study.findUnique({
        where: { id: task.studyRef },
        select: { id: true, studyInstanceUid: true, attributes: true },
      });
      const series = await prisma.series.findMany({
        where: task.seriesRef ? { id: task.seriesRef } : { studyRef: task.studyRef },
        select: {
          id: true,
          seriesInstanceUid: true,
          modality: true,
          attributes: true,
          instances: {
            select: {
              id: true,
              sopInstanceUid: true,
              sopClassUid: true,
              transferSyntaxUid: true,
              numberOfFrames: true,
              rows: true,
              columns: true,
              objectKey: true,
              size: true,
              metadata: true,
              pixelData: true,
            },
            orderBy: { instanceNumber: 'asc' },
          },
        },
        orderBy: { seriesNumber: 'asc' },
      });
      return { task, study, series };
    },
  };
}
export type ExportRepository = ReturnType<typeof createExportRepository>;
export type TaskSourceRows = NonNullable<Awaited<ReturnType<ExportRepository['taskSource']>>>;
