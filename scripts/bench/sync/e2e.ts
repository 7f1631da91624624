// End-to-end sync benchmark: site outbox → signed frame → cloud verified and applied (real Postgres
// at both ends, the real agent and hub), plus sign/verify rates beside raw node:crypto Ed25519.
// usage: npx tsx scripts/bench/sync/e2e.ts [--messages 20000] [--rate 500] [--seconds 10]
// Profiling: BENCH_CLOUD_NODE_ARGS / BENCH_AGENT_NODE_ARGS are passed to the cloud / agent process
// (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof').
// Bounded: every phase has a deadline; databases are created and dropped by the script.

import { spawn } from 'node:child_process';
import { createHash, sign as rawSign, verify as rawVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createPrisma as createCloudPrisma } from '@annex/cloud/db.ts';
import { createOrganization, registerSite } from '@annex/cloud/modules/sites/service.ts';
import { createTestDatabase } from '@annex/platform/testing/postgres.ts';
import {
  authenticateEnvelope,
  canonicalBytes,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  keyRing,
  rawPublicKey,
  sealEnvelope,
} from '@annex/protocol';
import { createPrisma as createSitePrisma } from '@annex/site/db.ts';
import { enqueueOutbox, enqueueOutboxMany } from '@annex/site/modules/sync/outbox.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MESSAGES = arg('messages', 20_000);
const RATE = arg('rate', 500);
const SECONDS = arg('seconds', 10);
const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

const pseudo = (kind: string, seed: string) =>
  `${kind}_${createHash('sha256').update(seed).digest('base64url').slice(0, 20)}`;
const body = (seed: string) => ({
  studyId: pseudo('st', seed),
  series: [
    {
      seriesId: pseudo('se', seed),
      modality: 'CT' as const,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      instanceCount: 120,
      frameCount: 120,
      rows: 512,
      columns: 512,
      sliceThicknessMm: 1.25,
    },
  ],
});

