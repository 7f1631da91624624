import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@annex/platform/testing/postgres.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../db.ts';
import { enqueueOutbox } from './outbox.ts';
import { syncState } from './repository.ts';
import { enqueueSiteStatus } from './site-status.ts';
import { SyncSql } from './sync-sql.ts';

const SITE_DIR = fileURLToPath(new URL('../../..', import.meta.url));
const body = { status: 'applied' as const, commandSeq: 1, commandType: 'ping' as const };

let db: TestDatabase;
let prisma: PrismaClient;
let sql: SyncSql;
beforeAll(async () => {
  db = await createTestDatabase(SITE_DIR, 'sync_seq');
  prisma = createPrisma(db.url);
  sql = new SyncSql(db.url);
});
afterAll(async () => {
  await sql?.close();
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
    const assigning = Promise.all([sql.assignSequence(1000), sql.assignSequence(1000)]);
    await Promise.all(writers);
    await assigning;
    expect(await sql.assignSequence(1000)).toBe(30);
    const rows = await prisma.syncOutbox.findMany({ orderBy: { seq: 'asc' } });
    expect(rows).toHaveLength(30);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect((await syncState(prisma)).s2cAssignedSeq).toBe(30);
  });

  it('acknowledges cumulatively and never moves the mark backwards', async () => {
    await sql.markAcked(20);
    await sql.markAcked(5);
    expect((await syncState(prisma)).s2cAckedSeq).toBe(20);
    expect(await prisma.syncOutbox.count({ where: { ackedAt: null } })).toBe(10);
  });

  it('wakes a listener when outbox rows commit (LISTEN/NOTIFY rule), not before', async () => {
    let woken = 0;
    const stop = sql.listen(db.url, () => woken++);
    await new Promise((r) => setTimeout(r, 300)); // LISTEN is in place
    await prisma.$transaction(async (tx) => {
      await enqueueOutbox(tx, 'command.result', body, { canaries: [] });
      await new Promise((r) => setTimeout(r, 200));
      expect(woken).toBe(0);
    });
    const deadline = Date.now() + 5000;
    while (woken === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(woken).toBeGreaterThanOrEqual(1);
  });

  it('reports site status with the backlog, the age of the oldest unacknowledged message and the last ack', async () => {
    await enqueueSiteStatus(prisma, { startedAt: Date.now() - 90_000 });
    const row = await prisma.syncOutbox.findFirstOrThrow({ where: { type: 'site.status' } });
    const body = row.body as {
      uptimeS: number;
      outbox: { pending: number; oldestPendingAgeMs: number; lastAckedSeq: number };
    };
    expect(body.uptimeS).toBeGreaterThanOrEqual(90);
    expect(body.outbox.pending).toBe(11); // 30 + the one of the LISTEN test, 20 acknowledged
    expect(body.outbox.lastAckedSeq).toBe(20);
    expect(body.outbox.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
  });
});
