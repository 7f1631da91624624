/**
 * Export benchmark (issue 13):
 *  1. One task on a 512×512×300 CT with 5 mask labels: the series volume check, DICOM SEG and the NIfTI label
 *     map (and, for scale, the NIfTI image volume). Peer: dcm2niix converting the same 300 files to .nii.gz,
 *     timed in the same run. Targets: SEG ≤ 1 s, NIfTI ≤ 1 s.
 *  2. A 100-task project bundle (SEG + NIfTI labels + the de-identified DICOM) built by the export job on a
 *     site worker process (ROLES=worker) against Postgres, Redis and S3 (s3rver in its own process): MB/s
 *     written (the job's start to finish) and the worker's peak RSS while it builds. Peer: GNU tar
 *     piping the same extracted files through sha256sum. Targets: ≥ 100 MB/s, peak RSS ≤ 300 MB.
 *
 * Run: `npx tsx scripts/bench/export/run.ts` (env SLICES=300, TASKS=100, BUNDLE_SLICES=24, BUNDLE_SIZE=512;
 * PART=single|bundle for one part). Needs Postgres and Redis as the tests do, and dcm2niix.
 * Bounded: the whole run stops after 10 minutes.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import {
  decodeFrameSync,
  imageVolumeNifti,
  labelVolumeNifti,
  makeCtSeries,
  makeStudy,
  parseInstance,
  seriesVolume,
  toDicomJson,
  type VolumeGeometry,
  type VolumeSourceInstance,
  writeSeg,
} from '../../../services/dicom/src/index.ts';
import { freePort } from '../../../services/platform/src/testing/free-port.ts';

const SLICES = Number(process.env.SLICES ?? 300);
const TASKS = Number(process.env.TASKS ?? 100);
const BUNDLE_SLICES = Number(process.env.BUNDLE_SLICES ?? 24);
const BUNDLE_SIZE = Number(process.env.BUNDLE_SIZE ?? 512);
const PART = process.env.PART ?? 'all';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'annex-bench-export-'));
const deadline = setTimeout(() => {
  console.error('export benchmark ran past its 10-minute bound');
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
}, 10 * 60_000);

const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const out = f();
  return [out, (performance.now() - t0) / 1000];
};
const s = (v: number) => `${v.toFixed(3)} s`;
const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES TARGET');

/** Five ellipsoid labels spread through the volume, as 0/1 frames by slice. */
function fiveLabels(g: VolumeGeometry): Map<number, Uint8Array>[] {
  const n = g.frames.length;
  return [0, 1, 2, 3, 4].map((l) => {
    const slices = new Map<number, Uint8Array>();
    const [cx, cy, cz] = [g.columns * (0.3 + 0.1 * l), g.rows * (0.35 + 0.07 * l), n * (0.15 + 0.17 * l)];
    const [rx, ry, rz] = [g.columns * 0.08, g.rows * 0.1, n * 0.12];
    for (let k = Math.max(0, Math.floor(cz - rz)); k <= Math.min(n - 1, Math.ceil(cz + rz)); k++) {
      const frame = new Uint8Array(g.rows * g.columns);
      let any = false;
      const dz = ((k - cz) / rz) ** 2;
      for (let j = 0; j < g.rows; j++)
        for (let i = 0; i < g.columns; i++)
          if (((i - cx) / rx) ** 2 + ((j - cy) / ry) ** 2 + dz <= 1) {
            frame[j * g.columns + i] = 1;
            any = true;
          }
      if (any) slices.set(k, frame);
    }
    return slices;
  });
}

