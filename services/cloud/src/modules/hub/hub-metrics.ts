import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../../db.ts';
import { oldestPendingCommandAges } from '../outbox/repository.ts';

export interface HubMetrics {
  applied: Counter<'type'>;
  rejections: Counter<'reason'>;
  alarms: Counter<'reason'>;
  commandsSent: Counter;
  connections: Counter<'event'>;
}

/** Prometheus series for the hub; gauges read live state when scraped. */
export function createHubMetrics(registry: Registry, db: Db, connectedSites: () => string[]): HubMetrics {
  new Gauge({
    name: 'annex_cloud_sync_site_connected',
    help: 'Sites with an authenticated connection (1 per connected site)',
    labelNames: ['site'],
    registers: [registry],
    collect() {
      this.reset();
      for (const site of connectedSites()) this.set({ site }, 1);
    },
  });
  new Gauge({
    name: 'annex_cloud_sync_outbox_lag_seconds',
    help: 'Age of the oldest unacknowledged cloud→site command, per site',
    labelNames: ['site'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [site, ms] of await oldestPendingCommandAges(db)) this.set({ site }, ms / 1000);
    },
  });
  return {
    applied: new Counter({
      name: 'annex_cloud_sync_messages_applied_total',
      help: 'Site→cloud messages applied, by type',
      labelNames: ['type'],
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'annex_cloud_sync_rejections_total',
      help: 'Incoming frames refused, by protocol reason code',
      labelNames: ['reason'],
      registers: [registry],
    }),
    alarms: new Counter({
      name: 'annex_cloud_sync_alarms_total',
      help: 'Refusals that indicate forgery, a revoked key or an authentic schema violation',
      labelNames: ['reason'],
      registers: [registry],
    }),
    commandsSent: new Counter({
      name: 'annex_cloud_sync_commands_sent_total',
      help: 'Cloud→site command frames sent (resends included)',
      registers: [registry],
    }),
    connections: new Counter({
      name: 'annex_cloud_sync_connection_events_total',
      help: 'Connection events: authenticated, replaced, closed, handshake_failed',
      labelNames: ['event'],
      registers: [registry],
    }),
  };
}
