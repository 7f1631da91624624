import http from 'node:http';
import { makeCtSeries } from '@annex/dicom';
import { Client } from 'minio';
import { startBenchServers } from './bench-servers.ts';

const SLICES = Number(process.argv[2] ?? 300);
const MAX_MS = 8 * 60_000;
const METADATA_RUNS = 20;
interface Load {
  rps: number;
  p50: number;
  p95: number;
  bytes: number;
  errors: number;
}

/** GETs each URL once with `concurrency` keep-alive connections; latency is request start to last body byte. */
async function load(urls: string[], headers: Record<string, string>, concurrency: number): Promise<Load> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  let bytes = 0;
  let errors = 0;
  const one = (url: string) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      http
        .get(url, { agent, headers }, (res) => {
          res.on('data', (c: Buffer) => {
            bytes += c.length;
          });
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            if (res.statusCode !== 200) errors++;
            resolve();
          });
        })
        .on('error', () => {
          errors++;
          resolve();
        });
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < urls.length) await one(urls[next++]!);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { rps: urls.length / seconds, p50: pct(0.5), p95: pct(0.95), bytes, errors };
}

const fmt = (l: Load) =>
  `${l.rps.toFixed(0).padStart(5)} req/s  p50 ${l.p50.toFixed(2).padStart(6)} ms  p95 ${l.p95.toFixed(2).padStart(6)} ms  ${(l.bytes / 1e6).toFixed(1)} MB${l.errors ? `  ERRORS ${l.errors}` : ''}`;

