import type { Envelope } from '@annex/protocol';
import type { Db, Prisma } from '../../db.ts';
import type { InboxHandlers } from './handlers.ts';

/** Last value per key: one batch may carry several updates of the same study. */
const lastBy = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((i) => [key(i), i])).values()];

/** study.available: upsert the pseudonymous study and its series (set-based, one statement each). */
async function applyStudyAvailable(tx: Db, siteId: string, envelopes: Envelope<'study.available'>[]) {
  const studies = lastBy(
    envelopes.map((e) => e.body),
    (b) => b.studyId,
  );
  const studyIds = studies.map((s) => s.studyId);
  await tx.$executeRaw`
    INSERT INTO "CloudStudy" ("siteId", "studyId", "firstSeenAt", "updatedAt")
    SELECT ${siteId}, s, now(), now() FROM unnest(${studyIds}::text[]) AS s
    ON CONFLICT ("siteId", "studyId") DO UPDATE SET "updatedAt" = now()`;
  const series = lastBy(
    studies.flatMap((s) => s.series.map((x) => ({ ...x, studyId: s.studyId }))),
    (x) => x.seriesId,
  );
  await tx.$executeRaw`
    INSERT INTO "CloudSeries" ("siteId", "seriesId", "studyId", modality, "sopClassUid", "instanceCount",
      "frameCount", rows, columns, "sliceThicknessMm", "updatedAt")
    SELECT ${siteId}, x."seriesId", x."studyId", x.modality, x."sopClassUid", x."instanceCount", x."frameCount",
      x.rows, x.columns, x."sliceThicknessMm", now()
    FROM jsonb_to_recordset(${JSON.stringify(series)}::jsonb) AS x("seriesId" text, "studyId" text, modality text,
      "sopClassUid" text, "instanceCount" int, "frameCount" int, rows int, columns int, "sliceThicknessMm" float8)
    ON CONFLICT ("siteId", "seriesId") DO UPDATE SET "studyId" = EXCLUDED."studyId", modality = EXCLUDED.modality,
      "sopClassUid" = EXCLUDED."sopClassUid", "instanceCount" = EXCLUDED."instanceCount",
      "frameCount" = EXCLUDED."frameCount", rows = EXCLUDED.rows, columns = EXCLUDED.columns,
      "sliceThicknessMm" = EXCLUDED."sliceThicknessMm", "updatedAt" = now()`;
}

/** site.status: only the newest of a batch matters. */
async function applySiteStatus(tx: Db, siteId: string, envelopes: Envelope<'site.status'>[]) {
  const last = envelopes.at(-1);
  if (!last) return;
  await tx.site.update({
    where: { id: siteId },
    data: { status: last.body as Prisma.InputJsonValue, statusAt: new Date(last.sentAt) },
  });
}

/** command.result: record the outcome on the command it answers. */
async function applyCommandResult(tx: Db, siteId: string, envelopes: Envelope<'command.result'>[]) {
  for (const { body, sentAt } of envelopes) {
    await tx.outboxCommand.updateMany({
      where: { siteId, seq: BigInt(body.commandSeq), type: body.commandType },
      data: {
        resultStatus: body.status,
        resultCode: body.status === 'failed' ? body.code : null,
        resultAt: new Date(sentAt),
      },
    });
  }
}

export function registerBuiltinHandlers(handlers: InboxHandlers): void {
  handlers.register('study.available', applyStudyAvailable);
  handlers.register('site.status', applySiteStatus);
  handlers.register('command.result', applyCommandResult);
}
