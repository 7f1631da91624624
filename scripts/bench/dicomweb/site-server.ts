// Child process of the benchmark: the real site app (own Postgres DB, Redis prefix, in-process S3) on a
// loopback port, loaded through the real ingest pipeline. Prints one JSON line with its URL and tokens.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInstance } from '@annex/dicom';
import { claimAll, projectWithTasks } from '../../../services/site/src/modules/dicomweb/test-projects.ts';
import { ingestContextOf } from '../../../services/site/src/modules/ingest/context.ts';
import { ingestInstance } from '../../../services/site/src/modules/ingest/service.ts';
import { startTestSite } from '../../../services/site/test/app.ts';

const dir = process.argv[2]!;
const s3Endpoint = process.argv[3];
const site = await startTestSite({
  LOG_LEVEL: 'silent',
  ...(s3Endpoint ? { S3_ENDPOINT: s3Endpoint, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER' } : {}),
});
const ctx = ingestContextOf(site.app);
for (const name of readdirSync(dir).sort()) {
  await ingestInstance(ctx, readFileSync(join(dir, name)), { via: 'upload' });
}
// An annotator reads the studies of tasks assigned to them: give Ana the study's task.
const studies = [
  ...new Set(readdirSync(dir).map((name) => parseInstance(readFileSync(join(dir, name))).studyInstanceUid)),
];
await claimAll(site, 'ana', await projectWithTasks(site, 'bench-dicomweb', studies));
const url = await site.app.listen({ host: '127.0.0.1', port: 0 });
// The annotator view's UIDs for the same objects (what an annotator's viewer would have been shown).
const deid = (uid: string) => site.app.annotatorView.uids.deid(uid);
const uids = readdirSync(dir)
  .sort()
  .map((name) => parseInstance(readFileSync(join(dir, name))))
  .map((p) => ({
    study: deid(p.studyInstanceUid),
    series: deid(p.seriesInstanceUid),
    sop: deid(p.sopInstanceUid),
  }));
const tokens = {
  phil: await site.token('phil', { expiresInSeconds: 900 }),
  ana: await site.token('ana', { expiresInSeconds: 900 }),
};
// Where each frame lies in the in-process S3 server, so the parent can measure the storage ceiling itself.
const rows = await site.deps.prisma.instance.findMany({
  orderBy: { instanceNumber: 'asc' },
  select: { objectKey: true, pixelData: true },
});
const ranges = rows.map((r) => {
  const [offset, length] = (r.pixelData as { frames: number[][] }).frames[0]!;
  return { key: r.objectKey, offset: offset!, length: length! };
});
const s3 = { endpoint: site.config.S3_ENDPOINT, bucket: site.config.S3_BUCKET, ranges };
process.stdout.write(`${JSON.stringify({ url, tokens, deidUids: uids, s3 })}\n`);
const shutdown = async () => {
  await site.close();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
