import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from '@annex/platform/testing/postgres.ts';
import type { TestS3 } from './s3.ts';

// The real process entry (src/main.ts) as a child process, for tests of start-up and shutdown.
const SITE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface SiteProcess {
  child: ChildProcess;
  output(): string;
  /** The exit code, and when it exited (performance.now()). */
  exited: Promise<{ code: number | null; at: number }>;
}

export function runSite(env: Record<string, string>): SiteProcess {
  let out = '';
  // tsx as a loader in the one node process (its CLI wrapper would stand between us and the signal).
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SITE_DIR,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on('exit', (code) => resolve({ code, at: performance.now() })),
  );
  return { child, output: () => out, exited };
}

/** The environment of a site process on the test's database and S3 server, on loopback. */
export function siteEnv(db: TestDatabase, s3: TestS3, env: Record<string, string>): Record<string, string> {
  return {
    HTTP_HOST: '127.0.0.1',
    DIMSE_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `proc-${randomBytes(4).toString('hex')}`,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: s3.accessKey,
    S3_SECRET_KEY: s3.secretKey,
    S3_BUCKET: 'annex-process-test',
    OIDC_ISSUER: 'http://127.0.0.1:1/realms/annex-site',
    SITE_SECRET: randomBytes(32).toString('hex'),
    ...env,
  };
}

/** Polls /readyz until the process answers 200 (or exits, or 30 s pass). */
export async function waitUntilReady(proc: SiteProcess, port: number): Promise<boolean> {
  let exited = false;
  void proc.exited.then(() => (exited = true));
  for (let i = 0; i < 150 && !exited; i++) {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
