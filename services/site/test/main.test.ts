import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort } from '@annex/platform/testing/free-port.ts';
import { createTestDatabase, type TestDatabase } from '@annex/platform/testing/postgres.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from './s3.ts';

// The real process entry (src/main.ts) as a child process: start-up validation, readiness, and a
// graceful stop on SIGTERM.
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

function run(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  let out = '';
  // tsx as a loader in the one node process (its CLI wrapper would stand between us and the signal).
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SITE_DIR,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('site process', () => {
  it('refuses a bad environment with one message that lists every problem', async () => {
    const proc = run({ HTTP_PORT: 'not-a-port', SITE_SECRET: 'short' });
    expect(await proc.exited).toBe(78);
    const message = proc.output();
    for (const key of ['HTTP_PORT', 'SITE_SECRET', 'DATABASE_URL', 'S3_ENDPOINT', 'OIDC_ISSUER'])
      expect(message).toContain(key);
    expect(message.match(/invalid configuration/g)).toHaveLength(1);
  });

  it('becomes ready, then stops gracefully on SIGTERM', async () => {
    const port = await freePort();
    const proc = run({
      ROLES: 'api,worker',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `main-${randomBytes(4).toString('hex')}`,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: 'annex-main-test',
      OIDC_ISSUER: 'http://127.0.0.1:1/realms/annex-site',
      SITE_SECRET: randomBytes(32).toString('hex'),
    });
    let ready = false;
    for (let i = 0; i < 150 && !ready; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ready = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.ok)
        .catch(() => false);
    }
    expect(ready, proc.output()).toBe(true);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('shutting down');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, 60_000);
});
