// The annotator's series open, server only: what the viewer benchmark calls "server only: metadata + all
// frames" (series /metadata, then frame 1 of every instance over 6 keep-alive connections), as the annotator
// through the de-identified view (UID mapping, read rule), against Orthanc's DICOMweb plugin in the same run.
// First open (cold: empty frame cache, UIDs never asked for), then WARM repeats. Same S3 server, site and
// Orthanc set-up as run.ts. Bounded by MAX_MS.
// usage: npx tsx scripts/bench/dicomweb/annotator-series.ts [slices=300] [warm repeats=5]
//   (SITE_CPU_PROF=<dir>: profile the site process)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { makeCtSeries } from '@annex/dicom';
import { startOrthanc } from './orthanc.ts';

const SLICES = Number(process.argv[2] ?? 300);
const WARM = Number(process.argv[3] ?? 5);
const MAX_MS = 6 * 60_000;
const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../../..');
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});
const watchdog = setTimeout(() => {
  console.error(`benchmark exceeded ${MAX_MS / 1000} s; stopping`);
  process.exit(2);
}, MAX_MS);

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
  const dir = mkdtempSync(join(tmpdir(), 'annex-bench-annotator-'));
  ct.files.forEach((f, i) => {
    writeFileSync(join(dir, `${String(i).padStart(5, '0')}.dcm`), f);
  });
  const firstLine = (child: ChildProcess) =>
    new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`a benchmark child exited with ${code}`)));
    });
  const tsx = (script: string, ...args: string[]) => {
    // SITE_CPU_PROF=<dir>: the site child writes a V8 CPU profile there when it exits.
    const prof =
      script === 'site-server.ts' && process.env.SITE_CPU_PROF
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.SITE_CPU_PROF]
        : [];
    const started = spawn(process.execPath, [...prof, '--import', 'tsx', join(here, script), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(started);
    return started;
  };
  const s3Child = tsx('s3-server.ts');
  const { endpoint } = JSON.parse(await firstLine(s3Child)) as { endpoint: string };
  const child = tsx('site-server.ts', dir, endpoint);
  const site = JSON.parse(await firstLine(child)) as {
    url: string;
    tokens: { ana: string };
    deidUids: Array<{ study: string; series: string }>;
  };
  const orthanc = await startOrthanc();
  for (const file of ct.files)
    await fetch(`${orthanc.url}/instances`, { method: 'POST', body: new Uint8Array(file) });
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
    const sitePid = child.pid!;
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
    orthanc.stop();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    s3Child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
}

await main();
