import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AnnotationDoc } from '@annex/annotation-model';
import { makeCtSeries, makeStudy, phiValuesOf, type SyntheticSeries } from '@annex/dicom';
import { freePort } from '@annex/platform/testing/free-port.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { squareRuns } from '../../services/site/test/mask-runs.ts';
import { IMAGE_BUDGET_MB, ROOT } from './deployment.ts';

// `docker compose up -d` for real: both images built from the Dockerfiles as a user would (on a
// base image made from Debian packages, since no image registry is reachable here), the stack
// started with compose.yaml plus deploy/compose.test.yaml (which replaces only the upstream
// datastore and Keycloak images that cannot be had here, and says why), then a real storescu,
// real HTTP clients and the real sync channel against the containers. On by default; set
// ANNEX_DOCKER_TESTS=0 on a machine where no Docker engine can run.
const optedOut = process.env.ANNEX_DOCKER_TESTS === '0';
const engine = optedOut ? undefined : spawnSync('docker', ['info'], { encoding: 'utf8' });
const dockerUp = engine?.status === 0;
const compose: string[] =
  spawnSync('docker', ['compose', 'version']).status === 0 ? ['docker', 'compose'] : ['docker-compose'];

const SITE_ID = 'compose-site';
const ORG = 'demo-hospital';
const ROWS = 32;
const COLS = 32;

let work: string;
let envFile: string;
let project: string;
const ports = { site: 0, dimse: 0, cloud: 0, oidc: 0 };
const images: Record<'site' | 'cloud', { ref: string; mb: number }> = {} as never;
let bundle: string;

const sh = (cmd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) => {
  const run = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    input: options.input,
    env: { ...process.env, ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
};
const composeFiles = ['-f', 'compose.yaml', '-f', 'deploy/compose.test.yaml'];
const dc = (...args: string[]) =>
  sh(compose[0]!, [
    ...compose.slice(1),
    '--env-file',
    envFile,
    '-p',
    project,
    ...composeFiles,
    '--profile',
    'cloud',
    ...args,
  ]);
const container = (service: string) =>
  `${project}_${service}_1`.replace(/_/g, compose.length === 2 ? '-' : '_');

const siteUrl = () => `http://127.0.0.1:${ports.site}`;
const cloudUrl = () => `http://127.0.0.1:${ports.cloud}`;

async function token(realm: 'annex-site' | 'annex-cloud', username: string): Promise<string> {
  const response = await fetch(
    `http://127.0.0.1:${ports.oidc}/realms/${realm}/protocol/openid-connect/token`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'annex-cli',
        username,
        password: username,
      }),
    },
  );
  expect(response.status, `token for ${username}`).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}
async function api(
  base: string,
  realm: 'annex-site' | 'annex-cloud',
  user: string,
  method: string,
  url: string,
  body?: unknown,
) {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${await token(realm, user)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // biome-ignore lint/suspicious/noExplicitAny: the smoke test reads API answers by path, as a user's curl would
  return { status: response.status, json: json as Record<string, any>, text, headers: response.headers };
}
const site = (user: string, method: string, url: string, body?: unknown) =>
  api(siteUrl(), 'annex-site', user, method, url, body);
const cloud = (user: string, method: string, url: string, body?: unknown) =>
  api(cloudUrl(), 'annex-cloud', user, method, url, body);

async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
const ready = (base: string) =>
  eventually(async () => (await fetch(`${base}/readyz`)).ok, 180_000, `${base}/readyz`);

/** storescu into the site container's published DIMSE port; returns how many stores it saw succeed. */
function storescu(files: string[]): {
  child: ChildProcess;
  acknowledged: () => number;
  done: Promise<number | null>;
} {
  let out = '';
  const child = spawn('storescu', [
    '-v',
    '-aec',
    'ANNEX',
    '-aet',
    'COMPOSE_PACS',
    '127.0.0.1',
    String(ports.dimse),
    ...files,
  ]);
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return {
    child,
    acknowledged: () => out.match(/Received Store Response \(Success\)/g)?.length ?? 0,
    done: new Promise((resolve) => child.on('exit', resolve)),
  };
}
function writeSeries(series: SyntheticSeries, name: string): string[] {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  return series.files.map((file, i) => {
    const target = path.join(dir, `${String(i).padStart(4, '0')}.dcm`);
    writeFileSync(target, file);
    return target;
  });
}
const instancesOf = async (series: SyntheticSeries) =>
  (
    await site(
      'admin',
      'GET',
      `/dicomweb/studies/${series.study.studyInstanceUid}/series/${series.seriesInstanceUid}/instances?limit=1000`,
    )
  ).json as unknown as Array<Record<string, { Value?: string[] }>> | undefined;

/** A WADO-RS frame's bytes, without the response's multipart boundary (it differs per response). */
async function frameBytes(url: string): Promise<string> {
  const response = await fetch(`${siteUrl()}${url}`, {
    headers: { authorization: `Bearer ${await token('annex-site', 'admin')}` },
  });
  expect(response.status).toBe(200);
  const boundary = /boundary="?([^";]+)/.exec(response.headers.get('content-type') ?? '')?.[1];
  expect(boundary).toBeDefined();
  return Buffer.from(await response.arrayBuffer())
    .toString('latin1')
    .split(boundary!)
    .join('');
}

