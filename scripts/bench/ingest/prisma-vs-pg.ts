import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@annex/platform/testing/postgres.ts';
import pg from 'pg';
import { createPrisma } from '../../../services/site/src/db.ts';

const db = await createTestDatabase(
  fileURLToPath(new URL('../../../services/site/', import.meta.url)),
  'profiledb',
);
const prisma = createPrisma(db.url);
const pool = new pg.Pool({ connectionString: db.url });
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(2);
async function time(name: string, fn: (i: number) => Promise<unknown>, n = 40) {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn(i);
    t.push(performance.now() - s);
  }
  console.log(name.padEnd(40), med(t), 'ms');
}
for (let round = 0; round < 2; round++) {
  await time('prisma findUnique (miss)', (i) =>
    prisma.instance.findUnique({ where: { sopInstanceUid: `x${i}` }, select: { id: true } }),
  );
  await time('pg findUnique (miss)', (i) =>
    pool.query('SELECT id FROM "Instance" WHERE "sopInstanceUid" = $1', [`x${i}`]),
  );
  await time('prisma $queryRaw select 1', () => prisma.$queryRaw`SELECT 1`);
  await time('pg select 1', () => pool.query('SELECT 1'));
  await time('prisma pending create', (i) =>
    prisma.pendingObject.create({ data: { objectKey: `a${round}${i}` } }),
  );
  await time('pg pending insert', (i) =>
    pool.query('INSERT INTO "PendingObject" ("objectKey") VALUES ($1)', [`b${round}${i}`]),
  );
  await time('pg pending insert async commit', (i) =>
    pool.query(
      'BEGIN; SET LOCAL synchronous_commit = off; INSERT INTO "PendingObject" ("objectKey") VALUES (\'c' +
        round +
        i +
        "'); COMMIT",
    ),
  );
}
await pool.end();
await prisma.$disconnect();
await db.drop();
