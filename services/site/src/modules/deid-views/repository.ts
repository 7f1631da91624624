import { Prisma, type PrismaClient } from '../../db.ts';

export type UidLevel = 'study' | 'series' | 'instance';

export interface UidMapping {
  level: UidLevel;
  originalUid: string;
}

const sql = Prisma.sql;

/** The stored way back from de-identified UIDs to the index's UIDs (one keyed hash per secret). */
export function createDeidUidRepository(prisma: PrismaClient) {
  return {
    async lookup(keyId: string, deidUids: string[]): Promise<Map<string, UidMapping>> {
      if (deidUids.length === 0) return new Map();
      const rows = await prisma.deidUidMap.findMany({ where: { keyId, deidUid: { in: deidUids } } });
      return new Map(
        rows.map((r) => [r.deidUid, { level: r.level as UidLevel, originalUid: r.originalUid }]),
      );
    },

    async record(keyId: string, entries: Array<{ deidUid: string } & UidMapping>): Promise<number> {
      if (entries.length === 0) return 0;
      const { count } = await prisma.deidUidMap.createMany({
        data: entries.map((e) => ({ keyId, ...e })),
        skipDuplicates: true,
      });
      return count;
    },

    /** Index UIDs of every level that have no mapping under this key yet (a bounded batch). */
    async unmapped(keyId: string, limit: number): Promise<Array<{ level: UidLevel; uid: string }>> {
      return prisma.$queryRaw(sql`
        (SELECT 'study' AS level, s."studyInstanceUid" AS uid FROM "Study" s WHERE NOT EXISTS (
           SELECT 1 FROM "DeidUidMap" m WHERE m."keyId" = ${keyId} AND m.level = 'study' AND m."originalUid" = s."studyInstanceUid")
         LIMIT ${limit})
        UNION ALL
        (SELECT 'series', se."seriesInstanceUid" FROM "Series" se WHERE NOT EXISTS (
           SELECT 1 FROM "DeidUidMap" m WHERE m."keyId" = ${keyId} AND m.level = 'series' AND m."originalUid" = se."seriesInstanceUid")
         LIMIT ${limit})
        UNION ALL
        (SELECT 'instance', i."sopInstanceUid" FROM "Instance" i WHERE NOT EXISTS (
           SELECT 1 FROM "DeidUidMap" m WHERE m."keyId" = ${keyId} AND m.level = 'instance' AND m."originalUid" = i."sopInstanceUid")
         LIMIT ${limit})`);
    },
  };
}

export type DeidUidRepository = ReturnType<typeof createDeidUidRepository>;
