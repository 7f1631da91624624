import type { FastifyInstance } from 'fastify';
import { JobName } from '../../jobs/names.ts';
import { taskIdentity } from './identity.ts';
import { createTaskRepository } from './repository.ts';
import type { TaskContext } from './service.ts';

const byApp = new WeakMap<FastifyInstance, TaskContext>();

/** The app's task context (made once): repository, pseudonyms, and the quality job trigger. */
export function taskContextOf(app: FastifyInstance): TaskContext {
  let ctx = byApp.get(app);
  if (!ctx) {
    ctx = {
      repository: createTaskRepository(app.prisma),
      ids: taskIdentity(app.config.SITE_SECRET),
      // The job id makes a double submit (two last annotators at once) compute once.
      onSubmitted: (taskId) =>
        app.queues.enqueue(JobName.ComputeQuality, { taskId }, { jobId: `quality-${taskId}-${Date.now()}` }),
    };
    byApp.set(app, ctx);
  }
  return ctx;
}
