import type { PrismaClient } from '../../db.ts';
import type { Db } from '../sync/db-client.ts';
import { enqueueOutbox } from '../sync/outbox.ts';

/**
 * Records an annotator's display name and, when it is new or changed, sends it to the cloud as
 * annotator.profile in the same transaction. Returns whether a message was written.
 */
export async function recordDisplayName(
  prisma: PrismaClient,
  subject: string,
  annotatorId: string,
  displayName: string,
): Promise<boolean> {
  const known = await prisma.annotatorProfile.findUnique({ where: { subject } });
  if (known?.displayName === displayName) return false;
  return prisma.$transaction(async (tx) => {
    // Two claims at once: the advisory lock makes the second see the first's name and send nothing.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`annotator-profile:${subject}`}))`;
    const current = await tx.annotatorProfile.findUnique({ where: { subject } });
    if (current?.displayName === displayName) return false;
    await tx.annotatorProfile.upsert({
      where: { subject },
      create: { subject, displayName },
      update: { displayName },
    });
    // The message is about a person, not a study: no study's PHI to look for (canaries []).
    await enqueueOutbox(
      tx as unknown as Db,
      'annotator.profile',
      { annotatorId, displayName },
      { canaries: [] },
    );
    return true;
  });
}