function rate(fn: () => void, ms = 1000): number {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  return n / ((performance.now() - start) / 1000);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 elsewhere.
const TICKS_PER_S = 100;
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main() {
  // --- sign / verify beside raw node:crypto Ed25519, same key, same bytes
  const key = generateKeyPair();
  // The same fields for every call: building the body (two SHA-256 hashes) is not signing.
  const fields = {
    type: 'study.available' as const,
    body: body('x'),
    siteId: 'bench-site',
    dir: 's2c' as const,
    seq: 1,
    kid: key.kid,
  };
  const env = sealEnvelope(fields, key.privateKey);
  const { sig: _sig, ...unsigned } = env;
  const bytes = canonicalBytes(unsigned);
  const rawSig = rawSign(null, bytes, key.privateKey);
  const rawSignRate = rate(() => rawSign(null, bytes, key.privateKey));
  const protoSignRate = rate(() => sealEnvelope(fields, key.privateKey));
  const rawVerifyRate = rate(() => rawVerify(null, bytes, key.publicKey, rawSig));
  const ring = keyRing([{ kid: key.kid, publicKey: key.publicKey }]);
  const wire = JSON.parse(JSON.stringify(env));
  const protoVerifyRate = rate(() => {
    const r = authenticateEnvelope(wire, {
      expectedDir: 's2c',
      expectedSiteId: 'bench-site',
      keys: ring,
      now: Date.now(),
    });
    if (!r.ok) throw new Error(r.reason);
  });

  // --- two real databases, the real cloud app and the real site agent
  const [cloudDb, siteDb] = await Promise.all([
    createTestDatabase(root('services/cloud'), 'bench_cloud'),
    createTestDatabase(root('services/site'), 'bench_site'),
  ]);
  const cloudKey = generateKeyPair();
  // The cloud runs as its own process (as in production: another machine), so site and cloud each
  // get a core; the bench process is the site (outbox writer + agent).
  const port = await freePort();
  const cloud = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CLOUD_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      root('services/cloud/src/main.ts'),
    ],
    {
      cwd: root(''),
      env: {
        ...process.env,
        DATABASE_URL: cloudDb.url,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        OIDC_ISSUER: 'http://127.0.0.1:1/realms/bench',
        CLOUD_SIGNING_KEY: exportPrivateKeyPem(cloudKey.privateKey),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const cloudPrisma = createCloudPrisma(cloudDb.url);
  for (const deadline = Date.now() + 60_000; ; ) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('cloud did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  const siteKey = generateKeyPair();
  await createOrganization(cloudPrisma, 'bench', 'Bench');
  await registerSite(cloudPrisma, {
    siteId: 'bench-site',
    name: 'Bench',
    orgSlug: 'bench',
    publicKey: exportPublicKeyPem(siteKey.publicKey),
  });
  const sitePrisma = createSitePrisma(siteDb.url);
  // The agent in its own process too: in production outbox writers (API, workers) and the sync
  // role are separate processes, and here they must not share one event loop.
  let agent: ReturnType<typeof spawn> | undefined;
  const startAgent = () =>
    spawn(
      process.execPath,
      [
        ...(process.env.BENCH_AGENT_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        '--import',
        'tsx',
        root('scripts/bench/sync/site-agent.ts'),
      ],
      {
        cwd: root(''),
        env: {
          ...process.env,
          NODE_ENV: 'test',
          DATABASE_URL: siteDb.url,
          SITE_ID: 'bench-site',
          CLOUD_SYNC_URL: `ws://127.0.0.1:${port}/sync/v1`,
          SITE_SIGNING_KEY: exportPrivateKeyPem(siteKey.privateKey),
          CLOUD_PUBLIC_KEYS: rawPublicKey(cloudKey.publicKey).toString('base64url'),
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
  const applied = async () =>
    Number((await cloudPrisma.site.findUniqueOrThrow({ where: { id: 'bench-site' } })).s2cAppliedSeq);
  const waitApplied = async (n: number, deadlineMs: number) => {
    const deadline = Date.now() + deadlineMs;
    while ((await applied()) < n) {
      if (Date.now() > deadline) throw new Error(`only ${await applied()} of ${n} applied in time`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  let throughput = 0;
  let cpuPer1000 = { agent: 0, cloud: 0, pg: 0 };
  let latency: number[] = [];
  try {
    // --- sustained throughput: a pre-filled outbox drained end to end (until the cloud applied all)
    for (let i = 0; i < MESSAGES; i += 2000) {
      const bodies = Array.from({ length: Math.min(2000, MESSAGES - i) }, (_, j) => body(`t-${i + j}`));
      await sitePrisma.$transaction((tx) =>
        enqueueOutboxMany(tx, 'study.available', bodies, { canaries: [] }),
      );
    }
    agent = startAgent();
    // Timed from the first applied message, so process start-up is not counted.
    await waitApplied(1, 60_000);
    const t0 = performance.now();
    const first = await applied();
    const backends = async () =>
      (
        await sitePrisma.$queryRaw<{ pid: number }[]>`
          SELECT pid FROM pg_stat_activity WHERE datname IN (${siteDb.url.split('/').pop()!.split('?')[0]!}, ${cloudDb.url.split('/').pop()!.split('?')[0]!})`
      ).map((r) => Number(r.pid));
    const cpuNow = async () => ({
      agent: cpuSeconds(agent?.pid),
      cloud: cpuSeconds(cloud.pid),
      pg: (await backends()).reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    });
    const cpu0 = await cpuNow();
    await waitApplied(MESSAGES, 120_000);
    throughput = (MESSAGES - first) / ((performance.now() - t0) / 1000);
    const cpu1 = await cpuNow();
    const per1000 = (k: keyof typeof cpu0) => (((cpu1[k] - cpu0[k]) * 1000) / (MESSAGES - first)) * 1000;
    cpuPer1000 = { agent: per1000('agent'), cloud: per1000('cloud'), pg: per1000('pg') };

    // --- latency at a fixed rate: one transaction per message, as a module would write them
    const total = RATE * SECONDS;
    const started = Date.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE);
      while (sent < Math.min(due, total)) {
        await sitePrisma.$transaction((tx) =>
          enqueueOutbox(tx, 'study.available', body(`l-${sent}`), { canaries: [] }),
        );
        sent++;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitApplied(MESSAGES + total, 60_000);
    await new Promise((r) => setTimeout(r, 200)); // the last ack
    // Enqueue → acknowledged by the cloud (applied and committed there, plus the ack's way back),
    // both timestamps from the site's Postgres clock.
    const rows = await sitePrisma.$queryRaw<{ ms: number }[]>`
      SELECT EXTRACT(EPOCH FROM ("ackedAt" - "createdAt")) * 1000 AS ms FROM "SyncOutbox"
      WHERE seq > ${MESSAGES} AND "ackedAt" IS NOT NULL`;
    latency = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
    if (latency.length !== total) throw new Error(`${total - latency.length} latency samples missing`);
  } finally {
    if (agent) {
      agent.kill('SIGTERM');
      await new Promise((r) => agent!.once('exit', r));
    }
    cloud.kill('SIGTERM');
    await new Promise((r) => cloud.once('exit', r));
    await cloudPrisma.$disconnect();
    await sitePrisma.$disconnect();
    await Promise.all([cloudDb.drop(), siteDb.drop()]);
  }

  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `sync e2e benchmark (node ${process.version}, outbox writer, site agent and cloud hub in three processes, Postgres both ends, ` +
      `cloud verifier threads ${process.env.SYNC_VERIFY_THREADS ?? 'default (cores - 1)'}, ${availableParallelism()} cores)`,
  );
  console.log(
    `  sign   protocol ${f(protoSignRate)}/s  raw node:crypto Ed25519 ${f(rawSignRate)}/s  ratio ${(protoSignRate / rawSignRate).toFixed(2)} (target >= 0.7)`,
  );
  console.log(
    `  verify protocol ${f(protoVerifyRate)}/s  raw node:crypto Ed25519 ${f(rawVerifyRate)}/s  ratio ${(protoVerifyRate / rawVerifyRate).toFixed(2)} (target >= 0.7)`,
  );
  console.log(`  throughput ${f(throughput)} messages/s sustained over ${f(MESSAGES)} (target >= 5,000)`);
  // CPU time per message does not depend on what else the (shared) machine runs; wall-clock does.
  console.log(
    `  CPU ms per 1,000 messages while draining: agent ${cpuPer1000.agent.toFixed(0)}  cloud ${cpuPer1000.cloud.toFixed(0)}  Postgres backends (both) ${cpuPer1000.pg.toFixed(0)}`,
  );
  // Machine-normalised: each message costs one raw sign (site) and one raw verify (cloud) at least.
  console.log(
    `  throughput / raw Ed25519 verify rate of this run ${(throughput / rawVerifyRate).toFixed(2)} (1.0 = end to end as fast as bare verification)`,
  );
  console.log(
    `  latency at ${RATE}/s for ${SECONDS}s: p50 ${pct(latency, 50).toFixed(1)} ms  p99 ${pct(latency, 99).toFixed(1)} ms  max ${latency.at(-1)!.toFixed(1)} ms (target p99 <= 100 ms)`,
  );
}

await main();
process.exit(0);
