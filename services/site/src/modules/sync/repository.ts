import type { PrismaClient } from '../../db.ts';
import type { Db } from './db-client.ts';

// Prisma access for the sync agent's own tables.

const SEQUENCER_LOCK = 4_201_771; // pg advisory lock id: one sequencer at a time

/**
 * Numbers outbox rows that have no seq yet, in id order, continuing the stream gaplessly. Runs
 * under an advisory lock so two agents can never hand out the same number; a row whose
 * transaction commits late simply gets a later number.
 */
export async function assignSequence(prisma: PrismaClient, limit = 2000): Promise<number> {
  const [, rows] = await prisma.$transaction([
    prisma.$executeRaw`SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK})`,
    prisma.$queryRaw<{ assigned: bigint }[]>`
      WITH st AS (SELECT "s2cAssignedSeq" AS base FROM "SyncState" WHERE id = 1 FOR UPDATE),
      pending AS (SELECT id FROM "SyncOutbox" WHERE seq IS NULL ORDER BY id LIMIT ${limit}),
      numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM pending),
      upd AS (
        UPDATE "SyncOutbox" o SET seq = st.base + n.rn FROM numbered n, st WHERE o.id = n.id RETURNING o.seq
      )
      UPDATE "SyncState" SET "s2cAssignedSeq" = (SELECT COALESCE(MAX(seq), (SELECT base FROM st)) FROM upd),
        "updatedAt" = now()
      WHERE id = 1 RETURNING (SELECT COUNT(*) FROM upd) AS assigned`,
  ]);
  return Number(rows[0]?.assigned ?? 0);
}

export const outboxAfter = (db: Db, afterSeq: number, take: number) =>
  db.syncOutbox.findMany({
    where: { seq: { gt: BigInt(afterSeq) } },
    orderBy: { seq: 'asc' },
    take,
    select: { seq: true, type: true, body: true },
  });

/** The cloud applied everything up to `upToSeq`. Cumulative: a stale ack changes nothing. */
export async function markAcked(prisma: PrismaClient, upToSeq: number, at = new Date()): Promise<void> {
  const up = BigInt(upToSeq);
  await prisma.$transaction([
    prisma.syncOutbox.updateMany({
      where: { seq: { lte: up }, ackedAt: null },
      data: { ackedAt: at },
    }),
    prisma.$executeRaw`UPDATE "SyncState" SET "s2cAckedSeq" = ${up}, "updatedAt" = now()
      WHERE id = 1 AND "s2cAckedSeq" < ${up}`,
  ]);
}

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
