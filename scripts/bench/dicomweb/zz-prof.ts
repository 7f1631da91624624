import http from 'node:http';
import { makeCtSeries } from '@annex/dicom';
import { ingestContextOf } from '/work/main/services/site/src/modules/ingest/context.ts';
import { ingestInstance } from '/work/main/services/site/src/modules/ingest/service.ts';
import { startTestSite } from '/work/main/services/site/test/app.ts';

const site = await startTestSite({ LOG_LEVEL: 'silent' });
const ct = makeCtSeries({ seed: 'prof', slices: 60 });
for (const f of ct.files) await ingestInstance(ingestContextOf(site.app), f, { via: 'upload' });
const base = await site.app.listen({ host: '127.0.0.1', port: 0 });
const headers = {
  ...(await site.auth('phil')),
  accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*',
};
const urls = ct.sopInstanceUids.map(
  (sop) =>
    `${base}/dicomweb/studies/${ct.study.studyInstanceUid}/series/${ct.seriesInstanceUid}/instances/${sop}/frames/1`,
);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (url: string) =>
  new Promise<number>((resolve) => {
    const t0 = performance.now();
    http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t0));
    });
  });
for (let pass = 0; pass < 4; pass++) {
  const ts: number[] = [];
  for (const url of urls) ts.push(await get(url));
  ts.sort((a, b) => a - b);
  console.log(`pass ${pass}: p50 ${ts[30]!.toFixed(2)} p95 ${ts[57]!.toFixed(2)}`);
}
const health = [];
for (let i = 0; i < 50; i++) health.push(await get(`${base}/healthz`));
health.sort((a, b) => a - b);
console.log('healthz p50', health[25]!.toFixed(2));
const qs = [];
for (let i = 0; i < 50; i++) qs.push(await get(`${base}/dicomweb/studies`));
qs.sort((a, b) => a - b);
console.log('qido p50', qs[25]!.toFixed(2));
await site.close();
process.exit(0);
