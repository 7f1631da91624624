import fp from 'fastify-plugin';
import type { PrismaClient } from '../db.ts';

declare module 'fastify' {
  interface FastifyInstance {
    prisma: PrismaClient;
  }
}

export const prismaPlugin = fp<{ prisma: PrismaClient }>(
  async (app, { prisma }) => {
    app.decorate('prisma', prisma);
  },
  { name: 'prisma' },
);
