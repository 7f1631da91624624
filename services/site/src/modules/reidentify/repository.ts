import { Prisma, type PrismaClient } from '../../db.ts';

/** Kinds the site hands out pseudonyms for, and so can take back. */
export type MappedKind = 'patient' | 'study' | 'series' | 'user' | 'project';

export interface PseudonymEntry {
  pseudonym: string;
  kind: MappedKind;
  value: string;
  scope: string;
}

const sql = Prisma.sql;

/** The stored way back from pseudonyms to the values they were made from, and the index rows they name. */
export function createReidentifyRepository(prisma: PrismaClient) {
  return {
    async lookup(keyId: string, pseudonyms: string[]): Promise<Map<string, PseudonymEntry>> {
      if (pseudonyms.length === 0) return new Map();
      const rows = await prisma.pseudonymMap.findMany({ where: { keyId, pseudonym: { in: pseudonyms } } });
      return new Map(rows.map((r) => [r.pseudonym, { ...r, kind: r.kind as MappedKind }]));
    },

    async record(keyId: string, entries: PseudonymEntry[]): Promise<number> {
      if (entries.length === 0) return 0;
      const { count } = await prisma.pseudonymMap.createMany({
        data: entries.map((e) => ({ keyId, ...e })),
        skipDuplicates: true,
      });
      return count;
    },

    /**
     * Source values of one kind with no mapping under this key yet (a bounded batch). The values are exactly
     * what the site hashes: the Patient ID the annotator view keys on ('' when absent), study and series UIDs
     * (sync and task identity), token subjects of annotators, uploaders and instruction authors, project ids.
     */
    async unmapped(keyId: string, kind: MappedKind, limit: number, scope = ''): Promise<string[]> {
      // A project scope (patients only) maps the patients of that project's tasks: all it can show.
      const patients = scope
        ? sql`SELECT DISTINCT COALESCE(p."patientId", '') AS value FROM "Task" t
                JOIN "Study" st ON st.id = t."studyRef" JOIN "Patient" p ON p.id = st."patientRef"
                WHERE t."projectRef" = ${scope}::uuid`
        : sql`SELECT DISTINCT COALESCE("patientId", '') AS value FROM "Patient"`;
      const source = {
        patient: patients,
        study: sql`SELECT "studyInstanceUid" AS value FROM "Study"`,
        series: sql`SELECT "seriesInstanceUid" AS value FROM "Series"`,
        user: sql`SELECT annotator AS value FROM "Assignment" UNION SELECT "createdBy" FROM "Upload"
                  UNION SELECT "createdBy" FROM "InstructionsVersion"`,
        project: sql`SELECT id::text AS value FROM "Project"`,
      }[kind];
      const rows = await prisma.$queryRaw<Array<{ value: string }>>(sql`
        SELECT v.value FROM (${source}) v WHERE NOT EXISTS (
          SELECT 1 FROM "PseudonymMap" m WHERE m."keyId" = ${keyId} AND m.kind = ${kind} AND m.value = v.value
            AND m.scope = ${scope})
        LIMIT ${limit}`);
      return rows.map((r) => r.value);
    },

    /** Every project id: the scopes a patient pseudonym may have been made in. */
    projectIds: async () => (await prisma.project.findMany({ select: { id: true } })).map((p) => p.id),
    patients: (patientId: string) =>
      prisma.patient.findMany({
        where: patientId === '' ? { OR: [{ patientId: null }, { patientId: '' }] } : { patientId },
        select: { patientId: true, issuer: true, patientName: true, birthDate: true },
      }),
    study: (uid: string) =>
      prisma.study.findUnique({
        where: { studyInstanceUid: uid },
        select: { studyInstanceUid: true, accessionNumber: true, studyDate: true },
      }),
    series: (uid: string) =>
      prisma.series.findUnique({ where: { seriesInstanceUid: uid }, select: { seriesInstanceUid: true } }),
    project: (id: string) =>
      prisma.project.findUnique({ where: { id }, select: { id: true, slug: true, name: true } }),
  };
}

export type ReidentifyRepository = ReturnType<typeof createReidentifyRepository>;
