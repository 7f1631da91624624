import type { Instructions } from '@annex/annotation-model';
import type { Prisma, PrismaClient } from '../../db.ts';
import type { ProjectInput } from './schemas.ts';

type Tx = Prisma.TransactionClient | PrismaClient;

export const createProjectRepository = (prisma: PrismaClient) => ({
  async create(input: ProjectInput, createdBy: string) {
    const { instructions, ...project } = input;
    return prisma.project.create({
      data: {
        ...project,
        routingRules: project.routingRules as Prisma.InputJsonValue,
        flagThresholds: project.flagThresholds as Prisma.InputJsonValue,
        versions: { create: { version: 1, instructions: instructions as Prisma.InputJsonValue, createdBy } },
      },
    });
  },
  findById: (id: string) => prisma.project.findUnique({ where: { id } }),
  findBySlug: (slug: string) => prisma.project.findUnique({ where: { slug } }),
  list: () => prisma.project.findMany({ orderBy: { createdAt: 'asc' } }),
  async instructions(projectRef: string, version: number): Promise<Instructions | undefined> {
    const row = await prisma.instructionsVersion.findUnique({
      where: { projectRef_version: { projectRef, version } },
    });
    return row?.instructions as Instructions | undefined;
  },
  /** A new version; the project's current version moves to it in the same transaction. */
  async addVersion(projectRef: string, instructions: Instructions, createdBy: string) {
    return prisma.$transaction(async (tx) => {
      const project = await tx.project.update({
        where: { id: projectRef },
        data: { currentVersion: { increment: 1 } },
      });
      await tx.instructionsVersion.create({
        data: {
          projectRef,
          version: project.currentVersion,
          instructions: instructions as Prisma.InputJsonValue,
          createdBy,
        },
      });
      return project.currentVersion;
    });
  },
  /** Projects with routing rules or an AE route to this study, for task creation. */
  async routable() {
    return prisma.project.findMany({
      select: { id: true, routingRules: true, taskScope: true, currentVersion: true },
    });
  },
  async projectsOfStudy(studyRef: string) {
    const rows = await prisma.studyProject.findMany({ where: { studyRef }, select: { projectId: true } });
    return rows.map((r) => r.projectId);
  },
  updateSettings: (tx: Tx, id: string, data: Prisma.ProjectUpdateInput) =>
    tx.project.update({ where: { id }, data }),
});

export type ProjectRepository = ReturnType<typeof createProjectRepository>;
