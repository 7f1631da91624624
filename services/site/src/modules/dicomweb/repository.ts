import { Prisma, type PrismaClient } from '../../db.ts';
import type { DicomJson } from './dicom-json.ts';
import type { QidoQuery } from './qido-query.ts';
import { whereSql } from './qido-sql.ts';
import type { ReadAccess } from './viewer.ts';

const sql = Prisma.sql;

export interface StudyRow {
  id: string;
  studyInstanceUid: string;
  attributes: DicomJson;
  seriesCount: number;
  instanceCount: number;
  modalities: string[];
}

export interface SeriesRow {
  id: string;
  studyId: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  attributes: DicomJson;
  studyAttributes: DicomJson;
  instanceCount: number;
}

export interface InstanceRow {
  id: string;
  studyId: string;
  seriesId: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  metadata: DicomJson;
  studyAttributes: DicomJson;
  seriesAttributes: DicomJson;
}

/** What serving an instance's bytes or frames needs, without its metadata. */
export interface StoredInstance {
  id: string;
  studyId: string;
  seriesId: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  objectKey: string;
  size: bigint;
  sha256: string;
  numberOfFrames: number;
  rows: number | null;
  columns: number | null;
  pixelData: unknown;
  /** The few metadata attributes frames, rendering and the burned-in check need (no PHI among them but the key). */
  attributes: DicomJson;
}

// Pixel module, VOI, burned-in risk attributes, the Patient ID that keys the annotator view's pseudonym, and
// Manufacturer / Model that pick a pixel mask template.
const INSTANCE_ATTRIBUTES = [
  '00080008',
  '00080016',
  '00080060',
  '00080064',
  '00080070',
  '00081090',
  '00100020',
  '00280002',
  '00280004',
  '00280008',
  '00280010',
  '00280011',
  '00280100',
  '00280101',
  '00280103',
  '00280301',
  '00281050',
  '00281051',
  '00281052',
  '00281053',
];
const attributesSql = Prisma.raw(
  `jsonb_strip_nulls(jsonb_build_object(${INSTANCE_ATTRIBUTES.map((t) => `'${t}', i.metadata -> '${t}'`).join(', ')}))`,
);

export interface Scope {
  studyUid?: string;
  seriesUid?: string;
  /** Only studies (and series) this rule lets the request read. */
  access?: ReadAccess;
}

/**
 * The read rule as a condition on the query's aliases: a (non-cancelled) task covers the study (a study task)
 * or the series (a series task), in the project, assigned to the assignee and not released. At study level
 * (no series alias) any task in the study counts. Evaluated per query, so a new assignment shows at once.
 */
export function accessSql(access: ReadAccess, level: 'study' | 'series'): Prisma.Sql {
  const conditions = [
    sql`t.status <> 'cancelled'`,
    sql`t."studyRef" = st.id`,
    ...(level === 'series' ? [sql`(t."seriesRef" IS NULL OR t."seriesRef" = se.id)`] : []),
    ...(access.projectId ? [sql`t."projectRef" = ${access.projectId}::uuid`] : []),
    ...(access.assignee !== undefined
      ? [
          sql`EXISTS (SELECT 1 FROM "Assignment" a WHERE a."taskRef" = t.id AND a.annotator = ${access.assignee}
                AND a.status <> 'released')`,
        ]
      : []),
  ];
  return sql`EXISTS (SELECT 1 FROM "Task" t WHERE ${Prisma.join(conditions, ' AND ')})`;
}

const scopeSql = (scope: Scope, level: 'study' | 'series' = 'series') => [
  ...(scope.studyUid ? [sql`st."studyInstanceUid" = ${scope.studyUid}`] : []),
  ...(scope.seriesUid ? [sql`se."seriesInstanceUid" = ${scope.seriesUid}`] : []),
  ...(scope.access ? [accessSql(scope.access, level)] : []),
];

const page = (q: QidoQuery) => sql`LIMIT ${q.limit} OFFSET ${q.offset}`;

