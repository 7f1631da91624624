import { annotationDocSchema } from '@annex/annotation-model';
import { AppError } from '@annex/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { taskContextOf } from './context.ts';
import { approve, openForReview, reviewQueue, sendBack } from './review.ts';
import {
  claimNext,
  latestRevision,
  myTasks,
  reviewView,
  saveRevision,
  setGold,
  submit,
  taskView,
} from './service.ts';

const params = z.strictObject({ id: z.string().uuid() });
const saveBody = z.strictObject({
  clientRevisionId: z.string().min(8).max(100),
  baseRevision: z.number().int().min(0),
  doc: annotationDocSchema,
  activeSeconds: z.number().min(0).max(3600).optional(),
});

export async function taskRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const annotating = app.requireRole('annotator', 'reviewer');
  const ctx = () => taskContextOf(app);

  r.get(
    '/api/tasks',
    {
      preHandler: annotating,
      schema: { tags: ['tasks'], querystring: z.strictObject({ assignee: z.literal('me').default('me') }) },
    },
    async (request) => ({
      items: await myTasks(ctx(), request.principal!.sub),
    }),
  );
  r.post(
    '/api/tasks/next',
    {
      preHandler: annotating,
      schema: {
        tags: ['tasks'],
        body: z.strictObject({ projectId: z.string().uuid().optional() }).optional(),
      },
    },
    async (request) => claimNext(ctx(), request.principal!, request.body?.projectId),
  );
  r.get('/api/tasks/:id', { preHandler: annotating, schema: { tags: ['tasks'], params } }, async (request) =>
    taskView(ctx(), request.params.id, request.principal!.sub),
  );
  r.get(
    '/api/tasks/:id/annotation',
    { preHandler: annotating, schema: { tags: ['tasks'], params } },
    async (request, reply) => {
      const latest = await latestRevision(ctx(), request.params.id, request.principal!.sub);
      if (!latest) return reply.code(204).send();
      return latest;
    },
  );
  r.put(
    '/api/tasks/:id/annotation',
    {
      preHandler: annotating,
      bodyLimit: 64 * 1024 * 1024,
      schema: { tags: ['tasks'], params, body: saveBody },
    },
    async (request) => saveRevision(ctx(), request.params.id, request.principal!.sub, request.body),
  );
  r.post(
    '/api/tasks/:id/submit',
    { preHandler: annotating, schema: { tags: ['tasks'], params } },
    async (request, reply) => {
      await submit(ctx(), request.params.id, request.principal!.sub);
      return reply.code(204).send();
    },
  );
  r.put(
    '/api/tasks/:id/gold',
    {
      preHandler: app.requireRole('site-admin'),
      schema: { tags: ['tasks'], params, body: z.strictObject({ doc: annotationDocSchema }) },
    },
    async (request, reply) => {
      await setGold(ctx(), request.params.id, request.body.doc);
      return reply.code(204).send();
    },
  );
  r.get(
    '/api/tasks/:id/quality',
    { preHandler: app.requireRole('site-admin', 'reviewer'), schema: { tags: ['tasks'], params } },
    async (request, reply) => {
      const quality = await app.prisma.qualityResult.findUnique({ where: { taskRef: request.params.id } });
      if (!quality)
        return reply.code(404).send({
          error: {
            code: 'QUALITY_NOT_READY',
            message: 'The quality of this task has not been computed yet.',
          },
        });
      return {
        computedAt: quality.computedAt.toISOString(),
        consensusMethod: quality.consensusMethod,
        summary: quality.summary,
        consensus: quality.consensusDoc,
      };
    },
  );
  // The QC dashboard links here with the task's pseudonym only; inside the hospital a reviewer's
  // viewer turns it into the task's de-identified study and series.
  r.get(
    '/api/review/tasks/:cloudId',
    {
      preHandler: app.requireRole('site-admin', 'reviewer'),
      schema: {
        tags: ['tasks'],
        params: z.strictObject({ cloudId: z.string().regex(/^tk_[A-Za-z0-9_-]{16,64}$/) }),
      },
    },
    async (request, reply) => {
      const task = await app.prisma.task.findUnique({ where: { cloudId: request.params.cloudId } });
      if (!task)
        return reply
          .code(404)
          .send({ error: { code: 'TASK_NOT_FOUND', message: 'No such task on this site.' } });
      return reviewView(ctx(), task.id);
    },
  );
  // The project's review stage (review.ts checks the reviewer role: NOT_A_REVIEWER). Every step is
  // audited, and so is every refused attempt at one (wrong role, own work, not awaiting review):
  // someone trying to see or decide on work they may not is what an auditor looks for.
  const auditRefusal = async <T>(
    request: FastifyRequest,
    assignmentId: string,
    step: 'open' | 'approve' | 'rework',
    action: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      if (error instanceof AppError && (error.statusCode === 403 || error.statusCode === 409)) {
        await app.audit.record(request, `review.${step}.refused`, `assignment/${assignmentId}`, {
          code: error.code,
        });
      }
      throw error;
    }
  };
  r.get(
    '/api/review/queue',
    { schema: { tags: ['review'], querystring: z.strictObject({ projectId: z.string().uuid() }) } },
    async (request) => {
      const items = await reviewQueue(ctx(), request.query.projectId, request.principal!);
      await app.audit.record(request, 'review.queue', `project/${request.query.projectId}`, {
        count: items.length,
      });
      return { items };
    },
  );
  r.get('/api/review/assignments/:id', { schema: { tags: ['review'], params } }, async (request) => {
    const opened = await auditRefusal(request, request.params.id, 'open', () =>
      openForReview(ctx(), request.params.id, request.principal!),
    );
    await app.audit.record(request, 'review.open', `assignment/${opened.assignmentId}`, {
      task: opened.task.id,
    });
    return opened;
  });
  r.post('/api/review/assignments/:id/approve', { schema: { tags: ['review'], params } }, async (request) => {
    const result = await auditRefusal(request, request.params.id, 'approve', () =>
      approve(ctx(), request.params.id, request.principal!),
    );
    await app.audit.record(request, 'review.approve', `assignment/${request.params.id}`, {
      task: result.taskId,
    });
    return result;
  });
  r.post(
    '/api/review/assignments/:id/rework',
    {
      schema: {
        tags: ['review'],
        params,
        body: z.strictObject({ comment: z.string().trim().min(1).max(2000) }),
      },
    },
    async (request) => {
      const result = await auditRefusal(request, request.params.id, 'rework', () =>
        sendBack(ctx(), request.params.id, request.principal!, request.body.comment),
      );
      await app.audit.record(request, 'review.rework', `assignment/${request.params.id}`, {
        task: result.taskId,
      });
      return result;
    },
  );
  r.get(
    '/api/tasks/:id/labelset',
    { preHandler: app.requireRole('site-admin', 'reviewer'), schema: { tags: ['tasks'], params } },
    async (request, reply) => {
      const set = await app.prisma.labelSet.findUnique({ where: { taskRef: request.params.id } });
      if (!set)
        return reply
          .code(404)
          .send({ error: { code: 'LABELSET_NOT_FINAL', message: 'This task has no final label set yet.' } });
      return {
        taskId: request.params.id,
        method: set.method,
        annotatorId: set.annotator ? ctx().ids.user(set.annotator) : null,
        doc: set.doc,
        finalizedAt: set.finalizedAt.toISOString(),
      };
    },
  );
}
