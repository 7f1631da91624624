// Where the time of one ingest goes: the pipeline in-process against a fresh database and an
// s3rver child process, with per-stage timings from the pipeline's probe points.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@annex/platform/testing/postgres.ts';
import { Registry } from 'prom-client';
import { makeCtSeries } from '../../../services/dicom/src/index.ts';
import { createPrisma } from '../../../services/site/src/db.ts';
import { createQueues } from '../../../services/site/src/jobs/queues.ts';
import { createIngestContext } from '../../../services/site/src/modules/ingest/context.ts';
import { ingestInstance } from '../../../services/site/src/modules/ingest/service.ts';
import { createMinioStore } from '../../../services/site/src/storage/minio-store.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 60);
const s3 = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 's3-process.ts')], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const endpoint: string = await new Promise((resolve) =>
  s3.stdout.once('data', (d) => resolve(JSON.parse(String(d)).endpoint)),
);
const db = await createTestDatabase(
  fileURLToPath(new URL('../../../services/site/', import.meta.url)),
  'profile',
);
const prisma = createPrisma(db.url);
const storage = createMinioStore({
  endpoint,
  accessKey: 'S3RVER',
  secretKey: 'S3RVER',
  bucket: 'profile',
  region: 'us-east-1',
  partSize: 64 << 20,
});
await storage.ensureBucket();
const queues = createQueues({ url: 'redis://127.0.0.1:6379' }, 'profile-bench');
const stages: Record<string, number[]> = {};
let last = 0;
const mark = (name: string) => {
  const now = performance.now();
  stages[name] = [...(stages[name] ?? []), now - last];
  last = now;
};
const ctx = createIngestContext({
  prisma,
  databaseUrl: db.url,
  storage,
  queues,
  registry: new Registry(),
  instanceMaxBytes: 1 << 30,
  log: { debug() {}, warn() {}, error() {} },
  probe: (p) => mark(p),
});
const series = makeCtSeries({ seed: 'profile', slices: N, rows: 512, cols: 512 });
const total: number[] = [];
for (const file of series.files) {
  const t = performance.now();
  last = t;
  await ingestInstance(ctx, file, { via: 'dimse' });
  mark('after-indexed');
  total.push(performance.now() - t);
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(2);
for (const [k, v] of Object.entries(stages)) console.log(k.padEnd(16), med(v), 'ms (median)');
console.log('total'.padEnd(16), med(total), 'ms (median)');
await ctx.close();
await prisma.$disconnect();
await queues.close();
await db.drop();
s3.kill('SIGTERM');
process.exit(0);
