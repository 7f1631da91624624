import { exportPrivateKeyPem, rawPublicKey } from '@annex/protocol';
import { enqueueOutboxMany } from '@annex/site/modules/sync/outbox.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud, type TestCloud } from '../app.ts';
import { studyBody } from '../fixtures.ts';
import { freePort, killHard, repoPath, spawnTs } from '../processes/spawn.ts';
import { eventually, type SyncSite, startSyncSite } from '../sync-site.ts';

// Real processes killed with SIGKILL in the middle of the stream: nothing lost, nothing applied
// twice (the inbox primary key (site, seq) would refuse a second apply, and the list of applied
// seqs must be exactly 1..N).

const N = 1500;
let cloud: TestCloud;
const sites: SyncSite[] = [];
beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(async () => {
  for (const s of sites) await s.close();
  await cloud?.close();
});

const appliedSeqs = async (c: { prisma: TestCloud['prisma'] }, siteId: string) =>
  (
    await c.prisma.inboxMessage.findMany({
      where: { siteId },
      orderBy: { seq: 'asc' },
      select: { seq: true },
    })
  ).map((m) => Number(m.seq));
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function fill(site: SyncSite, prefix: string) {
  for (let i = 0; i < N; i += 1000) {
    const bodies = Array.from({ length: Math.min(1000, N - i) }, (_, j) => studyBody(`${prefix}-${i + j}`));
    await site.prisma.$transaction((tx) =>
      enqueueOutboxMany(tx, 'study.available', bodies, { canaries: [] }),
    );
  }
}

describe('killed processes', () => {
  it('site killed mid-send: after restart the stream resumes, every message applied exactly once', {
    timeout: 150_000,
  }, async () => {
    const site = await startSyncSite(cloud, 'kill-site', { start: false });
    sites.push(site);
    await fill(site, 'ks');
    const env = {
      DATABASE_URL: site.databaseUrl,
      SITE_ID: 'kill-site',
      CLOUD_SYNC_URL: cloud.syncUrl,
      NODE_ENV: 'test',
      SITE_SIGNING_KEY: exportPrivateKeyPem(site.key.privateKey),
      CLOUD_PUBLIC_KEYS: rawPublicKey(cloud.cloudKey.publicKey).toString('base64url'),
    };
    const entry = repoPath('services/cloud/test/processes/site-agent.ts');
    // A small window slows the first run down enough to be killed in the middle of the stream.
    let child = spawnTs(entry, { ...env, SYNC_WINDOW: '40', SYNC_SEND_BATCH: '20' });
    await eventually(
      async () => (await appliedSeqs(cloud, 'kill-site')).length >= 200,
      30_000,
      'some applied',
    );
    await killHard(child);
    const atKill = (await appliedSeqs(cloud, 'kill-site')).length;
    expect(atKill).toBeLessThan(N);
    child = spawnTs(entry, env);
    try {
      await eventually(
        async () => (await appliedSeqs(cloud, 'kill-site')).length === N,
        60_000,
        'all applied',
      );
      expect(await appliedSeqs(cloud, 'kill-site')).toEqual(range(N));
      await eventually(async () => (await site.prisma.syncOutbox.count({ where: { ackedAt: null } })) === 0);
    } finally {
      await killHard(child);
    }
  });

  it('cloud killed mid-apply: after restart the site resends what was not applied, once', {
    timeout: 180_000,
  }, async () => {
    // The cloud as a real process on its own port, on the same database as the in-process one.
    const port = await freePort();
    const cloudEnv = {
      DATABASE_URL: cloud.databaseUrl,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      OIDC_ISSUER: 'http://127.0.0.1:1/realms/none',
      CLOUD_SIGNING_KEY: exportPrivateKeyPem(cloud.cloudKey.privateKey),
      LOG_LEVEL: 'silent',
      SYNC_APPLY_BATCH: '100',
    };
    const entry = repoPath('services/cloud/src/main.ts');
    let child = spawnTs(entry, cloudEnv);
    const site = await startSyncSite(cloud, 'kill-cloud', {
      start: false,
      agent: { url: `ws://127.0.0.1:${port}/sync/v1`, sendBatch: 200 },
    });
    sites.push(site);
    await fill(site, 'kc');
    site.agent.start();
    try {
      await eventually(
        async () => (await appliedSeqs(cloud, 'kill-cloud')).length >= 200,
        60_000,
        'some applied',
      );
      await killHard(child);
      const atKill = (await appliedSeqs(cloud, 'kill-cloud')).length;
      expect(atKill).toBeLessThan(N);
      child = spawnTs(entry, cloudEnv);
      await eventually(
        async () => (await appliedSeqs(cloud, 'kill-cloud')).length === N,
        90_000,
        'all applied',
      );
      expect(await appliedSeqs(cloud, 'kill-cloud')).toEqual(range(N));
      const hwm = await cloud.prisma.site.findUniqueOrThrow({ where: { id: 'kill-cloud' } });
      expect(Number(hwm.s2cAppliedSeq)).toBe(N);
    } finally {
      await site.agent.stop();
      await killHard(child);
    }
  });
});
