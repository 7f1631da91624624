import type { Db } from './db-client.ts';

// Prisma reads of the sync tables for status and metrics (the agent's hot path is sync-sql.ts).

export async function syncState(db: Db) {
  const state = await db.syncState.findUnique({ where: { id: 1 } });
  return {
    s2cAssignedSeq: Number(state?.s2cAssignedSeq ?? 0),
    s2cAckedSeq: Number(state?.s2cAckedSeq ?? 0),
    c2sAppliedSeq: Number(state?.c2sAppliedSeq ?? 0),
  };
}

/** Unacknowledged messages and the age of the oldest (the site→cloud lag). */
export async function outboxBacklog(db: Db): Promise<{ pending: number; oldestPendingAgeMs: number | null }> {
  const rows = await db.$queryRaw<{ pending: bigint; oldest: Date | null }[]>`
    SELECT COUNT(*) AS pending, MIN("createdAt") AS oldest FROM "SyncOutbox" WHERE "ackedAt" IS NULL`;
  const row = rows[0];
  return {
    pending: Number(row?.pending ?? 0),
    oldestPendingAgeMs: row?.oldest ? Math.max(0, Date.now() - row.oldest.getTime()) : null,
  };
}
