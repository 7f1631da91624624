import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';
import type { PrismaClient } from '../../db.ts';
import type { Queues } from '../../jobs/queues.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { type IngestMetrics, ingestMetrics } from './metrics.ts';
import {
  createIngestPools,
  createIngestRepository,
  type IngestRepository,
  type KnownSeries,
} from './repository.ts';
import { createSeriesFollowUp, type SeriesFollowUp } from './series-follow-up.ts';

/** Points of the pipeline, in order; tests and the crash harness can stop a process at each. */
export type IngestPoint = 'parsed' | 'pending-written' | 'object-stored' | 'indexed';

export interface IngestLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What the pipeline runs on. One per process (shared by all three doors), made once per app. */
export interface IngestContext {
  repository: IngestRepository;
  storage: ObjectStore;
  metrics: IngestMetrics;
  followUp: SeriesFollowUp;
  log: IngestLogger;
  instanceMaxBytes: number;
  /** SeriesInstanceUID → database ids, so the hot path skips the hierarchy upserts. */
  knownSeries: Map<string, KnownSeries>;
  probe?: (point: IngestPoint) => void | Promise<void>;
  /** Closes the context's database pools. */
  close(): Promise<void>;
}

export interface IngestDeps {
  prisma: PrismaClient;
  databaseUrl: string;
  storage: ObjectStore;
  queues: Queues;
  registry: Registry;
  log: IngestLogger;
  instanceMaxBytes: number;
  followUpWindowMs?: number;
  probe?: IngestContext['probe'];
}

export function createIngestContext(deps: IngestDeps): IngestContext {
  const pools = createIngestPools(deps.databaseUrl);
  return {
    repository: createIngestRepository(deps.prisma, pools),
    storage: deps.storage,
    metrics: ingestMetrics(deps.registry),
    followUp: createSeriesFollowUp(deps.queues, deps.log, deps.followUpWindowMs),
    log: deps.log,
    instanceMaxBytes: deps.instanceMaxBytes,
    knownSeries: new Map(),
    ...(deps.probe ? { probe: deps.probe } : {}),
    close: () => pools.close(),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The ingest pipeline's context, shared by DIMSE, STOW-RS, uploads and the reaper job. */
    ingest: IngestContext;
  }
}

/** Makes the app's ingest context once, and closes its pools with the app. */
export const ingestPlugin = fp(
  async (app: FastifyInstance) => {
    const ctx = createIngestContext({
      prisma: app.prisma,
      databaseUrl: app.config.DATABASE_URL,
      storage: app.storage,
      queues: app.queues,
      registry: app.metrics,
      log: app.log.child({ module: 'ingest' }),
      instanceMaxBytes: app.config.INSTANCE_MAX_BYTES,
    });
    app.decorate('ingest', ctx);
    app.addHook('onClose', () => ctx.close());
  },
  { name: 'ingest', dependencies: ['prisma', 'storage', 'queues', 'annex-metrics'] },
);

/** The app's ingest context (registered by ingestPlugin). */
export const ingestContextOf = (app: FastifyInstance): IngestContext => app.ingest;
