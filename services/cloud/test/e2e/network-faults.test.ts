import { enqueueOutboxMany } from '@annex/site/modules/sync/outbox.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud, type TestCloud } from '../app.ts';
import { type ConnectProxy, startConnectProxy } from '../connect-proxy.ts';
import { studyBody } from '../fixtures.ts';
import { eventually, type SyncSite, startSyncSite } from '../sync-site.ts';

let cloud: TestCloud;
let proxy: ConnectProxy;
const sites: SyncSite[] = [];
beforeAll(async () => {
  cloud = await startTestCloud();
  proxy = await startConnectProxy();
});
afterAll(async () => {
  for (const s of sites) await s.close();
  await proxy?.close();
  await cloud?.close();
});

/** Cloud inbox seqs of a site, in apply order. */
const inboxSeqs = async (c: TestCloud, siteId: string) =>
  (
    await c.prisma.inboxMessage.findMany({
      where: { siteId },
      orderBy: [{ appliedAt: 'asc' }, { seq: 'asc' }],
    })
  ).map((m) => Number(m.seq));
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function enqueueStudies(site: SyncSite, n: number, prefix: string) {
  const bodies = range(n).map((i) => studyBody(`${prefix}-${i}`));
  await site.prisma.$transaction((tx) => enqueueOutboxMany(tx, 'study.available', bodies, { canaries: [] }));
}

describe('network faults', () => {
  it('connects out through an HTTP CONNECT proxy (HTTPS_PROXY) and survives a cut mid-frame', {
    timeout: 120_000,
  }, async () => {
    const site = await startSyncSite(cloud, 'proxy-site', { agent: { proxyUrl: proxy.url, sendBatch: 200 } });
    sites.push(site);
    await enqueueStudies(site, 10, 'px');
    site.agent.wake();
    await eventually(async () => (await inboxSeqs(cloud, 'proxy-site')).length === 10, 15_000, 'first 10');
    expect(proxy.targets.length).toBeGreaterThanOrEqual(1);
    expect(proxy.targets.every((t) => t === `127.0.0.1:${cloud.port}`)).toBe(true);

    // Next connection is cut after 64 KiB + 77 bytes of upload: inside some frame, never on a boundary.
    proxy.cutNextAfter(64 * 1024 + 77);
    cloud.app.hub.closeAll();
    await enqueueStudies(site, 1500, 'px-cut');
    site.agent.wake();
    await eventually(async () => (await inboxSeqs(cloud, 'proxy-site')).length === 1510, 90_000, 'all 1510');
    expect(proxy.cuts).toBe(1);
    expect(await inboxSeqs(cloud, 'proxy-site')).toEqual(range(1510));
    await eventually(async () => (await site.prisma.syncOutbox.count({ where: { ackedAt: null } })) === 0);
  });

  it('keeps working while the cloud is down for an hour of traffic, then drains the backlog in order', {
    timeout: 180_000,
  }, async () => {
    const site = await startSyncSite(cloud, 'outage-site');
    sites.push(site);
    await enqueueStudies(site, 5, 'pre');
    site.agent.wake();
    await eventually(async () => (await inboxSeqs(cloud, 'outage-site')).length === 5, 15_000, 'pre-outage');

    const { databaseUrl, cloudKey, port } = cloud;
    await cloud.stop();
    // One message a second for an hour, written while the cloud is unreachable; backdated so the
    // backlog really is an hour old (the lag the site reports), and signed only when sent.
    const hour = 3600;
    for (let chunk = 0; chunk < hour; chunk += 600) await enqueueStudies(site, 600, `outage-${chunk}`);
    await site.prisma.$executeRaw`
      UPDATE "SyncOutbox" SET "createdAt" = now() - make_interval(secs => ${hour} - (id - (SELECT MIN(id) FROM "SyncOutbox" WHERE "ackedAt" IS NULL)))
      WHERE "ackedAt" IS NULL`;
    await new Promise((r) => setTimeout(r, 500)); // the agent retries (with backoff) meanwhile
    expect(site.agent.stats().state).not.toBe('open');

    cloud = await startTestCloud({}, { databaseUrl, cloudKey, port });
    await eventually(
      async () => (await inboxSeqs(cloud, 'outage-site')).length === hour + 5,
      60_000,
      'backlog drained',
    );
    expect(await inboxSeqs(cloud, 'outage-site')).toEqual(range(hour + 5));
    await eventually(async () => (await site.prisma.syncOutbox.count({ where: { ackedAt: null } })) === 0);
    const stored = await cloud.prisma.cloudStudy.count({ where: { siteId: 'outage-site' } });
    expect(stored).toBe(hour + 5);
  });
});
