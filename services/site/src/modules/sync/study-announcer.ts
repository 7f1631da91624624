import { pseudonymize } from '@annex/dicom';
import { MODALITIES, type Modality, type SeriesSummary, sopClassUidSchema } from '@annex/protocol';
import type { PrismaClient } from '../../db.ts';
import type { Db } from './db-client.ts';
import { enqueueOutbox } from './outbox.ts';
import { studyCanaries } from './study-canaries.ts';

const MODALITY_SET = new Set<string>(MODALITIES);

interface SeriesAggregate {
  id: string;
  seriesInstanceUid: string;
  modality: string | null;
  attributes: unknown;
  instances: number;
  frames: number;
  sopClassUid: string | null;
  rows: number | null;
  columns: number | null;
  sliceThickness: string | null;
}

/**
 * Puts a study.available for one indexed study in the outbox, inside `tx`: pseudonymous ids
 * (HMAC with SITE_SECRET) and allow-listed attributes only, checked against the study's own PHI.
 * Returns false when the study has no series that may be announced. Throws ProtocolError
 * ('PHI_CANARY') when a value would leak; nothing is written then.
 */
export async function enqueueStudyAvailable(tx: Db, siteSecret: string, studyRef: string): Promise<boolean> {
  const study = await tx.study.findUnique({ where: { id: studyRef }, include: { patient: true } });
  if (!study) return false;
  const aggregates = await tx.$queryRaw<SeriesAggregate[]>`
    SELECT s.id, s."seriesInstanceUid", s.modality, s.attributes,
      COUNT(i.id)::int AS instances, COALESCE(SUM(i."numberOfFrames"), 0)::int AS frames,
      MIN(i."sopClassUid") AS "sopClassUid", MAX(i.rows) AS rows, MAX(i.columns) AS columns,
      MIN(i.metadata->'00180050'->'Value'->>0) AS "sliceThickness"
    FROM "Series" s JOIN "Instance" i ON i."seriesRef" = s.id
    WHERE s."studyRef" = ${studyRef}::uuid
    GROUP BY s.id ORDER BY s."seriesInstanceUid"`;
  const series: SeriesSummary[] = [];
  for (const a of aggregates) {
    // Private SOP classes carry a vendor root: such a series is not announced at all.
    if (!a.sopClassUid || !sopClassUidSchema.safeParse(a.sopClassUid).success) continue;
    const thickness = a.sliceThickness === null ? Number.NaN : Number.parseFloat(a.sliceThickness);
    series.push({
      seriesId: pseudonymize(siteSecret, 'series', a.seriesInstanceUid),
      modality: (a.modality && MODALITY_SET.has(a.modality) ? a.modality : 'OT') as Modality,
      sopClassUid: a.sopClassUid,
      instanceCount: a.instances,
      frameCount: a.frames,
      rows: a.rows && a.rows <= 65535 ? a.rows : null,
      columns: a.columns && a.columns <= 65535 ? a.columns : null,
      sliceThicknessMm: thickness > 0 && thickness <= 1000 ? thickness : null,
    });
  }
  if (series.length === 0) return false;
  const canaries = studyCanaries({
    patient: study.patient,
    study,
    series: aggregates.map((a) => ({ seriesInstanceUid: a.seriesInstanceUid, attributes: a.attributes })),
  });
  const studyId = pseudonymize(siteSecret, 'study', study.studyInstanceUid);
  await enqueueOutbox(tx, 'study.available', { studyId, series }, { canaries });
  const asOf = await tx.$queryRaw<{ last: Date }[]>`
    SELECT MAX(i."createdAt") AS last FROM "Instance" i JOIN "Series" s ON i."seriesRef" = s.id
    WHERE s."studyRef" = ${studyRef}::uuid`;
  const studyUpdatedAt = asOf[0]?.last ?? new Date();
  await tx.syncStudyAnnouncement.upsert({
    where: { studyRef },
    create: { studyRef, studyPseudonym: studyId, studyUpdatedAt },
    update: { studyPseudonym: studyId, studyUpdatedAt, announcedAt: new Date() },
  });
  return true;
}

/**
 * Where the announcer's next pass may start reading instances: every instance created before
 * `since` belongs to a study that was already announced, refused, or left for a later pass that
 * starts earlier. Null reads everything (the first pass after a start).
 */
export interface AnnounceCursor {
  since: Date | null;
}

/** How long an ingest transaction may stay open between its createdAt and its commit. */
const COMMIT_SLACK_MS = 60_000;

/**
 * Announces studies that got instances since they were last announced, once no instance arrived
 * for `quietMs` (ingest of the study finished). Returns how many were queued. A study the PHI
 * guard refuses is reported through `onRefused` (by database id only) and skipped.
 *
 * With a `cursor`, a pass reads only the instances created since the previous pass's horizon
 * (through the createdAt index) instead of aggregating the whole index every few seconds.
 */
export async function announcePendingStudies(
  prisma: PrismaClient,
  siteSecret: string,
  options: {
    quietMs: number;
    limit?: number;
    skip?: Set<string>;
    cursor?: AnnounceCursor;
    onRefused?: (studyRef: string, err: Error) => void;
  },
): Promise<number> {
  const limit = options.limit ?? 100;
  const quietSecs = options.quietMs / 1000;
  // Taken before the query, on the database's clock: a study not yet quiet now has its last
  // instance after this horizon, so the next pass still sees it.
  const [clock] = await prisma.$queryRaw<{ horizon: Date }[]>`
    SELECT now() - make_interval(secs => ${quietSecs + COMMIT_SLACK_MS / 1000}) AS horizon`;
  const since = options.cursor?.since ?? new Date(0);
  // A study's latest instance is always among the recent ones when it has any, so MAX over the
  // recent instances is the study's MAX.
  const due = await prisma.$queryRaw<{ id: string }[]>`
    WITH recent AS (
      SELECT se."studyRef" AS id, MAX(i."createdAt") AS last
      FROM "Instance" i JOIN "Series" se ON se.id = i."seriesRef"
      WHERE i."createdAt" >= ${since}
      GROUP BY se."studyRef")
    SELECT r.id FROM recent r LEFT JOIN "SyncStudyAnnouncement" a ON a."studyRef" = r.id
    WHERE r.last <= now() - make_interval(secs => ${quietSecs})
      AND (a."studyUpdatedAt" IS NULL OR r.last > a."studyUpdatedAt")
    ORDER BY r.last LIMIT ${limit}`;
  let queued = 0;
  for (const { id } of due) {
    if (options.skip?.has(id)) continue;
    try {
      if (await prisma.$transaction((tx) => enqueueStudyAvailable(tx, siteSecret, id))) queued++;
    } catch (err) {
      options.skip?.add(id);
      options.onRefused?.(id, err as Error);
    }
  }
  // A full page may have left due studies behind: read from the same place next time.
  if (options.cursor && due.length < limit) options.cursor.since = clock!.horizon;
  return queued;
}
