import { type DevIssuer, tokenVerifierFor } from '@annex/platform';
import { Redis } from 'ioredis';
import type { SiteDeps } from './app.ts';
import type { SiteConfig } from './config.ts';
import { createPrisma } from './db.ts';
import { createQueues } from './jobs/queues.ts';
import { createMinioStore } from './storage/minio-store.ts';

/** Builds the real infrastructure for a config, and one function that closes all of it. */
export async function createSiteDeps(
  config: SiteConfig,
  devIssuer?: DevIssuer,
): Promise<SiteDeps & { close(): Promise<void> }> {
  const prisma = createPrisma(config.DATABASE_URL);
  // BullMQ workers block on Redis: they need maxRetriesPerRequest null.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
  const storage = createMinioStore({
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    partSize: config.S3_PART_SIZE,
  });
  await storage.ensureBucket();
  const queues = createQueues(redis, config.QUEUE_PREFIX);
  const verifyToken = tokenVerifierFor(config, devIssuer);
  return {
    prisma,
    redis,
    storage,
    queues,
    verifyToken,
    ...(devIssuer ? { devIssuer } : {}),
    async close() {
      await queues.close();
      await prisma.$disconnect();
      redis.disconnect();
    },
  };
}
