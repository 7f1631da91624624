import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { PrismaClient } from '../../db.ts';
import type { IndexRecord } from './index-record.ts';
import type { Door } from './metrics.ts';

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

export interface IngestPools {
  /** Durable commits: the index write. */
  durable: pg.Pool;
  /** synchronous_commit=off: PendingObject rows, whose loss in a crash the bucket sweep covers. */
  relaxed: pg.Pool;
  close(): Promise<void>;
}

/**
 * The ingest hot path talks to Postgres through `pg` directly: measured here, each Prisma model
 * query cost 4-8 ms of CPU (query compiler) against 0.15-0.5 ms for the same SQL through `pg`,
 * which at one association is the difference between 20 and 70+ instances/s. Prisma stays the
 * schema owner and is used for everything off the hot path.
 */
export function createIngestPools(connectionString: string): IngestPools {
  const durable = new pg.Pool({
    connectionString,
    max: 10,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  });
  const relaxed = new pg.Pool({
    connectionString,
    max: 4,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
    options: '-c synchronous_commit=off',
  });
  // An idle connection dropped by the server (restart, test database dropped) must not crash us.
  durable.on('error', () => undefined);
  relaxed.on('error', () => undefined);
  return { durable, relaxed, close: () => Promise.all([durable.end(), relaxed.end()]).then(() => undefined) };
}

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const SERIALIZATION = ['40001', '40P01'];
const pgCode = (error: unknown) => (error as { code?: string }).code;

async function upsertReturningId(
  client: pg.PoolClient,
  insert: string,
  insertValues: unknown[],
  select: string,
  selectValues: unknown[],
): Promise<string> {
  // DO NOTHING + a fresh SELECT: no row is rewritten (no lock held on a hot study row), and in
  // READ COMMITTED the SELECT sees a row a concurrent transaction just committed.
  const inserted = await client.query<{ id: string }>(insert, insertValues);
  if (inserted.rows[0]) return inserted.rows[0].id;
  const found = await client.query<{ id: string }>(select, selectValues);
  if (!found.rows[0])
    throw Object.assign(new Error('hierarchy row vanished during upsert'), { code: '40001' });
  return found.rows[0].id;
}

async function upsertHierarchy(client: pg.PoolClient, record: IndexRecord): Promise<KnownSeries> {
  const { patient, study, series } = record;
  const patientId = await upsertReturningId(
    client,
    `INSERT INTO "Patient" (id, "patientKey", "patientId", issuer, "patientName", "birthDate", sex)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT ("patientKey") DO NOTHING RETURNING id`,
    [
      randomUUID(),
      patient.patientKey,
      patient.patientId,
      patient.issuer,
      patient.patientName,
      patient.birthDate,
      patient.sex,
    ],
    'SELECT id FROM "Patient" WHERE "patientKey" = $1',
    [patient.patientKey],
  );
  const studyId = await upsertReturningId(
    client,
    `INSERT INTO "Study" (id, "studyInstanceUid", "patientRef", "studyDate", "studyTime", "accessionNumber", "studyId",
       "studyDescription", "referringPhysician", attributes, "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now()) ON CONFLICT ("studyInstanceUid") DO NOTHING RETURNING id`,
    [
      randomUUID(),
      study.studyInstanceUid,
      patientId,
      study.studyDate,
      study.studyTime,
      study.accessionNumber,
      study.studyId,
      study.studyDescription,
      study.referringPhysician,
      JSON.stringify(study.attributes),
    ],
    'SELECT id FROM "Study" WHERE "studyInstanceUid" = $1',
    [study.studyInstanceUid],
  );
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO "Series" (id, "seriesInstanceUid", "studyRef", modality, "seriesNumber", "seriesDescription",
       "bodyPartExamined", attributes, "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) ON CONFLICT ("seriesInstanceUid") DO NOTHING RETURNING id`,
    [
      randomUUID(),
      series.seriesInstanceUid,
      studyId,
      series.modality,
      series.seriesNumber,
      series.seriesDescription,
      series.bodyPartExamined,
      JSON.stringify(series.attributes),
    ],
  );
  if (inserted.rows[0]) return { seriesId: inserted.rows[0].id, studyId };
  // An existing series keeps the study it was first indexed under.
  const found = await client.query<{ id: string; studyRef: string }>(
    'SELECT id, "studyRef" FROM "Series" WHERE "seriesInstanceUid" = $1',
    [series.seriesInstanceUid],
  );
  if (!found.rows[0]) throw Object.assign(new Error('series vanished during upsert'), { code: '40001' });
  return { seriesId: found.rows[0].id, studyId: found.rows[0].studyRef };
}

/** Instance row + PendingObject removal in ONE statement (one round trip, atomic on its own). */
const INSERT_INSTANCE = `
WITH ins AS (
  INSERT INTO "Instance" (id, "sopInstanceUid", "seriesRef", "sopClassUid", "transferSyntaxUid", "instanceNumber",
    rows, columns, "numberOfFrames", "objectKey", size, sha256, metadata, "pixelData", "receivedVia")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
  ON CONFLICT ("sopInstanceUid") DO NOTHING
  RETURNING id
), gone AS (
  DELETE FROM "PendingObject" WHERE "objectKey" = $10 AND EXISTS (SELECT 1 FROM ins)
), routed AS (
  INSERT INTO "StudyProject" ("studyRef", "projectId", via)
  SELECT $16::uuid, $17, $15 WHERE $17::text IS NOT NULL
  ON CONFLICT DO NOTHING
)
SELECT id FROM ins`;