async function main() {
  console.log(`generating a ${SLICES}-slice 512x512 16-bit CT…`);
  const ct = makeCtSeries({ seed: 'bench-dicomweb', slices: SLICES });
  const servers = await startBenchServers(ct.files, { name: 'dicomweb', maxMs: MAX_MS, log: console.log });
  const { site, orthanc, orthancIds } = servers;
  try {
    const st = ct.study.studyInstanceUid;
    const se = ct.seriesInstanceUid;
    const ours = ct.sopInstanceUids.map(
      (sop) => `${site.url}/dicomweb/studies/${st}/series/${se}/instances/${sop}/frames/1`,
    );
    const oursDeid = site.deidUids.map(
      (u) => `${site.url}/dicomweb/studies/${u.study}/series/${u.series}/instances/${u.sop}/frames/1`,
    );
    const oRaw = orthancIds.map((id) => `${orthanc.url}/instances/${id}/frames/0/raw`);
    const oWeb = ct.sopInstanceUids.map(
      (sop) => `${orthanc.url}/dicom-web/studies/${st}/series/${se}/instances/${sop}/frames/1`,
    );
    const frameAccept = { accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' };
    const phil = { ...frameAccept, authorization: `Bearer ${site.tokens.phil}` };
    const ana = { ...frameAccept, authorization: `Bearer ${site.tokens.ana}` };

    // The storage ceiling: the same ranged reads straight from the S3 server (s3rver, a test fake, in its own
    // process) with the same client library the site uses, without the site.
    const s3Url = new URL(site.s3.endpoint);
    const s3 = new Client({
      endPoint: s3Url.hostname,
      port: Number(s3Url.port),
      useSSL: false,
      accessKey: 'S3RVER',
      secretKey: 'S3RVER',
      pathStyle: true,
      region: 'us-east-1',
    });
    const s3Load = async (c: number): Promise<Load> => {
      const latencies: number[] = [];
      let next = 0;
      let bytes = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: c }, async () => {
          while (next < site.s3.ranges.length) {
            const r = site.s3.ranges[next++]!;
            const t0 = performance.now();
            for await (const chunk of await s3.getPartialObject(site.s3.bucket, r.key, r.offset, r.length)) {
              bytes += (chunk as Buffer).length;
            }
            latencies.push(performance.now() - t0);
          }
        }),
      );
      latencies.sort((a, b) => a - b);
      const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
      const seconds = (performance.now() - started) / 1000;
      return { rps: site.s3.ranges.length / seconds, p50: pct(0.5), p95: pct(0.95), bytes, errors: 0 };
    };

    // First reads: every frame fetched for the first time (the site's frame cache is empty: a ranged S3 read
    // each). The series in quarters: the PHI viewer and the annotator (de-identified view: UID mapping, read
    // rule) each read one quarter at concurrency 1 and one at 6; Orthanc's raw route reads the same quarters
    // (it just stored them).
    const q = Math.floor(SLICES / 4);
    console.log(`\nWADO-RS frames, FIRST read of each frame (cold frame cache), ${q} frames per row`);
    for (const c of [1, 6] as const) {
      const at = c === 1 ? 0 : 2 * q;
      const annexCold = await load(ours.slice(at, at + q), phil, c);
      const rawCold = await load(oRaw.slice(at, at + q), {}, c);
      const deidCold = await load(oursDeid.slice(at + q, at + 2 * q), ana, c);
      const rawCold2 = await load(oRaw.slice(at + q, at + 2 * q), {}, c);
      console.log(`concurrency ${c}`);
      console.log(`  annex (phi-viewer, audited)   ${fmt(annexCold)}`);
      console.log(`  annex (annotator view)        ${fmt(deidCold)}`);
      console.log(`  orthanc raw frame route       ${fmt(rawCold)}  /  ${fmt(rawCold2)}`);
      console.log(
        `  ratio annex/orthanc-raw throughput: phi ${(annexCold.rps / rawCold.rps).toFixed(2)}x, annotator ${(deidCold.rps / rawCold2.rps).toFixed(2)}x`,
      );
    }

    for (const c of [1, 6])
      console.log(`  storage ceiling, s3rver ranged GET at concurrency ${c}: ${fmt(await s3Load(c))}`);

    // Warm-up of the other routes (connections, JIT, Orthanc's DICOMweb plugin), not measured.
    await load(oursDeid, ana, 6);
    await load(oWeb, frameAccept, 6);

    console.log(
      `\nWADO-RS frames, REPEAT reads: ${SLICES} frames of 512x512x16 bit, each fetched once per row`,
    );
    for (const c of [1, 6]) {
      const annexPhi = await load(ours, phil, c);
      const annexDeid = await load(oursDeid, ana, c);
      const raw = await load(oRaw, {}, c);
      const web = await load(oWeb, frameAccept, c);
      console.log(`concurrency ${c}`);
      console.log(`  annex (phi-viewer, audited)   ${fmt(annexPhi)}`);
      console.log(`  annex (annotator view)        ${fmt(annexDeid)}`);
      console.log(`  orthanc raw frame route       ${fmt(raw)}`);
      console.log(`  orthanc dicomweb frames       ${fmt(web)}`);
      console.log(
        `  ratio annex/orthanc-raw throughput: phi ${(annexPhi.rps / raw.rps).toFixed(2)}x, annotator ${(annexDeid.rps / raw.rps).toFixed(2)}x; ` +
          `vs orthanc-dicomweb: ${(annexPhi.rps / web.rps).toFixed(2)}x  (target >= 1x, p95 <= 10 ms)`,
      );
    }

    console.log(`\nWADO-RS series /metadata, ${SLICES} instances, ${METADATA_RUNS} sequential requests each`);
    const mdUrl = (base: string, prefix: string) => `${base}${prefix}/studies/${st}/series/${se}/metadata`;
    const json = { accept: 'application/dicom+json' };
    const runs = (url: string, headers: Record<string, string>) =>
      load(Array(METADATA_RUNS).fill(url), headers, 1);
    await runs(mdUrl(site.url, '/dicomweb'), { ...json, authorization: phil.authorization });
    const u0 = site.deidUids[0]!;
    const mdDeidUrl = `${site.url}/dicomweb/studies/${u0.study}/series/${u0.series}/metadata`;
    await runs(mdDeidUrl, { ...json, authorization: ana.authorization });
    await runs(mdUrl(orthanc.url, '/dicom-web'), json);
    const mdPhi = await runs(mdUrl(site.url, '/dicomweb'), { ...json, authorization: phil.authorization });
    const mdDeid = await runs(mdDeidUrl, { ...json, authorization: ana.authorization });
    const mdOrthanc = await runs(mdUrl(orthanc.url, '/dicom-web'), json);
    console.log(`  annex (phi-viewer, audited)   ${fmt(mdPhi)}`);
    console.log(`  annex (annotator view)        ${fmt(mdDeid)}`);
    console.log(`  orthanc dicomweb metadata     ${fmt(mdOrthanc)}`);
    console.log(
      `  ratio orthanc/annex p50 latency: phi ${(mdOrthanc.p50 / mdPhi.p50).toFixed(2)}x, annotator ${(mdOrthanc.p50 / mdDeid.p50).toFixed(2)}x  (target p95 <= 50 ms)`,
    );
  } finally {
    await servers.stop();
  }
}

await main();
