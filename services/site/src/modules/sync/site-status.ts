import type { PrismaClient } from '../../db.ts';
import type { Queues } from '../../jobs/queues.ts';
import { enqueueOutbox } from './outbox.ts';
import { outboxBacklog, syncState } from './repository.ts';

export const SITE_SOFTWARE_VERSION = '0.1.0';

/** Queues a site.status (health, backlog and lag) for the QC dashboard. */
export async function enqueueSiteStatus(
  prisma: PrismaClient,
  options: { startedAt: number; queues?: Queues },
): Promise<void> {
  const depths = options.queues ? await options.queues.depths() : {};
  await prisma.$transaction(async (tx) => {
    const [backlog, state] = await Promise.all([outboxBacklog(tx), syncState(tx)]);
    await enqueueOutbox(
      tx,
      'site.status',
      {
        softwareVersion: SITE_SOFTWARE_VERSION,
        uptimeS: Math.floor((Date.now() - options.startedAt) / 1000),
        outbox: {
          pending: backlog.pending,
          oldestPendingAgeMs:
            backlog.oldestPendingAgeMs === null ? null : Math.round(backlog.oldestPendingAgeMs),
          lastAckedSeq: state.s2cAckedSeq,
        },
        // Waiting counts only: the queue facade does not expose active/delayed/failed yet.
        queues: Object.entries(depths).map(([name, waiting]) => ({
          name,
          waiting: Number(waiting),
          active: 0,
          delayed: 0,
          failed: 0,
        })),
      },
      { canaries: [] },
    );
  });
}
