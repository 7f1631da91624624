import type { Instructions } from '@annex/annotation-model';
import { AppError, type Principal } from '@annex/platform';
import type { PrismaClient } from '../../db.ts';
import { ensureTask, type TaskContext } from '../tasks/service.ts';
import { createProjectRepository } from './repository.ts';
import { projectMatches, type SeriesFacts } from './routing.ts';
import type { ProjectInput, ProjectSettings, RoutingRule } from './schemas.ts';

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export async function createProject(prisma: PrismaClient, input: ProjectInput, principal: Principal) {
  const repository = createProjectRepository(prisma);
  if (await repository.findBySlug(input.slug)) {
    throw new AppError('PROJECT_EXISTS', 409, `A project with the slug "${input.slug}" exists already.`);
  }
  return repository.create(input, principal.sub);
}

export async function projectView(prisma: PrismaClient, id: string) {
  const repository = createProjectRepository(prisma);
  const project = isUuid(id) ? await repository.findById(id) : await repository.findBySlug(id);
  if (!project) throw new AppError('PROJECT_NOT_FOUND', 404, 'No such project.');
  const instructions = (await repository.instructions(project.id, project.currentVersion))!;
  return {
    ...project,
    routingRules: project.routingRules as RoutingRule[],
    flagThresholds: project.flagThresholds as Record<string, number>,
    instructions,
  };
}

/**
 * Changes project settings. The review stage applies to submissions from now on; work already
 * waiting for review stays in the review queue.
 */
export async function updateSettings(prisma: PrismaClient, id: string, settings: ProjectSettings) {
  const project = await projectView(prisma, id);
  await createProjectRepository(prisma).updateSettings(prisma, project.id, settings);
  return projectView(prisma, project.id);
}

/** New instructions make a new version; tasks keep the version they were started under. */
export async function updateInstructions(
  prisma: PrismaClient,
  id: string,
  instructions: Instructions,
  principal: Principal,
) {
  const project = await projectView(prisma, id);
  const version = await createProjectRepository(prisma).addVersion(project.id, instructions, principal.sub);
  return { version };
}

/**
 * Makes the tasks a newly indexed series calls for: in every project whose routing rules match it,
 * or that its study was routed to on arrival (AE title, upload or STOW parameter). Idempotent.
 */
export async function routeSeries(prisma: PrismaClient, ctx: TaskContext, seriesId: string): Promise<number> {
  const repository = createProjectRepository(prisma);
  const series = await ctx.repository.seriesFacts(seriesId);
  if (!series) return 0;
  const facts: SeriesFacts = {
    modality: series.modality,
    bodyPartExamined: series.bodyPartExamined,
    seriesDescription: series.seriesDescription,
    sopClassUids: series.instances.map((i) => i.sopClassUid),
  };
  const routedTo = new Set(await repository.projectsOfStudy(series.studyRef));
  let created = 0;
  for (const project of await repository.routable()) {
    const full = await repository.findById(project.id);
    const byArrival = routedTo.has(project.id) || (full !== null && routedTo.has(full.slug));
    if (!byArrival && !projectMatches(project.routingRules as RoutingRule[], facts)) continue;
    const id = await ctx.repository.transaction((tx) =>
      ensureTask(ctx, tx, project, series.studyRef, series.id),
    );
    if (id) created++;
  }
  return created;
}

/** Tasks made by hand for studies named by their Study Instance UIDs (site-admin). */
export async function addTasksByHand(
  prisma: PrismaClient,
  ctx: TaskContext,
  projectId: string,
  studyUids: string[],
) {
  const project = await projectView(prisma, projectId);
  const studies = await prisma.study.findMany({
    where: { studyInstanceUid: { in: studyUids } },
    select: { id: true, series: { select: { id: true } } },
  });
  if (studies.length !== studyUids.length) {
    throw new AppError(
      'STUDY_NOT_FOUND',
      404,
      `${studyUids.length - studies.length} of the studies are not on this site.`,
    );
  }
  const created: string[] = [];
  for (const study of studies) {
    const scopes = project.taskScope === 'series' ? study.series.map((s) => s.id) : [null];
    for (const seriesRef of scopes) {
      const id = await ctx.repository.transaction((tx) => ensureTask(ctx, tx, project, study.id, seriesRef));
      if (id) created.push(id);
    }
  }
  return { created: created.length, taskIds: created };
}
