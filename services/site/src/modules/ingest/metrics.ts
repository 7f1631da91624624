import { Counter, Histogram, type Registry } from 'prom-client';

export type Door = 'dimse' | 'stow' | 'upload';

export interface IngestMetrics {
  instances: Counter<'door' | 'outcome'>;
  bytes: Counter<'door'>;
  seconds: Histogram<'door'>;
  /** parse (header, validation, DICOM JSON, digest), store (S3 put ‖ pending row ‖ duplicate check), index (commit). */
  stages: Histogram<'stage'>;
}

const byRegistry = new WeakMap<Registry, IngestMetrics>();

/** Ingest counters in the app's registry (one set per registry: tests build many apps per process). */
export function ingestMetrics(registry: Registry): IngestMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const metrics: IngestMetrics = {
    instances: new Counter({
      name: 'annex_site_ingest_instances_total',
      help: 'Instances received, by door (dimse, stow, upload) and outcome (stored, duplicate, conflict, or an error code)',
      labelNames: ['door', 'outcome'],
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'annex_site_ingest_bytes_total',
      help: 'Bytes of instances received, by door',
      labelNames: ['door'],
      registers: [registry],
    }),
    seconds: new Histogram({
      name: 'annex_site_ingest_seconds',
      help: 'Time to parse, store and index one instance, by door',
      labelNames: ['door'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
    stages: new Histogram({
      name: 'annex_site_ingest_stage_seconds',
      help: 'Time of each ingest stage for stored instances: parse, store (S3 put), index (database commit)',
      labelNames: ['stage'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
