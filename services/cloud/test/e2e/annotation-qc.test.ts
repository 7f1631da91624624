import type { AnnotationDoc } from '@annex/annotation-model';
import { makeCtSeries, makeStudy, phiValuesOf, type SyntheticSeries } from '@annex/dicom';
import { exportPrivateKeyPem, rawPublicKey } from '@annex/protocol';
import { createJobHandlers } from '@annex/site/jobs/handlers.ts';
import { startWorkers } from '@annex/site/jobs/queues.ts';
import { ingestContextOf } from '@annex/site/modules/ingest/context.ts';
import { ingestInstance } from '@annex/site/modules/ingest/service.ts';
import { startSyncAgent } from '@annex/site/modules/sync/role.ts';
import { taskContextOf } from '@annex/site/modules/tasks/context.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../site/test/app.ts';
import { squareRuns } from '../../../site/test/mask-runs.ts';
import { startTestCloud, type TestCloud } from '../app.ts';
import { dumpDatabase } from '../db-dump.ts';
import { registerTestSite } from '../fixtures.ts';
import { eventually } from '../sync-site.ts';

// Issue 5's whole path across the boundary: a site (its API, BullMQ worker and sync agent, on
// its own Postgres, Redis prefix and S3) and a cloud (its API and websocket hub, on its own
// Postgres), talking over a real websocket with signed messages. Keycloak is the embedded issuer.

const ROWS = 32;
const COLS = 32;
const SITE_ID = 'e2e-annotation';

let cloud: TestCloud;
let site: TestSite;
let ct: SyntheticSeries;
let stop: Array<() => Promise<unknown>> = [];

