// Database work of the annotator's frame path: statements sent to Postgres (counted at the pg driver, which
// Prisma's adapter uses) and wall time for one annotator opening a series (metadata, then every frame once,
// cold, then again warm), in-process through app.inject, so the count does not depend on the machine's load.
// usage: npx tsx scripts/bench/dicomweb/annotator-queries.ts [slices=100]
import { makeCtSeries } from '@annex/dicom';
import pg from 'pg';
import { claimAll, projectWithTasks } from '../../../services/site/src/modules/dicomweb/test-projects.ts';
import { ingestContextOf } from '../../../services/site/src/modules/ingest/context.ts';
import { ingestInstance } from '../../../services/site/src/modules/ingest/service.ts';
import { startTestSite } from '../../../services/site/test/app.ts';

const SLICES = Number(process.argv[2] ?? 100);
let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;
const site = await startTestSite({ LOG_LEVEL: 'silent' });
try {
  const ct = makeCtSeries({ seed: 'bench-annotator-queries', slices: SLICES });
  const ctx = ingestContextOf(site.app);
  for (const f of ct.files) await ingestInstance(ctx, f, { via: 'upload' });
  await claimAll(site, 'ana', await projectWithTasks(site, 'bench-aq', [ct.study.studyInstanceUid]));
  const auth = await site.auth('ana');
  const deid = (u: string) => site.app.annotatorView.uids.deid(u);
  const st = deid(ct.study.studyInstanceUid);
  const se = deid(ct.seriesInstanceUid);
  const commits = async () => statements;
  const settle = () => new Promise((r) => setTimeout(r, 500)); // read-ahead done
  const get = async (url: string, accept: string) => {
    const res = await site.app.inject({ method: 'GET', url, headers: { ...auth, accept } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  };
  const frames = async () => {
    const t = performance.now();
    for (const sop of ct.sopInstanceUids)
      await get(
        `/dicomweb/studies/${st}/series/${se}/instances/${deid(sop)}/frames/1`,
        'multipart/related; type="application/octet-stream"; transfer-syntax=*',
      );
    return performance.now() - t;
  };
  // The first request of the site ever maps the index (backfill): not part of what is measured.
  await get(`/dicomweb/studies/${st}/series`, 'application/dicom+json');
  await settle();
  let before = await commits();
  const tm = performance.now();
  await get(`/dicomweb/studies/${st}/series/${se}/metadata`, 'application/dicom+json');
  const metaMs = performance.now() - tm;
  const coldMs = await frames();
  await settle();
  let after = await commits();
  console.log(
    `cold: metadata + ${SLICES} frames: ${after - before} statements, metadata ${metaMs.toFixed(1)} ms, frames ${coldMs.toFixed(0)} ms`,
  );
  before = await commits();
  const warmMs = await frames();
  await settle();
  after = await commits();
  console.log(`warm: ${SLICES} frames: ${after - before} statements, ${warmMs.toFixed(0)} ms`);
} finally {
  await site.close();
}
