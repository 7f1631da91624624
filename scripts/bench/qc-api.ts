// QC API latency on a 10,000-task, 50-annotator project (issue 7: list APIs p95 ≤ 200 ms).
// Starts the real cloud app on its own database, seeds it with scripts/seed/cloud-qc.ts, then
// calls each endpoint over HTTP as a QC manager (tenancy-scoped) in interleaved rounds. The peer,
// measured in the same rounds: the list's bare SQL through pg (the database's floor) and
// /healthz over the same HTTP stack (the framework's floor).
// usage: npx tsx scripts/bench/qc-api.ts [--tasks 10000] [--seconds 30]
// Bounded: stops after --seconds of measuring (or 200 rounds); the database is dropped at the end.

import pg from 'pg';
import { startTestCloud } from '../../services/cloud/test/app.ts';
import { seedCloudQc } from '../seed/cloud-qc.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const TASKS = arg('tasks', 10_000);
const SECONDS = arg('seconds', 30);
const TARGET_MS = 200;

const cloud = await startTestCloud();
try {
  const t0 = Date.now();
  const seed = await seedCloudQc(cloud.prisma, {
    tasks: TASKS,
    annotators: 50,
    siteId: 'bench-site',
    org: 'demo-hospital',
    decisions: 300,
    seed: 'bench',
  });
  console.log(
    `seeded ${TASKS} tasks (${seed.withMetrics} with metrics) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  // Seeding rewrote each task row a few times: measure the steady state autovacuum keeps.
  await cloud.prisma.$executeRawUnsafe('VACUUM ANALYZE');
  const headers = await cloud.auth('quinn');
  const p = seed.projectId;
  const s = seed.siteId;
  let n = 0;
  const nextTask = () => seed.taskIds[(n++ * 7919) % seed.taskIds.length];
  const http = (path: string) => async () => {
    const res = await fetch(`${cloud.baseUrl}${path}`, { headers });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    await res.arrayBuffer();
  };
  const client = new pg.Client({ connectionString: cloud.databaseUrl });
  await client.connect();
  const cases: [string, () => string][] = [
    ['list: queue by agreement', () => `/api/qc/tasks?projectId=${p}&limit=50`],
    ['list: low agreement flag', () => `/api/qc/tasks?projectId=${p}&flag=low_agreement&limit=50`],
    ['list: label liver dice<0.8', () => `/api/qc/tasks?projectId=${p}&label=liver&maxDice=0.8&limit=50`],
    [
      'list: MR + low agreement',
      () => `/api/qc/tasks?projectId=${p}&modality=MR&flag=low_agreement&limit=50`,
    ],
    [
      'list: status + page 150',
      () => `/api/qc/tasks?projectId=${p}&status=submitted,in_review,accepted&offset=7500&limit=50`,
    ],
    ['list: decisions', () => `/api/qc/decisions?siteId=${s}&limit=100`],
    ['detail: task page', () => `/api/qc/tasks/${s}/${nextTask()}`],
    ['overview', () => `/api/qc/projects/${s}/${p}/overview`],
    ['annotators (50)', () => `/api/qc/projects/${s}/${p}/annotators`],
    ['annotators.csv', () => `/api/qc/projects/${s}/${p}/annotators.csv`],
  ];
  const samples = new Map<string, number[]>();
  const time = async (name: string, f: () => Promise<unknown>) => {
    const start = performance.now();
    await f();
    const list = samples.get(name) ?? [];
    list.push(performance.now() - start);
    samples.set(name, list);
  };
  // Warm-up (JIT, plan cache, connection pool).
  for (const [, path] of cases) await http(path())();
  const deadline = Date.now() + SECONDS * 1000;
  for (let round = 0; round < 200 && Date.now() < deadline; round++) {
    await time('peer: bare list SQL (pg)', () =>
      client.query(
        `SELECT * FROM "QcTask" WHERE "siteId" = ANY($1) AND "projectId" = $2
         ORDER BY agreement ASC NULLS LAST, "siteId", "taskId" LIMIT 50`,
        [[s], p],
      ),
    );
    await time('peer: /healthz (HTTP)', http('/healthz'));
    for (const [name, path] of cases) await time(name, http(path()));
  }
  await client.end();
  const pct = (xs: number[], q: number) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  };
  const floor = pct(samples.get('peer: bare list SQL (pg)') ?? [], 0.95);
  const load = (await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  console.log(
    `\nQC API on ${TASKS} tasks / 50 annotators, load average ${load}; target p95 ≤ ${TARGET_MS} ms`,
  );
  console.log('case                              n     p50 ms   p95 ms   p95 / bare SQL p95');
  let failed = false;
  for (const [name, xs] of samples) {
    const p95 = pct(xs, 0.95);
    const api = !name.startsWith('peer');
    if (api && p95 > TARGET_MS) failed = true;
    console.log(
      `${name.padEnd(32)} ${String(xs.length).padStart(4)} ${pct(xs, 0.5).toFixed(1).padStart(9)} ${p95.toFixed(1).padStart(8)} ${(p95 / floor).toFixed(1).padStart(10)}×${api && p95 > TARGET_MS ? '  OVER TARGET' : ''}`,
    );
  }
  // One-shot writes at this size (not in the p95 target): a threshold change re-flags every task
  // with metrics in one transaction; a bulk decision writes one command per task.
  const put = async (path: string, method: string, body: object) => {
    const start = performance.now();
    const res = await fetch(`${cloud.baseUrl}${path}`, {
      method,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 202) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return { ms: performance.now() - start, json: (await res.json()) as Record<string, unknown> };
  };
  const settings = await put(`/api/qc/projects/${s}/${p}/settings`, 'PUT', {
    consensusSize: 3,
    goldRate: 0.05,
    flagThresholds: { diceBelow: 0.75, kappaBelow: 0.5, annotatorScoreBelow: 0.75 },
  });
  console.log(
    `settings change, re-flagged ${settings.json.reflaggedTasks} tasks: ${settings.ms.toFixed(0)} ms`,
  );
  const filter = { projectId: p, flag: 'gold_miss' };
  const count = (
    (await (
      await fetch(`${cloud.baseUrl}/api/qc/tasks?projectId=${p}&flag=gold_miss&limit=1`, { headers })
    ).json()) as { total: number }
  ).total;
  if (count >= 1 && count <= 2000) {
    const bulk = await put('/api/qc/decisions/bulk', 'POST', {
      filter,
      verdict: { kind: 'escalate' },
      expectedCount: count,
    });
    console.log(`bulk decision over ${bulk.json.count} tasks: ${bulk.ms.toFixed(0)} ms`);
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  await cloud.close();
}
