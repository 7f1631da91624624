import type { RejectReason } from '@annex/protocol';
import type { Db } from '../../db.ts';

/** Adds to the persisted per-site, per-reason rejection counters (one statement per reason). */
export async function countRejections(
  db: Db,
  siteId: string,
  counts: Map<RejectReason, { count: number; alarms: number }>,
): Promise<void> {
  for (const [reason, { count, alarms }] of counts) {
    await db.$executeRaw`
      INSERT INTO "RejectionCount" ("siteId", reason, count, alarms, "lastAt")
      VALUES (${siteId}, ${reason}, ${count}, ${alarms}, now())
      ON CONFLICT ("siteId", reason) DO UPDATE SET count = "RejectionCount".count + EXCLUDED.count,
        alarms = "RejectionCount".alarms + EXCLUDED.alarms, "lastAt" = now()`;
  }
}

export const rejectionCounts = (db: Db, siteIds?: string[]) =>
  db.rejectionCount.findMany({
    where: siteIds ? { siteId: { in: siteIds } } : {},
    orderBy: [{ siteId: 'asc' }, { reason: 'asc' }],
  });
