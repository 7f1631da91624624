import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type AuditRepository, createAuditRepository } from '../modules/audit/repository.ts';

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditRepository & {
      /** Records who read or changed PHI, from the request's principal and address. */
      record(
        request: FastifyRequest,
        action: string,
        resource: string,
        detail?: Record<string, string | number | boolean>,
      ): Promise<void>;
    };
  }
}

export const auditPlugin = fp(
  async (app) => {
    const repository = createAuditRepository(app.prisma);
    app.decorate('audit', {
      ...repository,
      record: (
        request: FastifyRequest,
        action: string,
        resource: string,
        detail?: Record<string, string | number | boolean>,
      ) =>
        repository.append({
          actor: request.principal?.sub ?? 'anonymous',
          roles: request.principal?.roles ?? [],
          action,
          resource,
          address: request.ip,
          detail,
        }),
    });
  },
  { name: 'audit', dependencies: ['prisma'] },
);
