import { createHash, randomUUID } from 'node:crypto';
import { parseInstance } from '@annex/dicom';
import type { PrismaClient } from '@annex/site/db.ts';
import { indexRecordOf } from '@annex/site/modules/ingest/index-record.ts';
import { createIngestPools, createIngestRepository } from '@annex/site/modules/ingest/repository.ts';

/**
 * Indexes DICOM files into a site database with the site's own ingest code (parse → index record
 * → hierarchy + instance rows), as if they had been received; the objects themselves are not
 * stored anywhere, the sync path never reads them.
 */
export async function indexFiles(prisma: PrismaClient, databaseUrl: string, files: Buffer[]): Promise<void> {
  const pools = createIngestPools(databaseUrl);
  const repo = createIngestRepository(prisma, pools);
  try {
    for (const file of files) {
      const record = indexRecordOf(parseInstance(file));
      const stored = {
        objectKey: `test/${randomUUID()}`,
        size: file.length,
        sha256: createHash('sha256').update(file).digest('hex'),
      };
      // The ingest path records the object as pending before it is stored; the index write clears it.
      await prisma.pendingObject.create({ data: { objectKey: stored.objectKey } });
      const prepared = await repo.prepareIndex(record, stored, 'upload', undefined, undefined);
      await prepared.commit();
    }
  } finally {
    await pools.close();
  }
}
