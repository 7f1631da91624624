/**
 * Ingest-to-viewable latency: a CT series goes in by C-STORE (dcmtk storescu, one association);
 * the clock starts when storescu exits (its last C-STORE response has arrived and the association
 * is released) and stops when the series is listed by QIDO-RS (GET /studies/{s}/series) AND the
 * first instance's frame 1 is served by WADO-RS. Both are polled every 10 ms. Several series in a
 * row against the Annex site (api + dimse roles, real Postgres/Redis, s3rver in its own process)
 * and against Orthanc (Debian package + DICOMweb plugin, loopback, temp config). Prints p50/p95
 * against the target p95 <= 1 s and the ratio to Orthanc.
 *
 * Run: `npx tsx scripts/bench/ingest/viewable.ts` (env RUNS=6, SLICES=60, POLL_TIMEOUT_S=30).
 * Bounded: each storescu is killed after 120 s, each poll gives up after POLL_TIMEOUT_S.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeCtSeries } from '../../../services/dicom/src/index.ts';
import { freePort } from '../dicomweb/orthanc.ts';
import { startSiteWithS3, stopChild, waitForPort } from './bench-children.ts';

const RUNS = Number(process.env.RUNS ?? 6);
const SLICES = Number(process.env.SLICES ?? 60);
const POLL_TIMEOUT_MS = Number(process.env.POLL_TIMEOUT_S ?? 30) * 1000;
const POLL_EVERY_MS = 10;
const STORESCU_TIMEOUT_MS = 120_000;
const FRAME_ACCEPT = 'multipart/related; type="application/octet-stream"';

interface Target {
  name: string;
  dimsePort: number;
  aet: string;
  /** DICOMweb root without a trailing slash. */
  dicomweb: string;
  headers: Record<string, string>;
}

interface SeriesOnDisk {
  study: string;
  series: string;
  firstInstance: string;
  files: string[];
}

const work = mkdtempSync(path.join(tmpdir(), 'annex-bench-viewable-'));
let seriesNo = 0;

/** A fresh series (new UIDs from a new seed) written to disk for storescu. */
function writeSeries(): SeriesOnDisk {
  seriesNo++;
  const generated = makeCtSeries({
    seed: `bench-viewable-${seriesNo}`,
    slices: SLICES,
    rows: 512,
    cols: 512,
  });
  const dir = path.join(work, `series-${seriesNo}`);
  mkdirSync(dir);
  const files = generated.files.map((file, i) => {
    const p = path.join(dir, `${String(i).padStart(4, '0')}.dcm`);
    writeFileSync(p, file);
    return p;
  });
  return {
    study: generated.study.studyInstanceUid,
    series: generated.seriesInstanceUid,
    firstInstance: generated.sopInstanceUids[0]!,
    files,
  };
}

function storescu(target: Target, files: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('storescu', ['-aec', target.aet, '127.0.0.1', String(target.dimsePort), ...files], {
      // dcmtk reads TCP_NODELAY from the environment; without it Nagle adds ~40 ms per instance.
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), STORESCU_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      code === 0
        ? resolve()
        : reject(new Error(`storescu to ${target.name} failed (${code}): ${err.slice(0, 300)}`));
    });
  });
}

async function listed(target: Target, s: SeriesOnDisk): Promise<boolean> {
  const res = await fetch(`${target.dicomweb}/studies/${s.study}/series`, {
    headers: { ...target.headers, accept: 'application/dicom+json' },
  });
  if (!res.ok) {
    await res.arrayBuffer();
    return false;
  }
  const text = await res.text();
  return text.includes(s.series);
}

async function frameServed(target: Target, s: SeriesOnDisk): Promise<boolean> {
  const res = await fetch(
    `${target.dicomweb}/studies/${s.study}/series/${s.series}/instances/${s.firstInstance}/frames/1`,
    { headers: { ...target.headers, accept: FRAME_ACCEPT } },
  );
  const body = await res.arrayBuffer();
  // A 512×512 16-bit frame is 512 KiB; anything shorter is an error body, not the frame.
  return res.ok && body.byteLength >= 512 * 512 * 2;
}

