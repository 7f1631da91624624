/**
 * Ingest benchmark: C-STORE of a 300-slice 512×512 16-bit CT with dcmtk storescu at 1 and 4
 * associations into the Annex site, Orthanc (Debian package, temp config on loopback, TCP_NODELAY)
 * and dcmtk storescp writing files (the raw receive ceiling); the site again with a
 * default-environment storescu (Nagle check); STOW-RS at concurrency 1/4/8 against Orthanc's
 * POST /instances. Every run sends fresh UIDs. Prints instances/s with the peer and the ratio, and
 * beside each run the S3 server's own put rate for the same bytes at the same concurrency: the
 * ceiling for a site that answers only once its object is stored.
 *
 * Run: `npx tsx scripts/bench/ingest/run.ts` (env SLICES=300, RUN_TIMEOUT_S=120). With S3_ENDPOINT,
 * S3_ACCESS_KEY and S3_SECRET_KEY set, the site and the ceiling use that S3 server (MinIO, Ceph RGW,
 * a hospital's own) instead of the s3rver fake started here.
 * Bounded: each run is killed after RUN_TIMEOUT_S; the whole script takes a few minutes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client as S3Client } from 'minio';
import { makeCtSeries } from '../../../services/dicom/src/index.ts';
import { waitForPort } from './bench-children.ts';

const SLICES = Number(process.env.SLICES ?? 300);
const RUN_TIMEOUT_MS = Number(process.env.RUN_TIMEOUT_S ?? 120) * 1000;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'annex-bench-ingest-'));
const children: ChildProcess[] = [];
// Killed from outside (timeout, ^C): take the servers down too, never leave them running.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGTERM');
    setTimeout(() => process.exit(1), 1500);
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a long-running child and waits for a line of JSON on stdout (or a port to answer). */
function startJsonChild(
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; info: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, info: JSON.parse(line) });
    });
    child.on('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

// --- data: one generated series, re-labelled with fresh UIDs per run (same length, in place) ---
console.log(`generating a ${SLICES}-slice 512×512 CT…`);
const base = makeCtSeries({ seed: 'bench-ingest', slices: SLICES, rows: 512, cols: 512 });
let runNo = 0;
function freshCopy(): Buffer[] {
  runNo++;
  const a = String(1 + (runNo % 9));
  const b = String(Math.floor(runNo / 9) % 10);
  // "2.25.<digits>": changing the two digits after "2.25." keeps lengths and validity.
  const relabel = (uid: string) => `${uid.slice(0, 5)}${a}${b}${uid.slice(7)}`;
  const uids = [base.study.studyInstanceUid, base.seriesInstanceUid, base.frameOfReferenceUid];
  return base.files.map((file, i) => {
    const out = Buffer.from(file);
    for (const uid of [...uids, base.sopInstanceUids[i]!]) {
      const from = Buffer.from(uid);
      const to = Buffer.from(relabel(uid));
      for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + from.length)) to.copy(out, at);
    }
    return out;
  });
}
function writeSet(files: Buffer[]): string[] {
  const dir = path.join(work, `set-${runNo}`);
  mkdirSync(dir);
  return files.map((f, i) => {
    const p = path.join(dir, `${String(i).padStart(4, '0')}.dcm`);
    writeFileSync(p, f);
    return p;
  });
}

// --- C-STORE with storescu, N associations (one storescu process each) ---
async function cstore(
  port: number,
  aet: string,
  associations: number,
  nodelayEnv: 'set' | 'default',
): Promise<number> {
  const files = writeSet(freshCopy());
  const groups = Array.from({ length: associations }, (_, k) =>
    files.filter((_, i) => i % associations === k),
  );
  const env = { ...process.env };
  if (nodelayEnv === 'set') env.TCP_NODELAY = '1';
  else delete env.TCP_NODELAY;
  const started = performance.now();
  await Promise.all(
    groups.map(
      (group) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn('storescu', ['-aec', aet, '127.0.0.1', String(port), ...group], {
            env,
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let err = '';
          child.stderr.on('data', (d) => (err += d));
          const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
          child.on('exit', (code) => {
            clearTimeout(timer);
            code === 0 ? resolve() : reject(new Error(`storescu failed (${code}): ${err.slice(0, 300)}`));
          });
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  rmSync(path.dirname(files[0]!), { recursive: true, force: true });
  return files.length / seconds;
}

// --- STOW-RS / Orthanc POST /instances, one instance per request, N in flight ---
async function httpStore(send: (file: Buffer) => Promise<Response>, concurrency: number): Promise<number> {
  const files = freshCopy();
  let next = 0;
  const started = performance.now();
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length && Date.now() < deadline) {
        const res = await send(files[next++]!);
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
        await res.arrayBuffer();
      }
    }),
  );
  return files.length / ((performance.now() - started) / 1000);
}

