import { makeCtSeries, makeStudy } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { ingestContextOf } from '../ingest/context.ts';
import { ingestInstance } from '../ingest/service.ts';
import { createSyncMetrics } from './metrics.ts';
import { enqueueStudyAvailable } from './study-announcer.ts';

// The site's side of sync observability: the status endpoint the admin reads and the Prometheus
// gauges, against the real outbox (no cloud connected: the backlog only grows).
let site: TestSite;
beforeAll(async () => {
  site = await startTestSite();
  const ct = makeCtSeries({ study: makeStudy('sync-status'), slices: 2, rows: 32, cols: 32 });
  for (const file of ct.files) await ingestInstance(ingestContextOf(site.app), file, { via: 'upload' });
  const study = await site.deps.prisma.study.findFirstOrThrow();
  await site.deps.prisma.$transaction((tx) =>
    enqueueStudyAvailable(tx as never, site.config.SITE_SECRET, study.id),
  );
});
afterAll(async () => site?.close());

describe('sync status on the site', () => {
  it('reports the unacknowledged backlog and its age to site admins only', async () => {
    await new Promise((r) => setTimeout(r, 50));
    const res = await site.app.inject({
      method: 'GET',
      url: '/api/sync/status',
      headers: await site.auth('admin'),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.connection).toBeNull();
    expect(body.outbox.pending).toBe(1);
    expect(body.outbox.oldestPendingAgeMs).toBeGreaterThan(0);
    expect(
      (await site.app.inject({ method: 'GET', url: '/api/sync/status', headers: await site.auth('ana') }))
        .statusCode,
    ).toBe(403);
  });

  it('exposes outbox lag and connection state as Prometheus metrics', async () => {
    createSyncMetrics(site.app.metrics, site.deps.prisma);
    const metrics = (await site.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/annex_site_sync_outbox_pending 1/);
    expect(metrics).toMatch(/annex_site_sync_outbox_lag_seconds \d/);
    expect(metrics).toContain('annex_site_sync_connected');
  });
});