/** Milliseconds from storescu's exit until the series is listed and its first frame served, and the polls it took. */
async function measure(target: Target): Promise<{ ms: number; polls: number }> {
  const s = writeSeries();
  try {
    await storescu(target, s.files);
    const started = performance.now();
    const deadline = started + POLL_TIMEOUT_MS;
    let isListed = false;
    let isServed = false;
    let polls = 0;
    while (performance.now() < deadline) {
      polls++;
      if (!isListed) isListed = await listed(target, s);
      if (isListed && !isServed) isServed = await frameServed(target, s);
      if (isListed && isServed) return { ms: performance.now() - started, polls };
      await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
    }
    throw new Error(`${target.name}: series not viewable within ${POLL_TIMEOUT_MS} ms (listed: ${isListed})`);
  } finally {
    rmSync(path.dirname(s.files[0]!), { recursive: true, force: true });
  }
}

/** Orthanc with its DICOM port open (orthanc.ts's startOrthanc turns it off) and DICOMweb on. */
async function startOrthancWithDimse(): Promise<{ target: Target; child: ChildProcess }> {
  const dir = path.join(work, 'orthanc');
  mkdirSync(dir);
  const httpPort = await freePort();
  const dimsePort = await freePort();
  const config = path.join(dir, 'orthanc.json');
  writeFileSync(
    config,
    JSON.stringify({
      Name: 'annex-viewable-bench',
      StorageDirectory: path.join(dir, 'storage'),
      IndexDirectory: path.join(dir, 'index'),
      HttpPort: httpPort,
      DicomPort: dimsePort,
      DicomAet: 'ORTHANC',
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      StorageCompression: false,
      TcpNoDelay: true,
      Plugins: ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so'],
      DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false },
    }),
  );
  const child = spawn('/usr/sbin/Orthanc', [config], { stdio: 'ignore' });
  await Promise.all([waitForPort(httpPort), waitForPort(dimsePort)]);
  return {
    child,
    target: {
      name: 'Orthanc',
      dimsePort,
      aet: 'ORTHANC',
      dicomweb: `http://127.0.0.1:${httpPort}/dicom-web`,
      headers: {},
    },
  };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const site = await startSiteWithS3();
let orthanc: ChildProcess | undefined;
// Killed from outside (timeout, ^C): take the servers down too.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void Promise.all([site.stop(), orthanc ? stopChild(orthanc) : undefined]).then(() => process.exit(1));
  });
}
const results: Record<string, number[]> = {};
try {
  const started = await startOrthancWithDimse();
  orthanc = started.child;
  const targets: Target[] = [
    {
      name: 'Annex',
      dimsePort: site.dimsePort,
      aet: 'ANNEX',
      dicomweb: `${site.baseUrl}/dicomweb`,
      headers: { authorization: `Bearer ${site.token}` },
    },
    started.target,
  ];
  console.log(
    `${RUNS} series of ${SLICES} slices 512×512×16 bit per target (+1 warm-up), polling every ${POLL_EVERY_MS} ms`,
  );
  for (const target of targets) {
    await measure(target); // warm-up: JIT, pools, first upserts
    results[target.name] = [];
    for (let run = 0; run < RUNS; run++) {
      const { ms, polls } = await measure(target);
      results[target.name]!.push(ms);
      // polls = 1: viewable on the first look, the number is the cost of one QIDO + one frame request.
      console.log(`${target.name.padEnd(7)} series ${run + 1}: ${ms.toFixed(0)} ms (${polls} poll rounds)`);
    }
  }
} finally {
  await Promise.all([site.stop(), orthanc ? stopChild(orthanc) : undefined]);
  rmSync(work, { recursive: true, force: true });
}

const annex = results.Annex!;
const peer = results.Orthanc!;
const row = (name: string, v: number[]) =>
  `${name.padEnd(8)} | p50 ${percentile(v, 50).toFixed(0).padStart(5)} ms | p95 ${percentile(v, 95).toFixed(0).padStart(5)} ms | max ${Math.max(
    ...v,
  )
    .toFixed(0)
    .padStart(5)} ms`;
console.log('\ningest-to-viewable (storescu exit → QIDO lists the series and frame 1 is served)');
console.log(row('Annex', annex));
console.log(row('Orthanc', peer));
const p95 = percentile(annex, 95);
console.log(
  `p95 ratio Annex/Orthanc ${(p95 / percentile(peer, 95)).toFixed(2)} (lower is better); p50 ratio ${(percentile(annex, 50) / percentile(peer, 50)).toFixed(2)}`,
);
console.log(`target p95 ≤ 1000 ms: ${p95 <= 1000 ? 'met' : 'NOT met'} (${p95.toFixed(0)} ms)`);
process.exit(0);