// --- the S3 server alone: the same bytes put with the same client the site uses (minio), N in
// flight, fresh keys. The site cannot answer a C-STORE before its object is stored, so this is the
// ceiling any site pipeline reaches against this S3 server (s3rver, a test fake; no MinIO here).
const externalS3 = process.env.S3_ENDPOINT
  ? {
      endpoint: process.env.S3_ENDPOINT,
      accessKey: process.env.S3_ACCESS_KEY ?? '',
      secretKey: process.env.S3_SECRET_KEY ?? '',
    }
  : undefined;

async function s3Ceiling(endpoint: string, concurrency: number): Promise<number> {
  const url = new URL(endpoint);
  const client = new S3Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
    useSSL: url.protocol === 'https:',
    accessKey: externalS3?.accessKey ?? 'S3RVER',
    secretKey: externalS3?.secretKey ?? 'S3RVER',
    region: 'us-east-1',
    pathStyle: true,
    partSize: 64 * 1024 * 1024,
  });
  const bucket = 'annex-bench-ceiling';
  if (!(await client.bucketExists(bucket))) await client.makeBucket(bucket, 'us-east-1');
  const files = freshCopy();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length) {
        const i = next++;
        await client.putObject(bucket, `ceiling/${runNo}/${i}`, files[i]!, files[i]!.length);
      }
    }),
  );
  return files.length / ((performance.now() - started) / 1000);
}

const results: Array<{ what: string; ours: number; peer: string; peerValue: number; target?: number }> = [];
const fmt = (n: number) => n.toFixed(1).padStart(7);

