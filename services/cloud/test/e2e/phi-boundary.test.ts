import { makeCtSeries, makeMrSeries, makeStudy, phiValuesOf, pseudonymize } from '@annex/dicom';
import { announcePendingStudies } from '@annex/site/modules/sync/study-announcer.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud, type TestCloud } from '../app.ts';
import { dumpDatabase } from '../db-dump.ts';
import { indexFiles } from '../site-index.ts';
import { eventually, type SyncSite, startSyncSite } from '../sync-site.ts';

// The boundary, end to end: synthetic studies full of PHI are indexed at the site with the site's
// ingest code, announced through the real agent, and the whole cloud database is then searched
// for every planted value.

const SECRET = 'phi-boundary-test-secret-0123456789abcdef';
let cloud: TestCloud;
let site: SyncSite;
beforeAll(async () => {
  cloud = await startTestCloud();
  site = await startSyncSite(cloud, 'phi-site');
});
afterAll(async () => {
  await site?.close();
  await cloud?.close();
});

describe('nothing identifying crosses', () => {
  it('a study stored at the site appears in the cloud under a pseudonym, and the cloud database holds no PHI', async () => {
    const studies = [makeStudy('phi-1'), makeStudy('phi-2')];
    const ct = makeCtSeries({ study: studies[0], slices: 3, rows: 32, cols: 32 });
    const mr = makeMrSeries({ study: studies[0], slices: 2, rows: 32, cols: 32, seriesNumber: 2 });
    const ct2 = makeCtSeries({ study: studies[1], slices: 2, rows: 16, cols: 16 });
    await indexFiles(site.prisma, site.databaseUrl, [...ct.files, ...mr.files, ...ct2.files]);

    const queued = await announcePendingStudies(site.prisma, SECRET, { quietMs: 0 });
    expect(queued).toBe(2);
    site.agent.wake();
    const expectedId = pseudonymize(SECRET, 'study', studies[0]!.studyInstanceUid);
    const headers = await cloud.auth('cloudadmin');
    await eventually(async () => {
      const res = await cloud.app.inject({ url: '/api/studies?siteId=phi-site', headers });
      return res.json().studies.length === 2;
    });
    const res = await cloud.app.inject({ url: `/api/sites/phi-site/studies/${expectedId}`, headers });
    expect(res.statusCode).toBe(200);
    const study = res.json();
    expect(study.series.map((s: { modality: string }) => s.modality).sort()).toEqual(['CT', 'MR']);
    const ctSeries = study.series.find((s: { modality: string }) => s.modality === 'CT');
    expect(ctSeries).toMatchObject({
      seriesId: pseudonymize(SECRET, 'series', ct.seriesInstanceUid),
      instanceCount: 3,
      rows: 32,
      columns: 32,
      sliceThicknessMm: ct.geometry.sliceThickness,
    });

    const dump = await dumpDatabase(cloud.databaseUrl);
    expect(dump).toContain(expectedId); // the dump really contains the announced data
    const canaries = phiValuesOf(...studies);
    expect(canaries.length).toBeGreaterThan(20);
    const found = canaries.filter((value) => dump.toLowerCase().includes(value.toLowerCase()));
    expect(found).toEqual([]);
  });

  it('does not announce the same study again until new instances arrive', async () => {
    expect(await announcePendingStudies(site.prisma, SECRET, { quietMs: 0 })).toBe(0);
  });
});
