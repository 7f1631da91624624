import { readFileSync } from 'node:fs';
import http from 'node:http';
import { makeCtSeries } from '@annex/dicom';
import { startBenchServers } from './bench-servers.ts';

const SLICES = Number(process.argv[2] ?? 300);
const WARM = Number(process.argv[3] ?? 5);
const MAX_MS = 6 * 60_000;
const agent = () => new http.Agent({ keepAlive: true, maxSockets: 6 });
function get(a: http.Agent, url: string, headers: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: a, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks))
            : reject(new Error(`${url}: ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

/** Series metadata, then frame 1 of every instance it lists over 6 connections; ms from start to last byte. */
async function openSeries(base: string, auth: Record<string, string>): Promise<number> {
  const a = agent();
  const t = performance.now();
  const meta = JSON.parse(
    (await get(a, `${base}/metadata`, { accept: 'application/dicom+json', ...auth })).toString(),
  ) as Array<Record<string, { Value?: string[] }>>;
  const sops = meta.map((m) => m['00080018']?.Value?.[0] as string);
  let next = 0;
  const accept = { accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*', ...auth };
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < sops.length) await get(a, `${base}/instances/${sops[next++]}/frames/1`, accept);
    }),
  );
  const ms = performance.now() - t;
  a.destroy();
  return ms;
}

/** CPU time (user + system, ms) a process has used so far: steadier than wall time on a shared machine. */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100)
};

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

async function main() {
  const ct = makeCtSeries({ seed: 'bench-annotator-series', slices: SLICES });
  const servers = await startBenchServers(ct.files, { name: 'annotator', maxMs: MAX_MS });
  const { site, orthanc, sitePid } = servers;
  try {
    const u = site.deidUids[0]!;
    const ours = () =>
      openSeries(`${site.url}/dicomweb/studies/${u.study}/series/${u.series}`, {
        authorization: `Bearer ${site.tokens.ana}`,
      });
    const theirs = () =>
      openSeries(
        `${orthanc.url}/dicom-web/studies/${ct.study.studyInstanceUid}/series/${ct.seriesInstanceUid}`,
        {},
      );
    let cpu0 = cpuMs(sitePid);
    const coldAnnex = await ours();
    await new Promise((r) => setTimeout(r, 1000)); // the read-ahead's last reads land
    const coldCpu = cpuMs(sitePid) - cpu0;
    const coldOrthanc = await theirs();
    const warmAnnex: number[] = [];
    const warmOrthanc: number[] = [];
    const warmCpu: number[] = [];
    for (let i = 0; i < WARM; i++) {
      cpu0 = cpuMs(sitePid);
      warmAnnex.push(await ours());
      warmCpu.push(cpuMs(sitePid) - cpu0);
      warmOrthanc.push(await theirs());
    }
    console.log(`annotator series open, server only (metadata + ${SLICES} frames at concurrency 6), ms`);
    console.log(
      `  first open   annex ${coldAnnex.toFixed(0)}  orthanc ${coldOrthanc.toFixed(0)}  annex/orthanc ${(coldAnnex / coldOrthanc).toFixed(2)}`,
    );
    console.log(
      `  warm median  annex ${median(warmAnnex).toFixed(0)}  orthanc ${median(warmOrthanc).toFixed(0)}  annex/orthanc ${(median(warmAnnex) / median(warmOrthanc)).toFixed(2)}`,
    );
    console.log(
      `  site CPU     first open ${coldCpu.toFixed(0)} ms, warm median ${median(warmCpu).toFixed(0)} ms`,
    );
    console.log(JSON.stringify({ coldAnnex, coldOrthanc, warmAnnex, warmOrthanc, coldCpu, warmCpu }));
  } finally {
    await servers.stop();
  }
}

await main();
