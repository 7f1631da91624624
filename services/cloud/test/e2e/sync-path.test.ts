import { enqueueOutbox } from '@annex/site/modules/sync/outbox.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud, type TestCloud } from '../app.ts';
import { studyBody } from '../fixtures.ts';
import { eventually, type SyncSite, startSyncSite } from '../sync-site.ts';

let cloud: TestCloud;
let site: SyncSite;
beforeAll(async () => {
  cloud = await startTestCloud();
  // A poll too slow to matter: only LISTEN/NOTIFY on commit can wake the agent in time.
  site = await startSyncSite(cloud, 'e2e-site', { agent: { pollMs: 60_000 } });
});
afterAll(async () => {
  await site?.close();
  await cloud?.close();
});

const admin = () => cloud.auth('cloudadmin');

describe('site outbox → cloud, cloud command → site', () => {
  it('delivers a study.available written in a site transaction to the cloud API', async () => {
    const body = studyBody('e2e-1', 3);
    await site.prisma.$transaction((tx) => enqueueOutbox(tx, 'study.available', body, { canaries: [] }));
    await eventually(async () => {
      const res = await cloud.app.inject({ url: '/api/studies?siteId=e2e-site', headers: await admin() });
      return res.json().studies.some((s: { studyId: string }) => s.studyId === body.studyId);
    }, 5000);
    await eventually(async () => (await site.prisma.syncOutbox.count({ where: { ackedAt: null } })) === 0);
    const state = await site.prisma.syncState.findUniqueOrThrow({ where: { id: 1 } });
    expect(Number(state.s2cAckedSeq)).toBe(1);
  });

  it('applies a cloud ping exactly once and reports the result back', async () => {
    const res = await cloud.app.inject({
      method: 'POST',
      url: '/api/sites/e2e-site/ping',
      headers: await admin(),
    });
    expect(res.statusCode).toBe(202);
    const seq = res.json().seq as number;
    await eventually(async () => {
      const cmds = await cloud.app.inject({ url: '/api/sites/e2e-site/commands', headers: await admin() });
      const cmd = cmds.json().commands.find((c: { seq: number }) => c.seq === seq);
      return cmd?.ackedAt != null && cmd?.result?.status === 'applied';
    });
    const inbox = await site.prisma.syncInbox.findMany();
    expect(inbox.map((r) => [Number(r.seq), r.type, r.status])).toEqual([[seq, 'ping', 'applied']]);
  });

  it('rolls back the caller’s transaction when a message carries a planted patient name', async () => {
    const body = studyBody('e2e-phi');
    const before = await site.prisma.syncOutbox.count();
    await expect(
      site.prisma.$transaction(async (tx) => {
        await enqueueOutbox(tx, 'study.available', body, { canaries: [body.series[0]!.seriesId] });
      }),
    ).rejects.toMatchObject({ code: 'PHI_CANARY' });
    const planted = { ...body, series: [{ ...body.series[0]!, modality: 'SMITHSON^ANNA' }] };
    await expect(
      site.prisma.$transaction((tx) =>
        enqueueOutbox(tx, 'study.available', planted as never, { canaries: [] }),
      ),
    ).rejects.toMatchObject({ code: 'SCHEMA_INVALID' });
    expect(await site.prisma.syncOutbox.count()).toBe(before);
  });
});