function singleTask() {
  console.log(`\n== one task: ${SLICES}×512×512 CT, 5 mask labels ==`);
  const series = makeCtSeries({ seed: 'bench-export', slices: SLICES, rows: 512, cols: 512 });
  const dir = path.join(work, 'single');
  mkdirSync(dir);
  for (const [i, f] of series.files.entries()) writeFileSync(path.join(dir, `${i}.dcm`), f);
  const instances: VolumeSourceInstance[] = series.files.map((file, i) => ({
    sopInstanceUid: series.sopInstanceUids[i]!,
    sopClassUid: series.sopClassUid,
    numberOfFrames: 1,
    metadata: toDicomJson(file) as VolumeSourceInstance['metadata'],
  }));
  const [g, tGeometry] = time(() => seriesVolume(instances));
  const labels = fiveLabels(g);
  const frames = labels.reduce((n, l) => n + l.size, 0);
  const code = { scheme: 'SCT', value: '52988006', meaning: 'Lesion' };
  const category = { scheme: 'SCT', value: '49755003', meaning: 'Morphologically Altered Structure' };
  const [seg, tSeg] = time(() =>
    writeSeg({
      geometry: g,
      segments: labels.map((slices, i) => ({
        number: i + 1,
        label: `Label ${i + 1}`,
        code,
        category,
        algorithmType: 'MANUAL' as const,
        color: '#e6194b',
        slices,
      })),
      patient: { PatientID: 'P-BENCH' },
      seriesInstanceUid: '2.25.1001',
      sopInstanceUid: '2.25.1002',
      seriesNumber: 9001,
      instanceNumber: 1,
      contentLabel: 'ANNEX_LABELS',
      manufacturer: 'Annex',
      softwareVersions: 'bench',
      contentDateTime: new Date(),
    }),
  );
  const plane = g.rows * g.columns;
  const [nifti, tNifti] = time(() => {
    const volume = new Uint8Array(plane * g.frames.length);
    for (const [l, slices] of labels.entries())
      for (const [k, frame] of slices)
        for (let i = 0; i < plane; i++) if (frame[i]) volume[k * plane + i] = l + 1;
    return labelVolumeNifti(g, volume);
  });
  const [image, tImage] = time(() => {
    const voxels = new Int16Array(plane * g.frames.length);
    for (const [k, f] of g.frames.entries()) {
      const file = series.files[series.sopInstanceUids.indexOf(f.sopInstanceUid)]!;
      voxels.set(decodeFrameSync(parseInstance(file), 0).pixels as ArrayLike<number>, k * plane);
    }
    return imageVolumeNifti(g, voxels, series.rescale);
  });
  const out = path.join(work, 'peer');
  mkdirSync(out);
  const [peer, tPeer] = time(() =>
    spawnSync('dcm2niix', ['-z', 'y', '-f', 'peer', '-o', out, dir], { encoding: 'utf8' }),
  );
  if (peer.status !== 0) throw new Error(`dcm2niix failed (apt-get install dcm2niix): ${peer.stderr}`);
  const peerSize = statSync(path.join(out, 'peer.nii.gz')).size;
  console.log(`series volume check (300 instances' metadata)  ${s(tGeometry)}`);
  console.log(
    `DICOM SEG, ${frames} frames, ${(seg.length / 1e6).toFixed(1)} MB            ${s(tSeg)}  ${verdict(tSeg <= 1)} (≤ 1 s)`,
  );
  console.log(
    `NIfTI label map, ${(nifti.length / 1e6).toFixed(2)} MB gz              ${s(tNifti)}  ${verdict(tNifti <= 1)} (≤ 1 s)`,
  );
  console.log(`NIfTI image volume, ${(image.length / 1e6).toFixed(1)} MB gz           ${s(tImage)}`);
  console.log(`peer: dcm2niix -z y, same series, ${(peerSize / 1e6).toFixed(1)} MB gz  ${s(tPeer)}`);
  console.log(
    `ratio dcm2niix / Annex: SEG ${(tPeer / tSeg).toFixed(2)}×, NIfTI labels ${(tPeer / tNifti).toFixed(2)}×, NIfTI image ${(tPeer / tImage).toFixed(2)}×`,
  );
}

/** An S3 server (s3rver) in its own process, so its hashing and file writes are not the worker's. */
async function startS3Process(): Promise<{ endpoint: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, '../ingest/s3-process.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { endpoint: string }).endpoint);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited ${code}`)));
  });
  return { endpoint, stop: () => child.kill('SIGTERM') };
}

