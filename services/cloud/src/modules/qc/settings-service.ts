import { AppError, type Principal } from '@annex/platform';
import type { PrismaClient } from '../../db.ts';
import { enqueueCommand } from '../outbox/repository.ts';
import { refreshProject } from './ingest-repository.ts';
import { commandsBySeq } from './repository.ts';
import { insertSettings, latestSettings, type NewSettings, settingsHistory } from './settings-repository.ts';
import { travelState } from './travel-state.ts';

/**
 * A new revision of a project's settings: stored with its author, sent to the site as a signed
 * project.settings command, then applied to the cloud's own flags before the answer (after the
 * commit, chunk by chunk, so the site's row is not held locked while thousands of tasks re-flag).
 */
export async function changeSettings(
  prisma: PrismaClient,
  principal: Principal | undefined,
  ref: { siteId: string; projectId: string },
  settings: NewSettings,
) {
  if (!principal) throw new AppError('TOKEN_MISSING', 401, 'Authentication required.');
  return prisma
    .$transaction(
      async (tx) => {
        // Serializes concurrent changes of one site's settings: the revision is read under the lock.
        await tx.$queryRaw`SELECT 1 FROM "Site" WHERE id = ${ref.siteId} FOR UPDATE`;
        const revision = ((await latestSettings(tx, ref.siteId, ref.projectId))?.revision ?? 0) + 1;
        // The time-outlier factor is the cloud's own (it computes that flag): not sent to the site.
        const { timeOutlierFactor: _cloudOnly, ...siteThresholds } = settings.flagThresholds;
        const commandSeq = await enqueueCommand(
          tx,
          ref.siteId,
          'project.settings',
          { projectId: ref.projectId, revision, ...settings, flagThresholds: siteThresholds },
          principal.sub,
        );
        await insertSettings(
          tx,
          { ...ref, revision, setBy: principal.sub, setByName: principal.username, commandSeq },
          settings,
        );
        return { revision, commandSeq };
      },
      { timeout: 30_000, maxWait: 10_000 },
    )
    .then(async (out) => ({ ...out, reflagged: await refreshProject(prisma, ref.siteId, ref.projectId) }));
}

/** Settings revisions, newest first, each with whether and when the site applied it. */
export async function settingsWithState(prisma: PrismaClient, siteId: string, projectId: string) {
  const rows = await settingsHistory(prisma, siteId, projectId);
  const commands = new Map(
    (
      await commandsBySeq(
        prisma,
        siteId,
        rows.map((r) => r.commandSeq),
      )
    ).map((c) => [c.seq, c]),
  );
  return rows.map((r) => {
    const c = commands.get(r.commandSeq);
    return {
      revision: r.revision,
      consensusSize: r.consensusSize,
      goldRate: r.goldRate,
      flagThresholds: {
        ...(r.diceBelow !== null ? { diceBelow: r.diceBelow } : {}),
        ...(r.kappaBelow !== null ? { kappaBelow: r.kappaBelow } : {}),
        ...(r.hd95MmAbove !== null ? { hd95MmAbove: r.hd95MmAbove } : {}),
        ...(r.annotatorScoreBelow !== null ? { annotatorScoreBelow: r.annotatorScoreBelow } : {}),
        ...(r.timeOutlierFactor !== null ? { timeOutlierFactor: r.timeOutlierFactor } : {}),
      },
      setBy: r.setByName,
      setAt: r.createdAt.toISOString(),
      command: travelState(r.commandSeq, c),
    };
  });
}