/** The DICOM index as DICOMweb reads it. Raw SQL where Prisma's query builder cannot express QIDO matching. */
export function createDicomwebRepository(prisma: PrismaClient) {
  return {
    async searchStudies(q: QidoQuery, scope: Scope = {}): Promise<StudyRow[]> {
      // Under a read rule the study-wide numbers and ModalitiesInStudy count only the series the
      // rule lets the reader read (a series task shows one series of its study, and nothing of
      // the others, not even that they exist).
      const rule = scope.access ? accessSql(scope.access, 'series') : undefined;
      const readable = rule ? sql` AND ${rule}` : Prisma.empty;
      const rows = await prisma.$queryRaw<
        Array<StudyRow & { seriesCount: bigint; instanceCount: bigint }>
      >(sql`
        SELECT st.id::text AS id, st."studyInstanceUid", st.attributes,
          (SELECT count(*) FROM "Series" se WHERE se."studyRef" = st.id${readable}) AS "seriesCount",
          (SELECT count(*) FROM "Instance" i2 JOIN "Series" se ON i2."seriesRef" = se.id
            WHERE se."studyRef" = st.id${readable}) AS "instanceCount",
          COALESCE((SELECT array_agg(DISTINCT se.modality ORDER BY se.modality) FROM "Series" se
                     WHERE se."studyRef" = st.id AND se.modality IS NOT NULL${readable}), '{}') AS modalities
        FROM "Study" st JOIN "Patient" p ON p.id = st."patientRef"
        ${whereSql('study', q.filters, scopeSql(scope, 'study'), rule)}
        ORDER BY st."studyDate" DESC NULLS LAST, st."studyInstanceUid"
        ${page(q)}`);
      return rows.map((r) => ({
        ...r,
        seriesCount: Number(r.seriesCount),
        instanceCount: Number(r.instanceCount),
      }));
    },

    async searchSeries(q: QidoQuery, scope: Scope): Promise<SeriesRow[]> {
      const rows = await prisma.$queryRaw<Array<SeriesRow & { instanceCount: bigint }>>(sql`
        SELECT se.id::text AS id, st.id::text AS "studyId", se."seriesInstanceUid", st."studyInstanceUid", se.attributes,
          st.attributes AS "studyAttributes",
          (SELECT count(*) FROM "Instance" i2 WHERE i2."seriesRef" = se.id) AS "instanceCount"
        FROM "Series" se JOIN "Study" st ON st.id = se."studyRef" JOIN "Patient" p ON p.id = st."patientRef"
        ${whereSql('series', q.filters, scopeSql(scope), scope.access ? accessSql(scope.access, 'series') : undefined)}
        ORDER BY st."studyInstanceUid", se."seriesNumber" NULLS LAST, se."seriesInstanceUid"
        ${page(q)}`);
      return rows.map((r) => ({ ...r, instanceCount: Number(r.instanceCount) }));
    },

    async searchInstances(q: QidoQuery, scope: Scope): Promise<InstanceRow[]> {
      return prisma.$queryRaw<InstanceRow[]>(sql`
        SELECT i.id::text AS id, st.id::text AS "studyId", se.id::text AS "seriesId", i."sopInstanceUid",
          se."seriesInstanceUid", st."studyInstanceUid", i.metadata,
          st.attributes AS "studyAttributes", se.attributes AS "seriesAttributes"
        FROM "Instance" i JOIN "Series" se ON se.id = i."seriesRef" JOIN "Study" st ON st.id = se."studyRef"
          JOIN "Patient" p ON p.id = st."patientRef"
        ${whereSql('instance', q.filters, scopeSql(scope), scope.access ? accessSql(scope.access, 'series') : undefined)}
        ORDER BY st."studyInstanceUid", se."seriesNumber" NULLS LAST, se."seriesInstanceUid",
          i."instanceNumber" NULLS LAST, i."sopInstanceUid"
        ${page(q)}`);
    },

    /** The stored instances under a scope, in viewing order (what a retrieve or a metadata request serves). */
    async storedInstances(scope: Scope & { sopUid?: string }): Promise<StoredInstance[]> {
      if (!scope.studyUid) return [];
      const conditions = [
        ...scopeSql(scope),
        ...(scope.sopUid ? [sql`i."sopInstanceUid" = ${scope.sopUid}`] : []),
      ];
      return prisma.$queryRaw<StoredInstance[]>(sql`
        SELECT i.id::text AS id, st.id::text AS "studyId", se.id::text AS "seriesId", i."sopInstanceUid", se."seriesInstanceUid",
          st."studyInstanceUid", i."sopClassUid", i."transferSyntaxUid", i."objectKey", i.size, i.sha256,
          i."numberOfFrames", i.rows, i.columns, i."pixelData", ${attributesSql} AS attributes
        FROM "Instance" i JOIN "Series" se ON se.id = i."seriesRef" JOIN "Study" st ON st.id = se."studyRef"
        WHERE ${Prisma.join(conditions, ' AND ')}
        ORDER BY se."seriesNumber" NULLS LAST, se."seriesInstanceUid", i."instanceNumber" NULLS LAST, i."sopInstanceUid"`);
    },

    /**
     * Instance metadata as one JSON array text, assembled by Postgres: no per-instance parse and re-serialize
     * in Node, which is what keeps a 300-instance series well under the latency target.
     */
    async metadataText(
      scope: Scope & { sopUid?: string },
      baseUrl: string,
    ): Promise<{ studyId: string; body: string } | undefined> {
      if (!scope.studyUid) return undefined;
      const conditions = [
        ...scopeSql(scope),
        ...(scope.sopUid ? [sql`i."sopInstanceUid" = ${scope.sopUid}`] : []),
      ];
      const rows = await prisma.$queryRaw<Array<{ studyId: string | null; body: string | null }>>(sql`
        SELECT min(st.id::text) AS "studyId",
          '[' || string_agg(replace(i.metadata::text, '"BulkDataURI": "bulkdata/',
            '"BulkDataURI": "' || ${baseUrl} || '/studies/' || st."studyInstanceUid" || '/series/' || se."seriesInstanceUid"
            || '/instances/' || i."sopInstanceUid" || '/bulkdata/'), ',' ORDER BY se."seriesNumber" NULLS LAST, se."seriesInstanceUid",
            i."instanceNumber" NULLS LAST, i."sopInstanceUid") || ']' AS body
        FROM "Instance" i JOIN "Series" se ON se.id = i."seriesRef" JOIN "Study" st ON st.id = se."studyRef"
        WHERE ${Prisma.join(conditions, ' AND ')}`);
      const row = rows[0];
      return row?.body && row.studyId ? { studyId: row.studyId, body: row.body } : undefined;
    },

    /** Instance metadata rows (parsed) for views that must transform each one. */
    async metadataRows(scope: Scope & { sopUid?: string }): Promise<
      Array<{
        id: string;
        studyId: string;
        studyUid: string;
        seriesUid: string;
        sopUid: string;
        metadata: DicomJson;
      }>
    > {
      if (!scope.studyUid) return [];
      const conditions = [
        ...scopeSql(scope),
        ...(scope.sopUid ? [sql`i."sopInstanceUid" = ${scope.sopUid}`] : []),
      ];
      return prisma.$queryRaw(sql`
        SELECT i.id::text AS id, st.id::text AS "studyId", st."studyInstanceUid" AS "studyUid",
          se."seriesInstanceUid" AS "seriesUid", i."sopInstanceUid" AS "sopUid", i.metadata
        FROM "Instance" i JOIN "Series" se ON se.id = i."seriesRef" JOIN "Study" st ON st.id = se."studyRef"
        WHERE ${Prisma.join(conditions, ' AND ')}
        ORDER BY se."seriesNumber" NULLS LAST, se."seriesInstanceUid", i."instanceNumber" NULLS LAST, i."sopInstanceUid"`);
    },

    /**
     * A cheap validator for everything under a scope: rows are only ever added (never changed in place), so the
     * count and the newest creation time change whenever a metadata response would.
     */
    async scopeVersion(scope: Scope & { sopUid?: string }): Promise<string | undefined> {
      if (!scope.studyUid) return undefined;
      const conditions = [
        ...scopeSql(scope),
        ...(scope.sopUid ? [sql`i."sopInstanceUid" = ${scope.sopUid}`] : []),
      ];
      const rows = await prisma.$queryRaw<Array<{ n: bigint; newest: Date | null; ids: string | null }>>(sql`
        SELECT count(*) AS n, max(i."createdAt") AS newest, max(i.id::text) AS ids
        FROM "Instance" i JOIN "Series" se ON se.id = i."seriesRef" JOIN "Study" st ON st.id = se."studyRef"
        WHERE ${Prisma.join(conditions, ' AND ')}`);
      const row = rows[0];
      return row && row.n > 0n ? `${row.n}:${row.newest?.toISOString()}:${row.ids}` : undefined;
    },

    /** Whether the rule lets a request read this series (one indexed query; see accessSql). */
    async canRead(access: ReadAccess, seriesId: string): Promise<boolean> {
      const rows = await prisma.$queryRaw<Array<{ ok: number }>>(sql`
        SELECT 1 AS ok FROM "Series" se JOIN "Study" st ON st.id = se."studyRef"
        WHERE se.id = ${seriesId}::uuid AND ${accessSql(access, 'series')}`);
      return rows.length > 0;
    },

    async projectExists(projectId: string): Promise<boolean> {
      const rows = await prisma.$queryRaw<Array<{ ok: number }>>(
        sql`SELECT 1 AS ok FROM "Project" WHERE id = ${projectId}::uuid`,
      );
      return rows.length > 0;
    },

    /** The study's database id (the audit log's resource name: never a UID or a patient value). */
    async studyIdOf(studyUid: string): Promise<string | undefined> {
      const rows = await prisma.$queryRaw<Array<{ id: string }>>(
        sql`SELECT id::text AS id FROM "Study" WHERE "studyInstanceUid" = ${studyUid}`,
      );
      return rows[0]?.id;
    },
  };
}

export type DicomwebRepository = ReturnType<typeof createDicomwebRepository>;
