import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '../../db.ts';
import type { IndexRecord } from './index-record.ts';
import type { Door } from './metrics.ts';

type Tx = Prisma.TransactionClient;

export interface StoredObject {
  objectKey: string;
  size: number;
  sha256: string;
}

export type IndexResult =
  | { kind: 'stored'; instanceId: string; seriesId: string; studyId: string }
  | { kind: 'duplicate'; instanceId: string; seriesId: string; studyId: string }
  | { kind: 'conflict'; conflictId: string; instanceId: string; seriesId: string; studyId: string };

export interface KnownSeries {
  seriesId: string;
  studyId: string;
}

/** DICOM JSON and the pixel index are plain JSON trees; Prisma's input type cannot see that. */
const json = (value: object) => value as unknown as Prisma.InputJsonValue;

const isPrismaError = (error: unknown, code: string) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === code;

export function createIngestRepository(prisma: PrismaClient) {
  async function upsertHierarchy(tx: Tx, record: IndexRecord): Promise<KnownSeries> {
    const { patient, study, series } = record;
    const patientRow = await tx.patient.upsert({
      where: { patientKey: patient.patientKey },
      create: patient,
      update: {},
      select: { id: true },
    });
    const studyRow = await tx.study.upsert({
      where: { studyInstanceUid: study.studyInstanceUid },
      create: { ...study, attributes: json(study.attributes), patientRef: patientRow.id },
      update: {},
      select: { id: true },
    });
    const seriesRow = await tx.series.upsert({
      where: { seriesInstanceUid: series.seriesInstanceUid },
      create: { ...series, attributes: json(series.attributes), studyRef: studyRow.id },
      update: {},
      select: { id: true, studyRef: true },
    });
    return { seriesId: seriesRow.id, studyId: seriesRow.studyRef };
  }

  /**
   * The index write: (hierarchy upserts when the series is not known yet) + the instance row +
   * removal of the PendingObject, in one transaction. An existing SOP Instance UID is a duplicate
   * (same digest: the caller removes the new object, then its pending row) or a conflict (the
   * new object is kept and recorded, its pending row goes in the same transaction).
   */
  async function indexOnce(
    record: IndexRecord,
    stored: StoredObject,
    via: Door,
    projectId: string | undefined,
    known: KnownSeries | undefined,
  ): Promise<IndexResult> {
    return prisma.$transaction(async (tx) => {
      const target = known ?? (await upsertHierarchy(tx, record));
      if (projectId) {
        await tx.studyProject.createMany({
          data: [{ studyRef: target.studyId, projectId, via }],
          skipDuplicates: true,
        });
      }
      const instanceId = randomUUID();
      const inserted = await tx.instance.createMany({
        data: [
          {
            id: instanceId,
            ...record.instance,
            metadata: json(record.instance.metadata),
            pixelData: record.instance.pixelData ? json(record.instance.pixelData) : Prisma.DbNull,
            seriesRef: target.seriesId,
            objectKey: stored.objectKey,
            size: BigInt(stored.size),
            sha256: stored.sha256,
            receivedVia: via,
          },
        ],
        skipDuplicates: true,
      });
      if (inserted.count === 1) {
        await tx.pendingObject.delete({ where: { objectKey: stored.objectKey } });
        return { kind: 'stored', instanceId, ...target };
      }
      const existing = await tx.instance.findUniqueOrThrow({
        where: { sopInstanceUid: record.instance.sopInstanceUid },
        select: { id: true, sha256: true, seriesRef: true, series: { select: { studyRef: true } } },
      });
      const where = {
        instanceId: existing.id,
        seriesId: existing.seriesRef,
        studyId: existing.series.studyRef,
      };
      if (existing.sha256 === stored.sha256) return { kind: 'duplicate', ...where };
      const conflict = await tx.ingestConflict.create({
        data: {
          sopInstanceUid: record.instance.sopInstanceUid,
          existingSha256: existing.sha256,
          newSha256: stored.sha256,
          objectKey: stored.objectKey,
          receivedVia: via,
        },
        select: { id: true },
      });
      await tx.pendingObject.delete({ where: { objectKey: stored.objectKey } });
      return { kind: 'conflict', conflictId: conflict.id, ...where };
    });
  }

  return {
    /** Digest of an already indexed instance, to answer an identical re-send without storing it. */
    findInstance: (sopInstanceUid: string) =>
      prisma.instance.findUnique({
        where: { sopInstanceUid },
        select: { id: true, sha256: true, seriesRef: true, series: { select: { studyRef: true } } },
      }),

    addPending: (objectKey: string) =>
      prisma.pendingObject.create({ data: { objectKey } }).then(() => undefined),
    removePending: (objectKey: string) =>
      prisma.pendingObject.deleteMany({ where: { objectKey } }).then(() => undefined),

    /**
     * Writes the index for a stored object. Races between senders of the same study are retried:
     * a unique violation on the hierarchy means another transaction created it first; a foreign
     * key violation means a cached series was deleted meanwhile.
     */
    async index(
      record: IndexRecord,
      stored: StoredObject,
      via: Door,
      projectId: string | undefined,
      known: KnownSeries | undefined,
    ): Promise<IndexResult> {
      let cached = known;
      for (let attempt = 0; ; attempt++) {
        try {
          return await indexOnce(record, stored, via, projectId, cached);
        } catch (error) {
          const retriable =
            isPrismaError(error, 'P2002') || isPrismaError(error, 'P2003') || isPrismaError(error, 'P2034');
          if (!retriable || attempt >= 3) throw error;
          cached = undefined;
        }
      }
    },

    /** Objects to sweep: pending rows older than `before`. */
    stalePending: (before: Date, take: number) =>
      prisma.pendingObject.findMany({
        where: { createdAt: { lt: before } },
        orderBy: { createdAt: 'asc' },
        take,
      }),

    /** Which of these keys an Instance or IngestConflict row holds. */
    async indexedKeys(keys: string[]): Promise<Set<string>> {
      const [instances, conflicts] = await Promise.all([
        prisma.instance.findMany({ where: { objectKey: { in: keys } }, select: { objectKey: true } }),
        prisma.ingestConflict.findMany({ where: { objectKey: { in: keys } }, select: { objectKey: true } }),
      ]);
      return new Set([...instances, ...conflicts].map((r) => r.objectKey));
    },

    /** Which of these keys an Instance, IngestConflict or PendingObject row accounts for. */
    async accountedKeys(keys: string[]): Promise<Set<string>> {
      if (keys.length === 0) return new Set();
      const [instances, conflicts, pending] = await Promise.all([
        prisma.instance.findMany({ where: { objectKey: { in: keys } }, select: { objectKey: true } }),
        prisma.ingestConflict.findMany({ where: { objectKey: { in: keys } }, select: { objectKey: true } }),
        prisma.pendingObject.findMany({ where: { objectKey: { in: keys } }, select: { objectKey: true } }),
      ]);
      return new Set([...instances, ...conflicts, ...pending].map((r) => r.objectKey));
    },
  };
}

export type IngestRepository = ReturnType<typeof createIngestRepository>;
