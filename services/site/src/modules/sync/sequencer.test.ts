import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@annex/platform/testing/postgres.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../db.ts';
import { enqueueOutbox } from './outbox.ts';
import { assignSequence, markAcked, syncState } from './repository.ts';

const SITE_DIR = fileURLToPath(new URL('../../..', import.meta.url));
const body = { status: 'applied' as const, commandSeq: 1, commandType: 'ping' as const };

let db: TestDatabase;
let prisma: PrismaClient;
beforeAll(async () => {
  db = await createTestDatabase(SITE_DIR, 'sync_seq');
  prisma = createPrisma(db.url);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe('outbox sequence', () => {
  it('is gapless and unique although writers run concurrently, some roll back, and two sequencers race', async () => {
    const writers = Array.from({ length: 40 }, (_, i) =>
      prisma
        .$transaction(async (tx) => {
          await enqueueOutbox(tx, 'command.result', { ...body, commandSeq: i + 1 }, { canaries: [] });
          if (i % 4 === 0) throw new Error('rolled back');
        })
        .catch(() => undefined),
    );
    // The sequencer runs while writers are still committing, twice concurrently.
    const assigning = Promise.all([assignSequence(prisma), assignSequence(prisma)]);
    await Promise.all(writers);
    await assigning;
    await assignSequence(prisma);
    const rows = await prisma.syncOutbox.findMany({ orderBy: { seq: 'asc' } });
    expect(rows).toHaveLength(30);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect((await syncState(prisma)).s2cAssignedSeq).toBe(30);
  });

  it('acknowledges cumulatively and never moves the mark backwards', async () => {
    await markAcked(prisma, 20);
    await markAcked(prisma, 5);
    expect((await syncState(prisma)).s2cAckedSeq).toBe(20);
    expect(await prisma.syncOutbox.count({ where: { ackedAt: null } })).toBe(10);
  });
});
