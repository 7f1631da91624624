import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

/** A registry per app (tests build many apps in one process), request latency by route, /metrics. */
export const metricsPlugin = fp<{ prefix: string }>(
  async (app: FastifyInstance, { prefix }) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: `${prefix}_` });
    const latency = new Histogram({
      name: `${prefix}_http_request_duration_seconds`,
      help: 'HTTP request latency by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    app.decorate('metrics', registry);
    app.addHook('onResponse', async (request, reply) => {
      latency.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
    app.get(
      '/metrics',
      { config: { public: true }, schema: { hide: true } as Record<string, unknown> },
      async (_request, reply) => {
        reply.type(registry.contentType);
        return registry.metrics();
      },
    );
  },
  { name: 'annex-metrics' },
);
