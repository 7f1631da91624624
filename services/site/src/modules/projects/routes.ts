import { instructionsSchema } from '@annex/annotation-model';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { taskContextOf } from '../tasks/context.ts';
import { createProjectRepository } from './repository.ts';
import { addTasksSchema, projectInputSchema, projectSettingsSchema } from './schemas.ts';
import { addTasksByHand, createProject, projectView, updateInstructions, updateSettings } from './service.ts';

const params = z.strictObject({ id: z.string().min(1).max(64) });

export async function projectRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = app.requireRole('site-admin');
  const anyone = app.requireRole('site-admin', 'annotator', 'reviewer', 'phi-viewer');

  r.post(
    '/api/projects',
    { preHandler: admin, schema: { tags: ['projects'], body: projectInputSchema } },
    async (request, reply) => {
      const project = await createProject(app.prisma, request.body, request.principal!);
      reply.code(201);
      return projectView(app.prisma, project.id);
    },
  );
  r.get('/api/projects', { preHandler: anyone, schema: { tags: ['projects'] } }, async () => {
    const projects = await createProjectRepository(app.prisma).list();
    return {
      items: projects.map((p) => ({
        id: p.id,
        slug: p.slug,
        name: p.name,
        currentVersion: p.currentVersion,
        consensusSize: p.consensusSize,
      })),
    };
  });
  r.get(
    '/api/projects/:id',
    { preHandler: anyone, schema: { tags: ['projects'], params } },
    async (request) => projectView(app.prisma, request.params.id),
  );
  r.put(
    '/api/projects/:id/instructions',
    { preHandler: admin, schema: { tags: ['projects'], params, body: instructionsSchema } },
    async (request) => updateInstructions(app.prisma, request.params.id, request.body, request.principal!),
  );
  r.patch(
    '/api/projects/:id/settings',
    { preHandler: admin, schema: { tags: ['projects'], params, body: projectSettingsSchema } },
    async (request) => {
      const project = await updateSettings(app.prisma, request.params.id, request.body);
      await app.audit.record(request, 'project.settings', `project/${project.id}`, {
        ...(request.body.reviewStage === undefined ? {} : { reviewStage: request.body.reviewStage }),
      });
      return project;
    },
  );
  r.post(
    '/api/projects/:id/tasks',
    { preHandler: admin, schema: { tags: ['projects'], params, body: addTasksSchema } },
    async (request, reply) => {
      const result = await addTasksByHand(
        app.prisma,
        taskContextOf(app),
        request.params.id,
        request.body.studyInstanceUids,
      );
      reply.code(201);
      return result;
    },
  );
  r.get(
    '/api/projects/:id/labelsets',
    { preHandler: app.requireRole('site-admin', 'reviewer'), schema: { tags: ['projects'], params } },
    async (request) => {
      const project = await projectView(app.prisma, request.params.id);
      const sets = await app.prisma.labelSet.findMany({
        where: { task: { projectRef: project.id } },
        orderBy: { finalizedAt: 'asc' },
        include: { task: { select: { id: true } } },
      });
      return {
        items: sets.map((s) => ({
          taskId: s.task.id,
          method: s.method,
          doc: s.doc,
          finalizedAt: s.finalizedAt.toISOString(),
        })),
      };
    },
  );
}
