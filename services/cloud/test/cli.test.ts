import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@annex/platform/testing/postgres.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../src/db.ts';

// The operator CLI (`npm run annex -- …`) as a real process against a real cloud database.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLOUD_DIR = path.join(ROOT, 'services/cloud');

let db: TestDatabase;
let prisma: PrismaClient;
let dir: string;
const annex = (...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/annex.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url },
    encoding: 'utf8',
  });

beforeAll(async () => {
  db = await createTestDatabase(CLOUD_DIR, 'cli');
  prisma = createPrisma(db.url);
  dir = mkdtempSync(path.join(tmpdir(), 'annex-cli-'));
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('annex CLI', () => {
  it('generates a key pair with a private file only its owner can read, and shows its kid', () => {
    const out = annex('keys', 'generate', '--out', dir, '--name', 'site');
    const kid = /kid\s+(\S+)/.exec(out)![1]!;
    expect(statSync(path.join(dir, 'site.key')).mode & 0o777).toBe(0o600);
    expect(annex('keys', 'show', path.join(dir, 'site.pub'))).toContain(kid);
    // Never overwrites a key that exists.
    expect(() => annex('keys', 'generate', '--out', dir, '--name', 'site')).toThrow();
  });

  it('registers a site with its public key, and revokes the key', async () => {
    annex('cloud', 'create-org', '--slug', 'cli-org', '--name', 'CLI Org');
    const out = annex(
      'cloud',
      'register-site',
      '--site',
      'cli-site',
      '--org',
      'cli-org',
      '--name',
      'CLI site',
      '--public-key',
      path.join(dir, 'site.pub'),
    );
    const kid = /key (\S+)/.exec(out)![1]!;
    const key = await prisma.siteKey.findUniqueOrThrow({ where: { kid } });
    expect(key.siteId).toBe('cli-site');
    expect(key.revokedAt).toBeNull();
    annex('cloud', 'revoke-key', '--site', 'cli-site', '--kid', kid);
    expect((await prisma.siteKey.findUniqueOrThrow({ where: { kid } })).revokedAt).not.toBeNull();
  });
});