const siteApi = async (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  site.app.inject({
    method,
    url,
    headers: await site.auth(user),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
const cloudApi = async (user: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  cloud.app.inject({
    method,
    url,
    headers: await cloud.auth(user),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

// Seconds of active work each annotator's saves report, and what the site sums (rounded per save).
const WORK = {
  ana: { saves: [30, 12.4], active: 42 },
  ben: { saves: [57], active: 57 },
  cleo: { saves: [15], active: 15 },
} as const;

/** The token subject of a demo user: the `sub` of a token the site's issuer mints for them. */
async function subjectOf(user: string): Promise<string> {
  const payload = (await site.token(user)).split('.')[1]!;
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).sub;
}

const square = (x: number, y: number, w: number, h: number) =>
  squareRuns({ rows: ROWS, columns: COLS }, x, y, w, h);

beforeAll(async () => {
  cloud = await startTestCloud();
  const key = await registerTestSite(cloud, SITE_ID, 'demo-hospital');
  // This hospital lets the cloud show its annotators' names (the default is pseudonyms only).
  site = await startTestSite({ ANNOTATOR_NAMES_TO_CLOUD: '1' });
  const workers = startWorkers(site.deps.redis, site.config.QUEUE_PREFIX, createJobHandlers(site.app));
  const agent = await startSyncAgent(site.app, {
    SITE_ID,
    CLOUD_SYNC_URL: cloud.syncUrl,
    SYNC_ALLOW_INSECURE: '1',
    SITE_SIGNING_KEY: exportPrivateKeyPem(key.privateKey),
    CLOUD_PUBLIC_KEYS: rawPublicKey(cloud.cloudKey.publicKey).toString('base64url'),
    SYNC_POLL_MS: '10',
    SYNC_ANNOUNCE_INTERVAL_MS: '200',
    SYNC_ANNOUNCE_QUIET_MS: '0',
  });
  stop = [agent.close, workers.close];
  ct = makeCtSeries({ study: makeStudy('annotation-qc-e2e'), slices: 3, rows: ROWS, cols: COLS });
  const ingest = ingestContextOf(site.app);
  for (const file of ct.files) await ingestInstance(ingest, file, { via: 'upload' });
}, 120_000);

afterAll(async () => {
  for (const s of stop) await s();
  await site?.close();
  await cloud?.close();
});

describe('ingest → project → three blind annotators → quality → cloud QC → decision → final label set', () => {
  let taskId: string;
  let cloudTask: { taskId: string; revision: number };

  it('three annotators label the routed task through the site API and submit', async () => {
    const project = await siteApi('admin', 'POST', '/api/projects', {
      slug: 'e2e-lesions',
      name: 'E2E lesions',
      consensusSize: 3,
      goldRate: 0,
      goldWarmup: 0,
      instructions: {
        labels: [{ id: 'lesion', name: 'Lesion', color: '#ff0000', tool: 'mask', required: true }],
      },
    });
    expect(project.statusCode).toBe(201);
    const added = await siteApi('admin', 'POST', `/api/projects/${project.json().id}/tasks`, {
      studyInstanceUids: [ct.study.studyInstanceUid],
    });
    expect(added.json().created).toBe(1);
    for (const [user, dx] of [
      ['ana', 0],
      ['ben', 0],
      ['cleo', 6],
    ] as const) {
      const view = (await siteApi(user, 'POST', '/api/tasks/next', {})).json();
      taskId = view.id;
      const sop = ct.sopInstanceUids[1]!;
      const { deidUid } = taskContextOf(site.app).ids;
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
                image: { seriesUid: view.seriesUids[0], sopInstanceUid: deidUid(sop), frame: 1 },
                runs: square(4 + dx, 4, 12, 12),
              },
            ],
          },
        ],
      };
      // Active seconds as the viewer measures them, per save: Ana saves twice.
      for (const [i, activeSeconds] of WORK[user].saves.entries()) {
        const saved = await siteApi(user, 'PUT', `/api/tasks/${taskId}/annotation`, {
          clientRevisionId: `${user}-e2e-000${i + 1}`,
          baseRevision: i,
          doc,
          activeSeconds,
        });
        expect(saved.statusCode).toBe(200);
      }
      expect((await siteApi(user, 'POST', `/api/tasks/${taskId}/submit`, {})).statusCode).toBe(204);
    }
  });

  it('the cloud shows the task with its agreement numbers under pseudonyms, and nothing else', async () => {
    await eventually(
      async () => {
        const list = await cloudApi('quinn', 'GET', `/api/qc/tasks?siteId=${SITE_ID}`);
        const item = list.json().tasks?.[0];
        return item?.status === 'in_review' && item?.metricsRevision !== null;
      },
      30_000,
      'task metrics at the cloud',
    );
    const item = (await cloudApi('quinn', 'GET', `/api/qc/tasks?siteId=${SITE_ID}`)).json().tasks[0];
    expect(item.taskId).toMatch(/^tk_/);
    expect(item.assigneeIds).toHaveLength(3);
    // Two identical 12×12 squares and one shifted by half its width: pairwise Dice 1, 0.5, 0.5.
    expect(item.minDice).toBeCloseTo(2 / 3, 6);
    expect(item.flags).toContain('outlier_annotator');
    cloudTask = { taskId: item.taskId, revision: item.revision };
    const detail = (await cloudApi('quinn', 'GET', `/api/qc/tasks/${SITE_ID}/${item.taskId}`)).json();
    expect(JSON.stringify(detail)).toContain('annotator_score');
    // Each annotator's work numbers arrived under their pseudonym, with the name this site allows.
    const { ids } = taskContextOf(site.app);
    const pseudonym = async (user: string) => ids.user(await subjectOf(user));
    const byId = new Map(detail.annotators.map((a: { annotatorId: string }) => [a.annotatorId, a]));
    for (const user of ['ana', 'ben', 'cleo'] as const) {
      expect(byId.get(await pseudonym(user))).toMatchObject({
        displayName: user,
        activeSeconds: WORK[user].active,
        revisionCount: WORK[user].saves.length,
        reworkCount: 0,
      });
    }
    // The pairwise matrix: Ana and Ben painted the same square, Cleo's is shifted by half its width.
    expect(detail.pairwise).toHaveLength(1);
    expect(detail.pairwise[0]).toMatchObject({ labelId: 'lesion', metric: 'dice' });
    const cell = async (x: string, y: string) => {
      const [a, b] = [await pseudonym(x), await pseudonym(y)];
      return detail.pairwise[0].pairs.find(
        (p: { annotatorA: string; annotatorB: string }) =>
          (p.annotatorA === a && p.annotatorB === b) || (p.annotatorA === b && p.annotatorB === a),
      )?.value;
    };
    expect(await cell('ana', 'ben')).toBe(1);
    expect(await cell('ana', 'cleo')).toBeCloseTo(0.5, 10);
    expect(await cell('ben', 'cleo')).toBeCloseTo(0.5, 10);
    // Performance: active time per task and display names.
    const perf = (
      await cloudApi('quinn', 'GET', `/api/qc/projects/${SITE_ID}/${item.projectId}/annotators`)
    ).json();
    const anaId = await pseudonym('ana');
    const ana = perf.annotators.find((a: { annotatorId: string }) => a.annotatorId === anaId);
    expect(ana).toMatchObject({ displayName: 'ana', activeSecondsPerTask: WORK.ana.active, reworkRate: 0 });
    // Another organization's QC manager sees nothing of it.
    const other = await cloudApi('olga', 'GET', `/api/qc/tasks?siteId=${SITE_ID}`);
    expect(other.json().tasks ?? []).toHaveLength(0);
  });

  it('a QC manager accepts the consensus; the site applies it and keeps the final label set', async () => {
    const decided = await cloudApi(
      'quinn',
      'POST',
      `/api/qc/tasks/${SITE_ID}/${cloudTask.taskId}/decisions`,
      {
        verdict: { kind: 'accept-consensus' },
      },
    );
    expect(decided.statusCode).toBe(202);
    await eventually(
      async () => (await site.deps.prisma.labelSet.count({ where: { taskRef: taskId } })) === 1,
      30_000,
      'label set at the site',
    );
    const labelset = (await siteApi('admin', 'GET', `/api/tasks/${taskId}/labelset`)).json();
    expect(labelset.method).toBe('staple');
    // STAPLE sides with the two annotators who agreed.
    expect(labelset.doc.masks[0].slices[0].runs).toEqual(square(4, 4, 12, 12));
    await eventually(
      async () => {
        const d = (await cloudApi('quinn', 'GET', `/api/qc/decisions?siteId=${SITE_ID}`)).json();
        return d.decisions?.[0]?.command?.state === 'applied';
      },
      30_000,
      'decision applied state at the cloud',
    );
    await eventually(
      async () => {
        const t = (await cloudApi('quinn', 'GET', `/api/qc/tasks?siteId=${SITE_ID}`)).json().tasks[0];
        return t.status === 'accepted' && t.final?.method === 'staple';
      },
      30_000,
      'final label set at the cloud',
    );
  });

  it('the cloud database holds none of the study’s PHI, UIDs or the site’s database ids', async () => {
    const dump = await dumpDatabase(cloud.databaseUrl);
    const canaries = [
      ...phiValuesOf(ct.study.patient, ct.study),
      ct.study.studyInstanceUid,
      ct.seriesInstanceUid,
      ...ct.sopInstanceUids,
      taskId,
    ];
    for (const value of canaries) expect(dump, 'a PHI value reached the cloud').not.toContain(value);
  });
});
