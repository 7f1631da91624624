import type { AnnotationDoc, Instructions } from '@annex/annotation-model';
import { makeCtSeries, makeStudy } from '@annex/dicom';
import { type BodyOf, generateKeyPair, keyId, sealEnvelope } from '@annex/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { squareRuns } from '../../../test/mask-runs.ts';
import { displayNameOf } from '../annotators/display-name.ts';
import { recordDisplayName } from '../annotators/repository.ts';
import { ingestContextOf } from '../ingest/context.ts';
import { ingestInstance } from '../ingest/service.ts';
import type { Db } from '../sync/db-client.ts';
import { taskContextOf } from '../tasks/context.ts';
import { taskIdentity } from '../tasks/identity.ts';
import { computeQualityForTask } from './job.ts';

// The quality job's message to the cloud on a real site (Postgres, Redis, S3, ingest, HTTP with
// tokens): each annotator's work numbers, the pairwise matrix per label, and the display names
// that cross only where the site allows it. The job is called directly (no worker) so each step's
// outbox can be read in order.

const ROWS = 16;
const COLS = 16;
const instructions: Instructions = {
  text: 'Paint the lesion, box the nodule, rate the study.',
  examples: [],
  labels: [
    { id: 'lesion', name: 'Lesion', color: '#ff0000', tool: 'mask', required: false, attributes: [] },
    { id: 'nodule', name: 'Nodule', color: '#00ff00', tool: 'bbox', required: false, attributes: [] },
  ],
  classifications: [
    {
      id: 'quality',
      label: 'Quality',
      level: 'study',
      type: 'select',
      options: ['good', 'poor'],
      required: true,
    },
  ],
};

const square = (x: number, y: number, w: number, h: number) =>
  squareRuns({ rows: ROWS, columns: COLS }, x, y, w, h);