try {
  // Servers.
  const s3 = externalS3
    ? { info: { endpoint: externalS3.endpoint } }
    : await startJsonChild([path.join(HERE, 's3-process.ts')], {});
  console.log(`S3 server: ${externalS3 ? externalS3.endpoint : 's3rver (test fake, own process)'}`);
  const sitePorts = { http: await freePort(), dimse: await freePort() };
  const site = await startJsonChild([path.join(HERE, 'site-process.ts')], {
    BENCH_HTTP_PORT: String(sitePorts.http),
    BENCH_DIMSE_PORT: String(sitePorts.dimse),
    BENCH_S3_ENDPOINT: s3.info.endpoint!,
    ...(externalS3
      ? { BENCH_S3_ACCESS_KEY: externalS3.accessKey, BENCH_S3_SECRET_KEY: externalS3.secretKey }
      : {}),
  });
  const token = site.info.token!;

  const orthancDir = path.join(work, 'orthanc');
  mkdirSync(orthancDir);
  const orthancPorts = { http: await freePort(), dicom: await freePort() };
  const orthancConfig = path.join(orthancDir, 'orthanc.json');
  writeFileSync(
    orthancConfig,
    JSON.stringify({
      Name: 'bench',
      StorageDirectory: orthancDir,
      IndexDirectory: orthancDir,
      HttpPort: orthancPorts.http,
      DicomPort: orthancPorts.dicom,
      DicomAet: 'ORTHANC',
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      Plugins: [],
      TcpNoDelay: true,
    }),
  );
  const orthanc = spawn('Orthanc', [orthancConfig], {
    stdio: 'ignore',
    env: { ...process.env, TCP_NODELAY: '1' },
  });
  children.push(orthanc);

  const storescpPort = await freePort();
  const storescpDir = path.join(work, 'storescp');
  mkdirSync(storescpDir);
  // --fork: one process per association (storescp is otherwise sequential).
  const storescp = spawn(
    'storescp',
    ['--fork', '+xa', '-aet', 'STORESCP', '-od', storescpDir, String(storescpPort)],
    {
      stdio: 'ignore',
      env: { ...process.env, TCP_NODELAY: '1' },
    },
  );
  children.push(storescp);
  await Promise.all([
    waitForPort(orthancPorts.dicom),
    waitForPort(orthancPorts.http),
    waitForPort(storescpPort),
    waitForPort(sitePorts.dimse),
  ]);

  // Warm-up (JIT, connection pools, first-series upserts): one series through every target, not measured.
  await cstore(sitePorts.dimse, 'ANNEX', 2, 'set');
  await cstore(orthancPorts.dicom, 'ORTHANC', 2, 'set');
  await cstore(storescpPort, 'STORESCP', 2, 'set');

  for (const associations of [1, 4]) {
    const ours = await cstore(sitePorts.dimse, 'ANNEX', associations, 'set');
    const orthancRate = await cstore(orthancPorts.dicom, 'ORTHANC', associations, 'set');
    const storescpRate = await cstore(storescpPort, 'STORESCP', associations, 'set');
    results.push({
      what: `C-STORE ${associations} assoc`,
      ours,
      peer: 'Orthanc',
      peerValue: orthancRate,
      target: 2,
    });
    results.push({
      what: `C-STORE ${associations} assoc`,
      ours,
      peer: 'storescp (files)',
      peerValue: storescpRate,
      target: 0.5,
    });
    const s3Rate = await s3Ceiling(s3.info.endpoint!, associations);
    results.push({
      what: `C-STORE ${associations} assoc`,
      ours,
      peer: 'S3 server alone (puts)',
      peerValue: s3Rate,
    });
    console.log(
      `C-STORE ${associations}: annex ${fmt(ours)}  orthanc ${fmt(orthancRate)}  storescp ${fmt(storescpRate)}  S3 puts alone ${fmt(s3Rate)} inst/s`,
    );
  }
  // Network-only comparison without the pipeline: echoscu --repeat 200 from a default
  // environment (each repeat is connect + associate + C-ECHO + release), ours against Orthanc.
  const echoMs = async (port: number, aet: string) => {
    const env = { ...process.env };
    delete env.TCP_NODELAY;
    const started = performance.now();
    await new Promise<void>((resolve, reject) =>
      spawn('echoscu', ['--repeat', '200', '-aec', aet, '127.0.0.1', String(port)], {
        env,
        stdio: 'ignore',
      }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`echoscu failed (${code})`)))),
    );
    return (performance.now() - started) / 200;
  };
  const echoOurs = await echoMs(sitePorts.dimse, 'ANNEX');
  const echoOrthanc = await echoMs(orthancPorts.dicom, 'ORTHANC');
  console.log(
    `echoscu --repeat 200 (default env): annex ${echoOurs.toFixed(1)} ms/round, orthanc ${echoOrthanc.toFixed(1)} ms/round`,
  );

  const defaultEnv = await cstore(sitePorts.dimse, 'ANNEX', 1, 'default');
  const defaultEnvOrthanc = await cstore(orthancPorts.dicom, 'ORTHANC', 1, 'default');
  results.push({
    what: 'C-STORE 1 assoc, default-env storescu',
    ours: defaultEnv,
    peer: 'Orthanc',
    peerValue: defaultEnvOrthanc,
  });
  console.log(`C-STORE 1 (default env): annex ${fmt(defaultEnv)} orthanc ${fmt(defaultEnvOrthanc)} inst/s`);

  const boundary = 'annex-bench-boundary';
  const stow = (file: Buffer) =>
    fetch(`http://127.0.0.1:${sitePorts.http}/dicomweb/studies`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
      },
      body: Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
  const orthancPost = (file: Buffer) =>
    fetch(`http://127.0.0.1:${orthancPorts.http}/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/dicom' },
      body: file,
    });
  for (const concurrency of [1, 4, 8]) {
    const ours = await httpStore(stow, concurrency);
    const peer = await httpStore(orthancPost, concurrency);
    results.push({
      what: `STOW-RS c=${concurrency}`,
      ours,
      peer: 'Orthanc POST /instances',
      peerValue: peer,
      ...(concurrency === 4 ? { target: 2 } : {}),
    });
    const s3Rate = await s3Ceiling(s3.info.endpoint!, concurrency);
    results.push({
      what: `STOW-RS c=${concurrency}`,
      ours,
      peer: 'S3 server alone (puts)',
      peerValue: s3Rate,
    });
    console.log(
      `STOW c=${concurrency}: annex ${fmt(ours)}  orthanc ${fmt(peer)}  S3 puts alone ${fmt(s3Rate)} inst/s`,
    );
  }
  // Where the site's time went: pipeline time per instance by door, and by stage.
  const metrics = await (await fetch(`http://127.0.0.1:${sitePorts.http}/metrics`)).text();
  const mean = (name: string, label: string) => {
    const pick = (suffix: string) =>
      Number(
        metrics
          .split('\n')
          .find((l) => l.startsWith(`${name}_${suffix}{${label}}`))
          ?.split(' ')[1],
      );
    const count = pick('count');
    return count ? `${((pick('sum') / count) * 1000).toFixed(1)} ms (n=${count})` : 'n/a';
  };
  for (const door of ['dimse', 'stow'])
    console.log(`site pipeline per ${door} instance: ${mean('annex_site_ingest_seconds', `door="${door}"`)}`);
  for (const stage of ['parse', 'store', 'index'])
    console.log(`  stage ${stage}: ${mean('annex_site_ingest_stage_seconds', `stage="${stage}"`)}`);
} finally {
  for (const child of children.reverse()) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  rmSync(work, { recursive: true, force: true });
}

console.log(
  `\n${SLICES} slices of 512×512×16 bit (${(SLICES * 0.528).toFixed(0)} MB), instances/s (higher is better)`,
);
console.log(
  'run                                   | annex   | peer                     | peer    | ratio | target',
);
for (const r of results) {
  const ratio = r.ours / r.peerValue;
  const verdict = r.target === undefined ? '—' : `≥${r.target}× ${ratio >= r.target ? 'met' : 'NOT met'}`;
  console.log(
    `${r.what.padEnd(37)} | ${fmt(r.ours)} | ${r.peer.padEnd(24)} | ${fmt(r.peerValue)} | ${ratio.toFixed(2).padStart(5)} | ${verdict}`,
  );
}
const nagle = results.find((r) => r.what.includes('default-env'));
if (nagle)
  console.log(
    `default-env storescu: ${(1000 / nagle.ours).toFixed(1)} ms/instance (pipeline-bound; compare the echoscu line)`,
  );
process.exit(0);
