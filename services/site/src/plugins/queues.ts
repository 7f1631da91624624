import fp from 'fastify-plugin';
import type { Queues } from '../jobs/queues.ts';

declare module 'fastify' {
  interface FastifyInstance {
    queues: Queues;
  }
}

export const queuesPlugin = fp<{ queues: Queues }>(
  async (app, { queues }) => {
    app.decorate('queues', queues);
  },
  { name: 'queues' },
);
