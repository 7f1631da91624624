import fp from 'fastify-plugin';
import type { ObjectStore } from '../storage/object-store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    storage: ObjectStore;
  }
}

export const storagePlugin = fp<{ storage: ObjectStore }>(
  async (app, { storage }) => {
    app.decorate('storage', storage);
  },
  { name: 'storage' },
);
