import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { SyncAgent } from './agent.ts';
import { CommandHandlers, defaultCommandHandlers } from './command-handlers.ts';
import { outboxBacklog, syncState } from './repository.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Register how a cloud command is applied: `app.syncCommands.register('qc.decision', fn)`. */
    syncCommands: CommandHandlers;
    /** The running agent when the sync role runs in this process. */
    syncAgent: { current: SyncAgent | undefined };
  }
}

/** The sync module's place in the app: the command registry and GET /api/sync/status. */
export const syncPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('syncCommands', defaultCommandHandlers());
    app.decorate('syncAgent', { current: undefined });
    app.get(
      '/api/sync/status',
      { preHandler: app.requireRole('site-admin'), schema: { tags: ['sync'] } },
      async () => {
        const [backlog, state] = await Promise.all([outboxBacklog(app.prisma), syncState(app.prisma)]);
        const agent = app.syncAgent.current;
        return {
          // null when the sync role runs in another process.
          connection: agent ? agent.stats().state : null,
          outbox: { ...backlog, assignedSeq: state.s2cAssignedSeq, ackedSeq: state.s2cAckedSeq },
          inbox: { appliedSeq: state.c2sAppliedSeq },
        };
      },
    );
  },
  { name: 'sync', dependencies: ['prisma', 'annex-auth'] },
);

export { CommandHandlers };
