import type { PrismaClient } from '../../db.ts';

export interface AuditEntry {
  actor: string;
  roles: string[];
  action: string;
  resource: string;
  address?: string | undefined;
  detail?: Record<string, string | number | boolean> | undefined;
}

export const createAuditRepository = (prisma: PrismaClient) => ({
  async append(entry: AuditEntry) {
    await prisma.auditEvent.create({ data: { ...entry, detail: entry.detail ?? undefined } });
  },
  async list(filter: { actor?: string; action?: string; limit: number }) {
    return prisma.auditEvent.findMany({
      where: { actor: filter.actor, action: filter.action },
      orderBy: { id: 'desc' },
      take: filter.limit,
    });
  },
});

export type AuditRepository = ReturnType<typeof createAuditRepository>;
