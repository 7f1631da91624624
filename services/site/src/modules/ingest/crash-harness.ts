// A child process for the crash-safety test: ingests the DICOM files in INGEST_DIR into the
// database/S3 of the environment and SIGKILLs itself when it reaches CRASH_AT for the
// CRASH_AFTER-th time. Run with `node --import tsx crash-harness.ts`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { loadSiteConfig } from '../../config.ts';
import { createPrisma } from '../../db.ts';
import { createQueues } from '../../jobs/queues.ts';
import { createMinioStore } from '../../storage/minio-store.ts';
import { createIngestContext, type IngestPoint } from './context.ts';
import { ingestInstance } from './service.ts';

const config = loadSiteConfig();
const crashAt = process.env.CRASH_AT as IngestPoint | undefined;
let crashAfter = Number(process.env.CRASH_AFTER ?? 1);
const dir = process.env.INGEST_DIR!;

const prisma = createPrisma(config.DATABASE_URL);
const storage = createMinioStore({
  endpoint: config.S3_ENDPOINT,
  accessKey: config.S3_ACCESS_KEY,
  secretKey: config.S3_SECRET_KEY,
  bucket: config.S3_BUCKET,
  region: config.S3_REGION,
  partSize: config.S3_PART_SIZE,
});
const queues = createQueues({ url: config.REDIS_URL }, config.QUEUE_PREFIX);
const quiet = { debug() {}, warn() {}, error() {} };
const ctx = createIngestContext({
  prisma,
  databaseUrl: config.DATABASE_URL,
  storage,
  queues,
  registry: new Registry(),
  log: quiet,
  instanceMaxBytes: config.INSTANCE_MAX_BYTES,
  probe: (point) => {
    if (point === crashAt && --crashAfter <= 0) process.kill(process.pid, 'SIGKILL');
  },
});

for (const name of readdirSync(dir).sort()) {
  await ingestInstance(ctx, readFileSync(path.join(dir, name)), { via: 'upload' });
  process.stdout.write('.');
}
await queues.close();
await ctx.close();
await prisma.$disconnect();
process.exit(0);