async function siteWithTask(env: Record<string, string>, seed: string) {
  const site = await startTestSite(env);
  const api = async (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    site.app.inject({
      method,
      url,
      headers: await site.auth(user),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const created = await api('admin', 'POST', '/api/projects', {
    slug: 'chest',
    name: 'Chest',
    consensusSize: 3,
    goldRate: 0,
    goldWarmup: 0,
    routingRules: [{ modality: ['CT'] }],
    instructions,
  });
  expect(created.statusCode).toBe(201);
  const projectId = created.json().id as string;
  const ct = makeCtSeries({ study: makeStudy(seed), slices: 2, rows: ROWS, cols: COLS });
  const ingest = ingestContextOf(site.app);
  for (const file of ct.files) await ingestInstance(ingest, file, { via: 'upload' });
  // Routing runs in a job on a worker; this test has none, so the series is routed here.
  const { routeIndexedSeries } = await import('../tasks/jobs.ts');
  const series = await site.deps.prisma.series.findFirstOrThrow({
    where: { seriesInstanceUid: ct.seriesInstanceUid },
  });
  await routeIndexedSeries(site.app, series.id);
  return { site, api, projectId, ct };
}

const outboxOf = (site: TestSite, type: string) =>
  site.deps.prisma.syncOutbox.findMany({ where: { type }, orderBy: { id: 'asc' } });

describe('quality job: work numbers, pairwise agreement and display names for the cloud', () => {
  let t: Awaited<ReturnType<typeof siteWithTask>>;
  let taskId: string;
  const ids = () => taskIdentity(t.site.config.SITE_SECRET);
  const idOf = async (user: string) => ids().user(await subjectOf(t.site, user));

  beforeAll(async () => {
    t = await siteWithTask({ ANNOTATOR_NAMES_TO_CLOUD: '1' }, 'quality-job-names-on');
  });
  afterAll(async () => {
    await t?.site.close();
  });

  it('records each annotator’s display name when they claim, and sends it once per change', async () => {
    for (const user of ['ana', 'ben', 'cleo']) {
      const claimed = await t.api(user, 'POST', '/api/tasks/next', { projectId: t.projectId });
      expect(claimed.statusCode).toBe(200);
      taskId = claimed.json().id;
    }
    const sent = (await outboxOf(t.site, 'annotator.profile')).map(
      (r) => r.body as BodyOf<'annotator.profile'>,
    );
    expect(sent).toEqual(
      await Promise.all(
        ['ana', 'ben', 'cleo'].map(async (name) => ({ annotatorId: await idOf(name), displayName: name })),
      ),
    );
    // A claim that finds no task records nothing for the caller.
    expect((await t.api('rita', 'POST', '/api/tasks/next', { projectId: t.projectId })).statusCode).toBe(404);
    expect(await t.site.deps.prisma.annotatorProfile.count()).toBe(3);
    // The same name again sends nothing; a changed one (the token's `name` claim now set) is sent once.
    const anaSub = await subjectOf(t.site, 'ana');
    expect(await recordDisplayName(t.site.deps.prisma, anaSub, await idOf('ana'), 'ana')).toBe(false);
    const renamed = displayNameOf({ name: '  Ana   Müller ', username: 'ana' })!;
    expect(await recordDisplayName(t.site.deps.prisma, anaSub, await idOf('ana'), renamed)).toBe(true);
    expect(await recordDisplayName(t.site.deps.prisma, anaSub, await idOf('ana'), renamed)).toBe(false);
    const last = (await outboxOf(t.site, 'annotator.profile')).at(-1)!.body;
    expect(last).toEqual({ annotatorId: await idOf('ana'), displayName: 'Ana Müller' });
    expect(await outboxOf(t.site, 'annotator.profile')).toHaveLength(4);
  });

  it('sends active time, revision count, rework count and the pairwise matrix per label', async () => {
    const view = (await t.api('ana', 'GET', `/api/tasks/${taskId}`)).json();
    const metadata = await t.site.app.inject({
      method: 'GET',
      url: `/dicomweb/studies/${view.studyUid}/series/${view.seriesUids[0]}/metadata`,
      headers: await t.site.auth('ana'),
    });
    const sop = (metadata.json() as Record<string, { Value: string[] }>[])[0]!['00080018']!.Value[0]!;
    const image = { seriesUid: view.seriesUids[0] as string, sopInstanceUid: sop, frame: 1 };
    const doc = (dx: number, quality: string): AnnotationDoc => ({
      shapes: [
        {
          id: `b${dx}`,
          labelId: 'nodule',
          kind: 'bbox',
          image,
          points: [
            [1 + dx, 1],
            [9 + dx, 9],
          ],
          attributes: {},
        },
      ],
      masks: [
        {
          labelId: 'lesion',
          rows: ROWS,
          columns: COLS,
          attributes: {},
          slices: [{ image, runs: square(2 + dx, 2, 8, 8) }],
        },
      ],
      classifications: { quality: { study: quality } },
    });
    // Ana saves three times (12 + 30 + 18 s active), Ben once (45 s), Cleo twice (0 s reported, then 7.6 s).
    const saves: Record<string, [number, number | undefined][]> = {
      ana: [
        [0, 12],
        [0, 30],
        [0, 18],
      ],
      ben: [[0, 45]],
      cleo: [
        [4, undefined],
        [4, 7.6],
      ],
    };
    for (const [user, list] of Object.entries(saves)) {
      for (const [i, [dx, active]] of list.entries()) {
        const saved = await t.api(user, 'PUT', `/api/tasks/${taskId}/annotation`, {
          clientRevisionId: `${user}-save-${i}`,
          baseRevision: i,
          doc: doc(dx, user === 'cleo' ? 'poor' : 'good'),
          ...(active === undefined ? {} : { activeSeconds: active }),
        });
        expect(saved.statusCode).toBe(200);
      }
      expect((await t.api(user, 'POST', `/api/tasks/${taskId}/submit`, {})).statusCode).toBe(204);
    }
    await computeQualityForTask(taskContextOf(t.site.app), taskId);
    const [message] = (await outboxOf(t.site, 'task.metrics')).map((r) => r.body as BodyOf<'task.metrics'>);
    const byId = new Map(message!.annotators.map((a) => [a.annotatorId, a]));
    expect(byId.get(await idOf('ana'))).toMatchObject({
      activeSeconds: 60,
      revisionCount: 3,
      reworkCount: 0,
    });
    expect(byId.get(await idOf('ben'))).toMatchObject({
      activeSeconds: 45,
      revisionCount: 1,
      reworkCount: 0,
    });
    expect(byId.get(await idOf('cleo'))).toMatchObject({
      activeSeconds: 8,
      revisionCount: 2,
      reworkCount: 0,
    });
    const [ana, ben, cleo] = [await idOf('ana'), await idOf('ben'), await idOf('cleo')];
    const who: Record<string, string> = { ana, ben, cleo };

    const label = (id: string) => message!.labels.find((l) => l.labelId === id)!.pairwise!;
    const cell = (id: string, a: string, b: string) =>
      label(id).pairs.find(
        (p) =>
          (p.annotatorA === who[a] && p.annotatorB === who[b]) ||
          (p.annotatorA === who[b] && p.annotatorB === who[a]),
      )!.value;
    expect(label('lesion').metric).toBe('dice');
    expect(label('lesion').pairs).toHaveLength(3);
    expect(cell('lesion', 'ana', 'ben')).toBe(1);
    // 8×8 squares 4 px apart: overlap 4×8, Dice 2·32/128 = 0.5.
    expect(cell('lesion', 'ana', 'cleo')).toBeCloseTo(0.5, 10);
    expect(label('nodule').metric).toBe('f1');
    expect(cell('nodule', 'ana', 'ben')).toBe(1);
    // One study-level answer: a kappa says nothing there, so the matrix is percent agreement.
    expect(label('quality')).toMatchObject({ metric: 'percent_agreement' });
    expect(cell('quality', 'ana', 'ben')).toBe(1);
    expect(cell('quality', 'ben', 'cleo')).toBe(0);
  });

  it('counts a rework round and the saves after it in the next metrics', async () => {
    const task = await t.site.deps.prisma.task.findUniqueOrThrow({ where: { id: taskId } });
    // The decision as the site's sync agent applies a verified cloud command: its registered handler.
    const body: BodyOf<'qc.decision'> = {
      decisionId: 'qc_rework0000000000000001',
      taskId: task.cloudId,
      taskRevision: Number(task.revision),
      verdict: { kind: 'rework', comment: 'Please recheck the lesion edge.' },
    };
    const keys = generateKeyPair();
    const envelope = sealEnvelope(
      { type: 'qc.decision', body, siteId: 'test-site', dir: 'c2s', seq: 1, kid: keyId(keys.publicKey) },
      keys.privateKey,
    );
    const handler = t.site.app.syncCommands.get('qc.decision')!;
    const outcome = await t.site.deps.prisma.$transaction((tx) =>
      handler(tx as unknown as Db, body, envelope as unknown as Parameters<typeof handler>[2]),
    );
    expect(outcome).toEqual({ status: 'applied' });
    for (const [user, base] of [
      ['ana', 3],
      ['ben', 1],
      ['cleo', 2],
    ] as const) {
      const latest = (await t.api(user, 'GET', `/api/tasks/${taskId}/annotation`)).json();
      const saved = await t.api(user, 'PUT', `/api/tasks/${taskId}/annotation`, {
        clientRevisionId: `${user}-rework-0`,
        baseRevision: base,
        doc: latest.doc,
        activeSeconds: 10,
      });
      expect(saved.statusCode).toBe(200);
      expect((await t.api(user, 'POST', `/api/tasks/${taskId}/submit`, {})).statusCode).toBe(204);
    }
    await computeQualityForTask(taskContextOf(t.site.app), taskId);
    const messages = (await outboxOf(t.site, 'task.metrics')).map((r) => r.body as BodyOf<'task.metrics'>);
    expect(messages).toHaveLength(2);
    const anaId = await idOf('ana');
    const ana = messages[1]!.annotators.find((a) => a.annotatorId === anaId);
    expect(ana).toMatchObject({ activeSeconds: 70, revisionCount: 4, reworkCount: 1 });
    expect(messages[1]!.annotators.every((a) => a.reworkCount === 1)).toBe(true);
  });
});

describe('display names where the site does not allow them (the default)', () => {
  let t: Awaited<ReturnType<typeof siteWithTask>>;
  beforeAll(async () => {
    t = await siteWithTask({}, 'quality-job-names-off');
  });
  afterAll(async () => {
    await t?.site.close();
  });

  it('records and sends no name when annotators claim: only pseudonyms cross', async () => {
    expect(t.site.config.ANNOTATOR_NAMES_TO_CLOUD).toBe(false);
    for (const user of ['ana', 'ben'])
      expect((await t.api(user, 'POST', '/api/tasks/next', { projectId: t.projectId })).statusCode).toBe(200);
    expect(await t.site.deps.prisma.annotatorProfile.count()).toBe(0);
    expect(await outboxOf(t.site, 'annotator.profile')).toEqual([]);
    // The task.upserted the claims produced name the annotators by pseudonym only.
    const upserted = (await outboxOf(t.site, 'task.upserted')).map((r) => r.body as BodyOf<'task.upserted'>);
    expect(upserted.at(-1)!.assigneeIds).toHaveLength(2);
    expect(upserted.at(-1)!.assigneeIds.every((id) => /^usr_[A-Za-z0-9_-]{16,64}$/.test(id))).toBe(true);
  });
});

/** The token subject of a demo user: the `sub` of a token the site's issuer mints for them. */
async function subjectOf(site: TestSite, user: string): Promise<string> {
  const payload = (await site.token(user)).split('.')[1]!;
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).sub;
}
