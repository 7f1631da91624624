import { Counter, Gauge, type Registry } from 'prom-client';

export interface DimseMetrics {
  associations: Counter<'result'>;
  open: Gauge;
}

const byRegistry = new WeakMap<Registry, DimseMetrics>();

export function dimseMetrics(registry: Registry): DimseMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const metrics: DimseMetrics = {
    associations: new Counter({
      name: 'annex_site_dimse_associations_total',
      help: 'DIMSE association requests by result (accepted, rejected-called-ae, rejected-no-context, rejected-busy, rejected-draining)',
      labelNames: ['result'],
      registers: [registry],
    }),
    open: new Gauge({
      name: 'annex_site_dimse_connections',
      help: 'Open DIMSE connections',
      registers: [registry],
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
