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
 * Announces studies that got instances since they were last announced, once no instance arrived
 * for `quietMs` (ingest of the study finished). Returns how many were queued. A study the PHI
 * guard refuses is reported through `onRefused` (by database id only) and skipped.
 */
export async function announcePendingStudies(
  prisma: PrismaClient,
  siteSecret: string,
  options: {
    quietMs: number;
    limit?: number;
    skip?: Set<string>;
    onRefused?: (studyRef: string, err: Error) => void;
  },
): Promise<number> {
  const due = await prisma.$queryRaw<{ id: string }[]>`
    SELECT st.id FROM "Study" st
      JOIN "Series" se ON se."studyRef" = st.id
      JOIN "Instance" i ON i."seriesRef" = se.id
      LEFT JOIN "SyncStudyAnnouncement" a ON a."studyRef" = st.id
    GROUP BY st.id, a."studyUpdatedAt"
    HAVING MAX(i."createdAt") <= now() - make_interval(secs => ${options.quietMs / 1000})
      AND (a."studyUpdatedAt" IS NULL OR MAX(i."createdAt") > a."studyUpdatedAt")
    ORDER BY MAX(i."createdAt") LIMIT ${options.limit ?? 100}`;
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
  return queued;
}
