import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

type Check = () => Promise<unknown>;

async function probe(check: Check) {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch {
    return { ok: false, ms: Math.round(performance.now() - started) };
  }
}

export async function healthRoutes(app: FastifyInstance, { redis }: { redis: Redis }) {
  app.get('/healthz', { config: { public: true }, schema: { tags: ['health'] } }, async () => ({
    status: 'ok',
  }));
  app.get('/readyz', { config: { public: true }, schema: { tags: ['health'] } }, async (_request, reply) => {
    const [postgres, redisCheck, s3] = await Promise.all([
      probe(() => app.prisma.$queryRaw`SELECT 1`),
      probe(() => redis.ping()),
      probe(() => app.storage.ping()),
    ]);
    const checks = { postgres, redis: redisCheck, s3 };
    const ready = Object.values(checks).every((c) => c.ok);
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'unavailable', checks };
  });
}
