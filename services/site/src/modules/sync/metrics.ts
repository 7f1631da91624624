import { Counter, Gauge, type Registry } from 'prom-client';
import type { PrismaClient } from '../../db.ts';
import { outboxBacklog } from './repository.ts';

export interface SyncMetrics {
  connected: Gauge;
  sent: Counter;
  acked: Counter;
  commands: Counter<'type' | 'status'>;
  rejections: Counter<'reason'>;
  reconnects: Counter;
}

/** Prometheus series of the sync agent; the backlog gauges read the outbox when scraped. */
export function createSyncMetrics(registry: Registry, prisma: PrismaClient): SyncMetrics {
  // Each gauge reads the backlog when it is collected (gauges are collected in registration order,
  // so one setting the other would be one scrape behind).
  new Gauge({
    name: 'annex_site_sync_outbox_pending',
    help: 'Outbox messages not yet acknowledged by the cloud',
    registers: [registry],
    async collect() {
      this.set((await outboxBacklog(prisma)).pending);
    },
  });
  new Gauge({
    name: 'annex_site_sync_outbox_lag_seconds',
    help: 'Age of the oldest unacknowledged outbox message (0 when empty)',
    registers: [registry],
    async collect() {
      this.set(((await outboxBacklog(prisma)).oldestPendingAgeMs ?? 0) / 1000);
    },
  });
  return {
    connected: new Gauge({
      name: 'annex_site_sync_connected',
      help: '1 while an authenticated connection to the cloud is open',
      registers: [registry],
    }),
    sent: new Counter({
      name: 'annex_site_sync_messages_sent_total',
      help: 'Outbox frames sent (resends included)',
      registers: [registry],
    }),
    acked: new Counter({
      name: 'annex_site_sync_messages_acked_total',
      help: 'Outbox messages acknowledged by the cloud',
      registers: [registry],
    }),
    commands: new Counter({
      name: 'annex_site_sync_commands_applied_total',
      help: 'Cloud commands applied, by type and outcome',
      labelNames: ['type', 'status'],
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'annex_site_sync_rejections_total',
      help: 'Frames from the cloud refused, by protocol reason code',
      labelNames: ['reason'],
      registers: [registry],
    }),
    reconnects: new Counter({
      name: 'annex_site_sync_reconnects_total',
      help: 'Connection attempts after the first',
      registers: [registry],
    }),
  };
}
