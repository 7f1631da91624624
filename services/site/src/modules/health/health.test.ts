import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite();
});
afterAll(async () => site?.close());

describe('health and readiness', () => {
  it('answers /healthz without a token', async () => {
    const res = await site.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('reports Postgres, Redis and S3 each as ready', async () => {
    const res = await site.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.checks.postgres.ok).toBe(true);
    expect(body.checks.redis.ok).toBe(true);
    expect(body.checks.s3.ok).toBe(true);
  });

  it('serves Prometheus metrics with request latency and queue depth', async () => {
    await site.app.inject({ method: 'GET', url: '/healthz' });
    const res = await site.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('annex_site_http_request_duration_seconds_bucket');
    expect(res.body).toMatch(/annex_site_queue_waiting_jobs\{queue="ingest"\} 0/);
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const json = await site.app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(json.json().openapi).toMatch(/^3\./);
    const html = await site.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(html.statusCode);
  });
});