const ct = makeCtSeries({ study: makeStudy('compose-smoke'), slices: 4, rows: ROWS, cols: COLS });
// The drain test's series: large instances, so that storescu is mid-push when the site stops.
const drainSeries = makeCtSeries({ study: makeStudy('compose-drain'), slices: 120, rows: 512, cols: 512 });

describe('docker compose', () => {
  it('has a Docker engine to test against (ANNEX_DOCKER_TESTS=0 opts out where none can run)', () => {
    if (optedOut) console.warn('ANNEX_DOCKER_TESTS=0: the compose stack is not tested on this machine');
    expect(optedOut || dockerUp, engine?.stderr).toBe(true);
  });
});

describe.runIf(dockerUp)(
  'docker compose up -d: the site and cloud images, started and used as hospital IT would',
  () => {
    beforeAll(async () => {
      work = mkdtempSync(path.join(tmpdir(), 'annex-compose-'));
      project = `annexci${randomBytes(3).toString('hex')}`;
      // The network here inspects TLS: npm in the build trusts the system bundle, given as the
      // build's CA-bundle secret exactly as a hospital behind such a proxy would give theirs.
      const ca = process.env.NODE_EXTRA_CA_CERTS;
      const built = sh('bash', [
        'deploy/images/build.sh',
        '--local-base',
        ...(ca ? ['--ca-bundle', ca] : []),
      ]);
      for (const line of built.trim().split('\n')) {
        const [ref, mb] = line.split(' ');
        images[ref!.split('/')[1]!.split(':')[0] as 'site' | 'cloud'] = { ref: ref!, mb: Number(mb) };
      }
      sh('bash', ['deploy/test-stack/build.sh']);

      const keys = path.join(work, 'keys');
      for (const name of ['site', 'cloud'])
        sh(process.execPath, [
          '--import',
          'tsx',
          'scripts/annex.ts',
          'keys',
          'generate',
          '--out',
          keys,
          '--name',
          name,
        ]);
      // The services run as uid 10001; their private keys must be readable by it (README, "Keys").
      for (const name of ['site', 'cloud']) chownSync(path.join(keys, `${name}.key`), 10001, 10001);
      for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
      envFile = path.join(work, 'env');
      writeFileSync(
        envFile,
        Object.entries({
          BIND_ADDRESS: '127.0.0.1',
          SITE_HTTP_PORT: ports.site,
          SITE_DIMSE_PORT: ports.dimse,
          CLOUD_HTTP_PORT: ports.cloud,
          KEYCLOAK_PORT: ports.oidc,
          PUBLIC_URL: `http://127.0.0.1:${ports.site}`,
          CLOUD_PUBLIC_URL: `http://127.0.0.1:${ports.cloud}`,
          POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
          CLOUD_POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
          // s3rver's fixed keys (deploy/test-stack/s3.ts).
          S3_ACCESS_KEY: 'S3RVER',
          S3_SECRET_KEY: 'S3RVER',
          SITE_SECRET: randomBytes(32).toString('hex'),
          SITE_ID,
          // Inside the compose network the cloud is plain ws://; a hospital's is wss://.
          SYNC_ALLOW_INSECURE: '1',
          KEYCLOAK_ADMIN_PASSWORD: 'unused-by-the-test-issuer',
          SITE_PRIVATE_KEY_PATH: path.join(keys, 'site.key'),
          CLOUD_PUBLIC_KEY_PATH: path.join(keys, 'cloud.pub'),
          CLOUD_PRIVATE_KEY_PATH: path.join(keys, 'cloud.key'),
        })
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
      );
      dc('up', '-d');
      await Promise.all([ready(siteUrl()), ready(cloudUrl())]);
      // The cloud's operator CLI, from the cloud image: the organization and the site's public key.
      dc(
        'run',
        '--rm',
        '-T',
        'cloud',
        'annex',
        'cloud',
        'create-org',
        '--slug',
        ORG,
        '--name',
        'Demo Hospital',
      );
      copyFileSync(path.join(keys, 'site.pub'), path.join(work, 'site.pub'));
      dc(
        'run',
        '--rm',
        '-T',
        '-v',
        `${path.join(work, 'site.pub')}:/tmp/site.pub:ro`,
        'cloud',
        'annex',
        'cloud',
        'register-site',
        '--site',
        SITE_ID,
        '--org',
        ORG,
        '--name',
        'Compose site',
        '--public-key',
        '/tmp/site.pub',
      );
    }, 1_200_000);

    afterAll(() => {
      if (!work) return;
      try {
        if (envFile) dc('down', '-v', '--remove-orphans');
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }, 180_000);

    it('builds images that run as uid 10001 with no package manager or compiler, within their size budget', () => {
      for (const service of ['site', 'cloud'] as const) {
        const { ref, mb } = images[service];
        console.log(`image ${ref}: ${mb} MB (budget ${IMAGE_BUDGET_MB[service]} MB)`);
        mkdirSync(path.join(ROOT, 'deploy/reports'), { recursive: true });
        writeFileSync(
          path.join(ROOT, 'deploy/reports', `image-${service}.txt`),
          `${ref} ${mb} MB (budget ${IMAGE_BUDGET_MB[service]} MB)\n`,
        );
        expect(mb, `${ref} size`).toBeLessThanOrEqual(IMAGE_BUDGET_MB[service]);
        const inside = sh('docker', [
          'run',
          '--rm',
          '--entrypoint',
          'sh',
          ref,
          '-c',
          'id -u; for t in npm npx yarn corepack gcc cc g++ make python3 apt-get; do command -v $t >/dev/null && echo HAS:$t; done; true',
        ]);
        // apt-get is Debian's own; compilers and Node package managers must be absent.
        expect(inside.split('\n')[0]).toBe('10001');
        expect(inside.match(/HAS:(\S+)/g)?.filter((t) => t !== 'HAS:apt-get') ?? []).toEqual([]);
        const config = JSON.parse(sh('docker', ['image', 'inspect', ref]))[0].Config;
        expect(config.User).toBe('10001:10001');
        expect(config.Healthcheck?.Test?.join(' ')).toContain('/healthz');
      }
    });

    it('keeps the CA bundle given to the build out of every image layer', () => {
      const ca = process.env.NODE_EXTRA_CA_CERTS;
      if (!ca) return expect(ca, 'no CA bundle was given to this build').toBeUndefined();
      const bytes = statSync(ca).size;
      const sum = sh('sha256sum', [ca]).split(' ')[0];
      for (const service of ['site', 'cloud'] as const) {
        const found = sh('docker', [
          'run',
          '--rm',
          '--user',
          '0',
          '--entrypoint',
          'sh',
          images[service].ref,
          '-c',
          `find / -xdev -type f -size ${bytes}c -exec sha256sum {} + 2>/dev/null; true`,
        ]);
        expect(found.includes(sum!), `${images[service].ref} holds the build's CA bundle`).toBe(false);
      }
    });

    it('connects the site to the cloud over the signed channel', async () => {
      await eventually(
        async () => (await site('admin', 'GET', '/api/sync/status')).json?.connection === 'open',
        120_000,
        'the sync channel',
      );
    });

    it('takes a storescu push into the site container, finds it by QIDO and serves a WADO frame', async () => {
      const created = await site('admin', 'POST', '/api/projects', {
        slug: 'compose-lesions',
        name: 'Compose lesions',
        consensusSize: 3,
        goldRate: 0,
        goldWarmup: 0,
        routingRules: [{ modality: ['CT'] }],
        instructions: {
          labels: [{ id: 'lesion', name: 'Lesion', color: '#ff0000', tool: 'mask', required: true }],
        },
      });
      expect(created.status, created.text).toBe(201);
      const push = storescu(writeSeries(ct, 'ct'));
      expect(await push.done).toBe(0);
      expect(push.acknowledged()).toBe(ct.files.length);

      const studies = await site(
        'admin',
        'GET',
        `/dicomweb/studies?StudyInstanceUID=${ct.study.studyInstanceUid}`,
      );
      expect(studies.status).toBe(200);
      expect(studies.json).toHaveLength(1);
      expect((await instancesOf(ct))?.length).toBe(ct.files.length);
      const frame = await site(
        'admin',
        'GET',
        `/dicomweb/studies/${ct.study.studyInstanceUid}/series/${ct.seriesInstanceUid}/instances/${ct.sopInstanceUids[1]}/frames/1`,
      );
      expect(frame.status).toBe(200);
      expect(frame.headers.get('content-type')).toMatch(/^multipart\/related/);
    });

    it('three annotators label the routed task; the cloud shows its agreement numbers', async () => {
      for (const [user, dx] of [
        ['ana', 0],
        ['ben', 0],
        ['cleo', 6],
      ] as const) {
        const view = await eventually(
          async () => {
            const next = await site(user, 'POST', '/api/tasks/next', {});
            return next.status === 200 && next.json;
          },
          60_000,
          `a task for ${user}`,
        );
        const instances = await site(
          user,
          'GET',
          `/dicomweb/projects/${view.projectId}/studies/${view.studyUid}/series/${view.seriesUids[0]}/instances`,
        );
        const sop = (instances.json as unknown as Array<Record<string, { Value: string[] }>>)[0]!['00080018']!
          .Value[0]!;
        const doc: AnnotationDoc = {
          shapes: [],
          classifications: {},
          masks: [
            {
              labelId: 'lesion',
              rows: ROWS,
              columns: COLS,
              attributes: {},
              slices: [
                {
                  image: { seriesUid: view.seriesUids[0], sopInstanceUid: sop, frame: 1 },
                  runs: squareRuns({ rows: ROWS, columns: COLS }, 4 + dx, 4, 12, 12),
                },
              ],
            },
          ],
        };
        const saved = await site(user, 'PUT', `/api/tasks/${view.id}/annotation`, {
          clientRevisionId: `${user}-compose-0001`,
          baseRevision: 0,
          doc,
          activeSeconds: 20,
        });
        expect(saved.status, saved.text).toBe(200);
        expect((await site(user, 'POST', `/api/tasks/${view.id}/submit`, {})).status).toBe(204);
      }
      const task = await eventually(
        async () => {
          const item = (await cloud('quinn', 'GET', `/api/qc/tasks?siteId=${SITE_ID}`)).json?.tasks?.[0];
          return item?.status === 'in_review' && item.metricsRevision !== null && item;
        },
        120_000,
        'task metrics at the cloud',
      );
      expect(task.taskId).toMatch(/^tk_/);
      expect(task.assigneeIds).toHaveLength(3);
      // Two identical squares and one shifted by half its width: pairwise Dice 1, 0.5, 0.5.
      expect(task.minDice).toBeCloseTo(2 / 3, 6);
    });

    it("leaves none of the study's PHI in the cloud's database or logs", () => {
      const dump = sh('docker', ['exec', container('cloud-postgres'), 'pg_dumpall', '-U', 'annex']);
      const logs = spawnSync('docker', ['logs', container('cloud')], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      expect(dump).toContain(SITE_ID); // the dump is real, and holds the site's registration
      for (const value of [
        ...phiValuesOf(ct.study.patient, ct.study),
        ct.study.studyInstanceUid,
        ...ct.sopInstanceUids,
      ]) {
        expect(dump.includes(value), `cloud database holds ${value}`).toBe(false);
        expect(`${logs.stdout}${logs.stderr}`.includes(value), `cloud logs hold ${value}`).toBe(false);
      }
    });

    it('drains on SIGTERM: every instance acknowledged before the site stopped is indexed', async () => {
      const push = storescu(writeSeries(drainSeries, 'drain'));
      await eventually(async () => push.acknowledged() >= 3, 60_000, 'the push to be under way');
      // docker stop sends SIGTERM, then SIGKILL after the grace period.
      dc('stop', '-t', '60', 'site');
      await push.done;
      const acknowledged = push.acknowledged();
      const state = JSON.parse(sh('docker', ['inspect', container('site')]))[0].State;
      expect(state.ExitCode, 'the site exits cleanly after draining').toBe(0);
      dc('start', 'site');
      await ready(siteUrl());
      const indexed = (await instancesOf(drainSeries))?.length ?? 0;
      expect(acknowledged).toBeGreaterThan(0);
      // Nothing acknowledged is lost; at most the one instance in flight was stored but not acknowledged.
      expect(indexed).toBeGreaterThanOrEqual(acknowledged);
      expect(indexed).toBeLessThanOrEqual(acknowledged + 1);
    }, 180_000);

    it('saves an offline bundle whose loader checks every checksum and refuses a damaged bundle', () => {
      bundle = path.join(work, 'bundle');
      const refs = [
        images.site.ref,
        images.cloud.ref,
        'annex-test/postgres:15-debian',
        'annex-test/redis:7-debian',
      ];
      const saved = sh('bash', ['deploy/offline/save.sh', bundle, ...refs]);
      expect(saved).toContain('4 images');
      const listed = readFileSync(path.join(bundle, 'IMAGES'), 'utf8').trim().split('\n');
      expect(listed.map((l) => l.split(' ')[0])).toEqual(refs);
      const manifest = JSON.parse(readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
      expect(manifest.images.map((i: { ref: string }) => i.ref)).toEqual(refs);

      const damaged = path.join(work, 'damaged');
      execFileSync('cp', ['-r', bundle, damaged]);
      const tar = path.join(damaged, listed[0]!.split(' ')[2]!);
      writeFileSync(tar, Buffer.concat([readFileSync(tar), Buffer.from('x')]));
      const refused = spawnSync('sh', [path.join(damaged, 'load.sh'), damaged], { encoding: 'utf8' });
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain('nothing loaded');
      rmSync(damaged, { recursive: true, force: true });
    });

    it('comes back with every study, task and the sync position after down, image removal and a load from the bundle', async () => {
      const before = (await site('admin', 'GET', '/api/sync/status')).json;
      const frameUrl = `/dicomweb/studies/${ct.study.studyInstanceUid}/series/${ct.seriesInstanceUid}/instances/${ct.sopInstanceUids[1]}/frames/1`;
      const frameBefore = await frameBytes(frameUrl);
      dc('down');
      const refs = readFileSync(path.join(bundle, 'IMAGES'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]!);
      sh('docker', ['rmi', ...refs]);
      // The air-gapped path: load.sh verifies and loads, then starts the bundle's compose.yaml.
      const loaded = sh('sh', [
        path.join(bundle, 'load.sh'),
        bundle,
        '--up',
        '--project-directory',
        ROOT,
        '-f',
        path.join(ROOT, 'deploy/compose.test.yaml'),
        '--env-file',
        envFile,
        '-p',
        project,
        '--profile',
        'cloud',
      ]);
      for (const ref of refs) expect(loaded).toContain(`loaded ${ref}`);
      await Promise.all([ready(siteUrl()), ready(cloudUrl())]);

      expect((await instancesOf(ct))?.length).toBe(ct.files.length);
      expect(await frameBytes(frameUrl)).toEqual(frameBefore);
      const after = await eventually(
        async () => {
          const status = (await site('admin', 'GET', '/api/sync/status')).json;
          return status?.connection === 'open' && status;
        },
        120_000,
        'the sync channel after the restart',
      );
      expect(after.outbox.ackedSeq).toBeGreaterThanOrEqual(before.outbox.ackedSeq);
      expect(before.outbox.ackedSeq).toBeGreaterThan(0);
      const tasks = (await cloud('quinn', 'GET', `/api/qc/tasks?siteId=${SITE_ID}`)).json?.tasks ?? [];
      expect(tasks.filter((t: { status: string }) => t.status === 'in_review')).toHaveLength(1);
    }, 600_000);
  },
);