/** Resident set size of a process now and its peak so far (Linux /proc), in bytes. */
function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function bundle() {
  console.log(
    `\n== a ${TASKS}-task project bundle (SEG + NIfTI labels + de-identified DICOM), ${BUNDLE_SLICES}×${BUNDLE_SIZE}×${BUNDLE_SIZE} CT each ==`,
  );
  const { startTestSite } = await import('../../../services/site/test/app.ts');
  const { runSite } = await import('../../../services/site/test/site-process.ts');
  const { finalizeByConsensus } = await import('../../../services/site/test/final-label-set.ts');
  const { squareRuns } = await import('../../../services/site/test/mask-runs.ts');
  const { ingestContextOf } = await import('../../../services/site/src/modules/ingest/context.ts');
  const { ingestInstance } = await import('../../../services/site/src/modules/ingest/service.ts');
  const { taskContextOf } = await import('../../../services/site/src/modules/tasks/context.ts');
  const s3 = await startS3Process();
  const s3Env = { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER' };
  const site = await startTestSite(s3Env);
  let worker: ReturnType<typeof runSite> | undefined;
  try {
    const api = async (method: 'GET' | 'POST', url: string, payload?: object) =>
      site.app.inject({ method, url, headers: await site.auth('admin'), ...(payload ? { payload } : {}) });
    const created = await api('POST', '/api/projects', {
      slug: 'bench-export',
      name: 'Export benchmark',
      consensusSize: 1,
      goldRate: 0,
      goldWarmup: 0,
      instructions: {
        labels: [
          {
            id: 'lesion',
            name: 'Lesion',
            color: '#e6194b',
            tool: 'mask',
            code: { scheme: 'SCT', value: '52988006', meaning: 'Lesion' },
          },
        ],
        classifications: [],
      },
    });
    if (created.statusCode !== 201) throw new Error(created.body);
    const projectId = created.json().id as string;
    const ingest = ingestContextOf(site.app);
    const deid = taskContextOf(site.app).ids.deidUid;
    const t0 = performance.now();
    const sopsOfSeries = new Map<string, string[]>();
    for (let t = 0; t < TASKS; t++) {
      const ct = makeCtSeries({
        study: makeStudy(`bench-export-${t}`),
        slices: BUNDLE_SLICES,
        rows: BUNDLE_SIZE,
        cols: BUNDLE_SIZE,
      });
      for (const file of ct.files) await ingestInstance(ingest, file, { via: 'upload' });
      sopsOfSeries.set(deid(ct.seriesInstanceUid), ct.sopInstanceUids.map(deid));
      const added = await api('POST', `/api/projects/${projectId}/tasks`, {
        studyInstanceUids: [ct.study.studyInstanceUid],
      });
      if (added.statusCode >= 300) throw new Error(added.body);
    }
    const frame = { rows: BUNDLE_SIZE, columns: BUNDLE_SIZE };
    for (let t = 0; t < TASKS; t++)
      await finalizeByConsensus(site, projectId, [
        {
          user: 'ana',
          doc: (task) => ({
            shapes: [],
            masks: [
              {
                labelId: 'lesion',
                rows: BUNDLE_SIZE,
                columns: BUNDLE_SIZE,
                slices: sopsOfSeries
                  .get(task.seriesUids[0]!)!
                  .slice(BUNDLE_SLICES / 4, (3 * BUNDLE_SLICES) / 4)
                  .map((sop) => ({
                    image: { seriesUid: task.seriesUids[0]!, sopInstanceUid: sop, frame: 1 },
                    runs: squareRuns(
                      frame,
                      BUNDLE_SIZE >> 2,
                      BUNDLE_SIZE >> 2,
                      Math.floor(BUNDLE_SIZE / 3),
                      BUNDLE_SIZE >> 2,
                    ),
                  })),
                attributes: {},
              },
            ],
            classifications: {},
          }),
        },
      ]);
    console.log(
      `set-up: ${TASKS} studies ingested and finalized in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );

    // Only the export is measured: the quality jobs the submissions queued (already computed above) are dropped.
    const queued = await site.deps.redis.keys(`${site.config.QUEUE_PREFIX}:*`);
    if (queued.length) await site.deps.redis.del(...queued);
    // The export job runs where it runs in a deployment: a site worker process (ROLES=worker) of its own.
    const c = site.config;
    worker = runSite({
      ROLES: 'worker',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(await freePort()),
      DATABASE_URL: c.DATABASE_URL,
      REDIS_URL: c.REDIS_URL,
      QUEUE_PREFIX: c.QUEUE_PREFIX,
      ...s3Env,
      S3_BUCKET: c.S3_BUCKET,
      OIDC_ISSUER: c.OIDC_ISSUER,
      SITE_SECRET: c.SITE_SECRET,
      PUBLIC_URL: c.PUBLIC_URL,
      ...(process.env.WORKER_PROFILE
        ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.WORKER_PROFILE}` }
        : {}),
    });
    await new Promise((r) => setTimeout(r, 3000));
    if (worker.child.exitCode !== null)
      throw new Error(`the worker did not start:\n${worker.output().slice(-3000)}`);
    const idle = rssOf(worker.child.pid!);
    const requested = await api('POST', '/api/exports', { projectId, formats: ['seg', 'nifti', 'dicom'] });
    if (requested.statusCode >= 300) throw new Error(requested.body);
    const exportId = requested.json().id as string;
    let view = requested.json();
    let peakRss = idle.rss;
    // RSS every 25 ms from /proc (cheap); the export's state every 500 ms (this process shares the CPUs).
    for (let tick = 0; !['succeeded', 'failed', 'cancelled'].includes(view.status); tick++) {
      if (worker.child.exitCode !== null)
        throw new Error(`the worker exited: ${worker.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 25));
      peakRss = Math.max(peakRss, rssOf(worker.child.pid!).rss);
      if (tick % 20 === 0) view = (await api('GET', `/api/exports/${exportId}`)).json();
    }
    const hwm = rssOf(worker.child.pid!).peak;
    if (view.status !== 'succeeded')
      throw new Error(`the export ${view.status}: ${JSON.stringify(view.error)}`);
    const row = await site.deps.prisma.export.findUniqueOrThrow({ where: { id: exportId } });
    const seconds = (row.finishedAt!.getTime() - row.startedAt!.getTime()) / 1000;
    const mbps = view.size / 1e6 / seconds;

    // The peer: the same bytes, extracted, through GNU tar and sha256sum (a tar stream with a checksum).
    const download = await site.app.inject({
      method: 'GET',
      url: `/api/exports/${exportId}/download`,
      headers: await site.auth('admin'),
      payloadAsStream: true,
    });
    if (download.statusCode !== 200) throw new Error(`download answered ${download.statusCode}`);
    const tarFile = path.join(work, 'bundle.tar');
    await pipeline(download.stream(), createWriteStream(tarFile));
    const extracted = path.join(work, 'extracted');
    mkdirSync(extracted);
    spawnSync('tar', ['-xf', tarFile, '-C', extracted]);
    const p0 = performance.now();
    const peer = spawnSync('sh', ['-c', `tar -cf - -C ${extracted} . | sha256sum`], { encoding: 'utf8' });
    const peerSeconds = (performance.now() - p0) / 1000;
    if (peer.status !== 0) throw new Error(peer.stderr);
    const peerMbps = view.size / 1e6 / peerSeconds;
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    console.log(
      `bundle: ${view.fileCount} files, ${(view.size / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s: ${mbps.toFixed(0)} MB/s  ${verdict(mbps >= 100)} (≥ 100 MB/s)`,
    );
    console.log(
      `worker process RSS: idle ${mib(idle.rss)}, peak while building ${mib(Math.max(peakRss, hwm))}  ${verdict(Math.max(peakRss, hwm) <= 300e6)} (≤ 300 MB)`,
    );
    console.log(
      `peer: tar -c | sha256sum of the same files: ${peerMbps.toFixed(0)} MB/s; ratio Annex / peer ${(mbps / peerMbps).toFixed(2)}×`,
    );
  } finally {
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    await site.close();
    s3.stop();
  }
}

try {
  if (PART === 'all' || PART === 'single') singleTask();
  if (PART === 'all' || PART === 'bundle') await bundle();
} finally {
  clearTimeout(deadline);
  rmSync(work, { recursive: true, force: true });
}
