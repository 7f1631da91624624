import { fileURLToPath } from 'node:url';
import { freePort } from '@annex/platform/testing/free-port.ts';
import { createTestDatabase, type TestDatabase } from '@annex/platform/testing/postgres.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from './s3.ts';
import { runSite, siteEnv, waitUntilReady } from './site-process.ts';

// The real process entry (src/main.ts) as a child process: start-up validation, readiness, and a
// graceful stop on SIGTERM. What a stop drains is in drain.test.ts.
const SITE_DIR = fileURLToPath(new URL('..', import.meta.url));

let db: TestDatabase;
let s3: TestS3;
beforeAll(async () => {
  db = await createTestDatabase(SITE_DIR, 'main');
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.close();
  await db?.drop();
});

describe('site process', () => {
  it('refuses a bad environment with one message that lists every problem', async () => {
    const proc = runSite({ HTTP_PORT: 'not-a-port', SITE_SECRET: 'short', SHUTDOWN_GRACE_MS: '-1' });
    expect((await proc.exited).code, proc.output()).toBe(78);
    const message = proc.output();
    for (const key of [
      'HTTP_PORT',
      'SITE_SECRET',
      'SHUTDOWN_GRACE_MS',
      'DATABASE_URL',
      'S3_ENDPOINT',
      'OIDC_ISSUER',
    ])
      expect(message).toContain(key);
    expect(message.match(/invalid configuration/g)).toHaveLength(1);
  });

  it('becomes ready, then stops gracefully on SIGTERM', async () => {
    const port = await freePort();
    const proc = runSite(siteEnv(db, s3, { ROLES: 'api,worker', HTTP_PORT: String(port) }));
    expect(await waitUntilReady(proc, port), proc.output()).toBe(true);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(proc.output()).toContain('shutting down');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, 60_000);
});