/**
 * An index write done up to its COMMIT: the caller commits once the object is stored (so no index
 * row ever exists without its object) or rolls back. Holds one connection until then.
 */
export interface PreparedIndex {
  readonly result: IndexResult;
  commit(): Promise<IndexResult>;
  rollback(): Promise<void>;
}

export function createIngestRepository(prisma: PrismaClient, pools: IngestPools) {
  async function prepareOnce(
    record: IndexRecord,
    stored: StoredObject,
    via: Door,
    projectId: string | undefined,
    known: KnownSeries | undefined,
  ): Promise<PreparedIndex> {
    const client = await pools.durable.connect();
    try {
      await client.query('BEGIN');
      const target = known ?? (await upsertHierarchy(client, record));
      const i = record.instance;
      const instanceId = randomUUID();
      const inserted = await client.query<{ id: string }>(INSERT_INSTANCE, [
        instanceId,
        i.sopInstanceUid,
        target.seriesId,
        i.sopClassUid,
        i.transferSyntaxUid,
        i.instanceNumber,
        i.rows,
        i.columns,
        i.numberOfFrames,
        stored.objectKey,
        stored.size,
        stored.sha256,
        JSON.stringify(i.metadata),
        i.pixelData ? JSON.stringify(i.pixelData) : null,
        via,
        target.studyId,
        projectId ?? null,
      ]);
      const result: IndexResult = inserted.rows[0]
        ? { kind: 'stored', instanceId, ...target }
        : await resolveExisting(client, record, stored, via);
      let ended = false;
      const end = async (sql: 'COMMIT' | 'ROLLBACK') => {
        if (ended) return;
        ended = true;
        try {
          await client.query(sql);
          client.release();
        } catch (error) {
          client.release(error as Error); // a connection in an unknown state is not reused
          throw error;
        }
      };
      return {
        result,
        commit: async () => {
          await end('COMMIT');
          return result;
        },
        rollback: () => end('ROLLBACK').catch(() => undefined),
      };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw error;
    }
  }

  /** The SOP Instance UID is indexed already: the same bytes are a duplicate, others a conflict. */
  async function resolveExisting(
    client: pg.PoolClient,
    record: IndexRecord,
    stored: StoredObject,
    via: Door,
  ): Promise<IndexResult> {
    const existing = await client.query<{ id: string; sha256: string; seriesRef: string; studyRef: string }>(
      `SELECT i.id, i.sha256, i."seriesRef", s."studyRef" FROM "Instance" i JOIN "Series" s ON s.id = i."seriesRef"
       WHERE i."sopInstanceUid" = $1`,
      [record.instance.sopInstanceUid],
    );
    const row = existing.rows[0];
    if (!row) throw Object.assign(new Error('instance vanished during ingest'), { code: '40001' });
    const where = { instanceId: row.id, seriesId: row.seriesRef, studyId: row.studyRef };
    if (row.sha256 === stored.sha256) return { kind: 'duplicate', ...where };
    const conflictId = randomUUID();
    await client.query(
      `WITH c AS (
         INSERT INTO "IngestConflict" (id, "sopInstanceUid", "existingSha256", "newSha256", "objectKey", "receivedVia")
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING 1
       ) DELETE FROM "PendingObject" WHERE "objectKey" = $5 AND EXISTS (SELECT 1 FROM c)`,
      [conflictId, record.instance.sopInstanceUid, row.sha256, stored.sha256, stored.objectKey, via],
    );
    return { kind: 'conflict', conflictId, ...where };
  }

  return {
    /** Digest of an already indexed instance, to answer an identical re-send without storing it. */
    async findInstance(sopInstanceUid: string) {
      const { rows } = await pools.durable.query<{
        id: string;
        sha256: string;
        seriesRef: string;
        studyRef: string;
      }>(
        `SELECT i.id, i.sha256, i."seriesRef", s."studyRef" FROM "Instance" i JOIN "Series" s ON s.id = i."seriesRef"
         WHERE i."sopInstanceUid" = $1`,
        [sopInstanceUid],
      );
      return rows[0];
    },

    addPending: (objectKey: string) =>
      pools.relaxed
        .query('INSERT INTO "PendingObject" ("objectKey") VALUES ($1)', [objectKey])
        .then(() => undefined),
    removePending: (objectKey: string) =>
      pools.relaxed
        .query('DELETE FROM "PendingObject" WHERE "objectKey" = $1', [objectKey])
        .then(() => undefined),

    /**
     * Writes the index for an object (hierarchy upserts when the series is not known yet, the
     * instance row and the PendingObject removal) in one transaction left open for the caller to
     * commit once the object is stored. Races between senders of the same study are retried: a
     * unique violation means another transaction created a row first; a foreign key violation
     * means a cached series was deleted meanwhile.
     */
    async prepareIndex(
      record: IndexRecord,
      stored: StoredObject,
      via: Door,
      projectId: string | undefined,
      known: KnownSeries | undefined,
    ): Promise<PreparedIndex> {
      let cached = known;
      for (let attempt = 0; ; attempt++) {
        try {
          return await prepareOnce(record, stored, via, projectId, cached);
        } catch (error) {
          const code = pgCode(error);
          const retriable =
            code === UNIQUE_VIOLATION || code === FOREIGN_KEY_VIOLATION || SERIALIZATION.includes(code ?? '');
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
