import { AppError } from '@annex/platform';
import type { BodyOf, CloudToSiteType } from '@annex/protocol';
import type { Db, Prisma } from '../../db.ts';
import { type OrgScope, siteFilter } from '../tenancy/org-scope.ts';

/** Commands the cloud sends in order, exactly once (sync.* control messages are not stored). */
export type CommandType = Exclude<CloudToSiteType, 'sync.ack' | 'sync.resend'>;

/**
 * Appends a command to a site's stream inside the caller's transaction. The sequence comes from
 * the site row, locked by the UPDATE, so it is gapless and commits in order.
 */
export async function enqueueCommand<T extends CommandType>(
  tx: Db,
  siteId: string,
  type: T,
  body: BodyOf<T>,
  issuedBy?: string,
): Promise<number> {
  const rows = await tx.$queryRaw<{ seq: bigint }[]>`
    UPDATE "Site" SET "c2sLastSeq" = "c2sLastSeq" + 1 WHERE id = ${siteId} RETURNING "c2sLastSeq" AS seq`;
  const seq = rows[0]?.seq;
  if (seq === undefined) throw new AppError('SITE_NOT_FOUND', 404, 'No such site.');
  await tx.outboxCommand.create({
    data: { siteId, seq, type, body: body as Prisma.InputJsonValue, issuedBy: issuedBy ?? null },
  });
  return Number(seq);
}

/** Unacknowledged commands after `afterSeq`, oldest first (for sending on connect or resend). */
export const pendingCommands = (db: Db, siteId: string, afterSeq: number, limit = 1000) =>
  db.outboxCommand.findMany({
    where: { siteId, seq: { gt: BigInt(afterSeq) }, ackedAt: null },
    orderBy: { seq: 'asc' },
    take: limit,
  });

/** The site has applied everything up to `upToSeq` (cumulative, so a replayed ack is harmless). */
export async function acknowledgeCommands(db: Db, siteId: string, upToSeq: number): Promise<void> {
  const up = BigInt(upToSeq);
  await db.outboxCommand.updateMany({
    where: { siteId, seq: { lte: up }, ackedAt: null },
    data: { ackedAt: new Date() },
  });
  // Never move the mark past what was allocated: an ack for a seq never sent is ignored.
  await db.$executeRaw`
    UPDATE "Site" SET "c2sAckedSeq" = LEAST(${up}, "c2sLastSeq")
    WHERE id = ${siteId} AND "c2sAckedSeq" < ${up}`;
}

export const listCommands = (db: Db, scope: OrgScope, siteId: string, take = 100) =>
  db.outboxCommand.findMany({
    where: { siteId, ...siteFilter(scope) },
    orderBy: { seq: 'desc' },
    take,
  });

/** Age in ms of each site's oldest unacknowledged command (the cloud→site lag). */
export async function oldestPendingCommandAges(db: Db): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<{ siteId: string; oldest: Date }[]>`
    SELECT "siteId", MIN("createdAt") AS oldest FROM "OutboxCommand" WHERE "ackedAt" IS NULL GROUP BY "siteId"`;
  const now = Date.now();
  return new Map(rows.map((r) => [r.siteId, Math.max(0, now - r.oldest.getTime())]));
}
