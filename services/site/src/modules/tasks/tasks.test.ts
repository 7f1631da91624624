import type { AnnotationDoc, Instructions } from '@annex/annotation-model';
import { makeCtSeries, makeStudy, type SyntheticSeries } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { squareRuns } from '../../../test/mask-runs.ts';
import { createJobHandlers } from '../../jobs/handlers.ts';
import { startWorkers } from '../../jobs/queues.ts';
import { ingestContextOf } from '../ingest/context.ts';
import { ingestInstance } from '../ingest/service.ts';
import { taskContextOf } from './context.ts';
import { routeIndexedSeries } from './jobs.ts';

// The annotation domain end to end on the site: real Postgres, Redis (the quality job runs in a
// real BullMQ worker), S3 and ingest; HTTP through the app with tokens per demo user.

const ROWS = 32;
const COLS = 32;
const instructions: Instructions = {
  text: 'Paint the lesion, box the nodule, rate the study.',
  examples: [],
  labels: [
    { id: 'lesion', name: 'Lesion', color: '#ff0000', tool: 'mask', required: true, attributes: [] },
    {
      id: 'nodule',
      name: 'Nodule',
      color: '#00ff00',
      tool: 'bbox',
      required: false,
      attributes: [{ id: 'solid', label: 'Solid', type: 'boolean', required: true }],
    },
  ],
  classifications: [
    {
      id: 'quality',
      label: 'Image quality',
      level: 'study',
      type: 'select',
      options: ['good', 'poor'],
      required: true,
    },
  ],
};

const square = (x: number, y: number, w: number, h: number) =>
  squareRuns({ rows: ROWS, columns: COLS }, x, y, w, h);

let site: TestSite;
let ct: SyntheticSeries;
let stopWorkers: () => Promise<void>;
let projectId: string;

const api = async (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  site.app.inject({
    method,
    url,
    headers: await site.auth(user),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

beforeAll(async () => {
  site = await startTestSite();
  const workers = startWorkers(site.deps.redis, site.config.QUEUE_PREFIX, createJobHandlers(site.app));
  stopWorkers = workers.close;
  const created = await api('admin', 'POST', '/api/projects', {
    slug: 'chest-ct',
    name: 'Chest CT lesions',
    consensusSize: 3,
    goldRate: 0,
    goldWarmup: 0,
    routingRules: [{ modality: ['CT'] }],
    instructions,
  });
  expect(created.statusCode).toBe(201);
  projectId = created.json().id;
  // Ingested after the project exists, so the series-indexed job has a project to route to.
  ct = makeCtSeries({ study: makeStudy('tasks-e2e'), slices: 4, rows: ROWS, cols: COLS });
  const ingest = ingestContextOf(site.app);
  for (const file of ct.files) await ingestInstance(ingest, file, { via: 'upload' });
});
afterAll(async () => {
  await stopWorkers?.();
  await site?.close();
});

async function waitFor<T>(what: () => Promise<T | undefined | null>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (value) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('projects, routing, blind assignment, annotation, quality and QC decisions', () => {
  let taskId: string;
  const docs: Record<string, AnnotationDoc> = {};

  it('routes the indexed CT series into the project as one study task, once', async () => {
    // The series-indexed job (a real BullMQ worker) routes the CT by the project's modality rule.
    await waitFor(() => site.deps.prisma.task.findFirst({ where: { projectRef: projectId } }));
    const series = await site.deps.prisma.series.findFirstOrThrow({
      where: { seriesInstanceUid: ct.seriesInstanceUid },
    });
    expect(await routeIndexedSeries(site.app, series.id)).toBe(0);
    expect(await site.deps.prisma.task.count({ where: { projectRef: projectId } })).toBe(1);
  });

  it('hands the task to three annotators blind, and to nobody beyond the consensus size', async () => {
    for (const user of ['ana', 'ben', 'cleo']) {
      const claimed = await api(user, 'POST', '/api/tasks/next', {});
      expect(claimed.statusCode).toBe(200);
      const view = claimed.json();
      taskId = view.id;
      expect(view.status).toBe('todo');
      expect(view).not.toHaveProperty('isGold');
      // The viewer gets de-identified UIDs, never the originals.
      expect(view.studyUid).not.toBe(ct.study.studyInstanceUid);
      expect(view.seriesUids).not.toContain(ct.seriesInstanceUid);
      expect(view.instructions.labels.map((l: { id: string }) => l.id)).toEqual(['lesion', 'nodule']);
    }
    const fourth = await api('rita', 'POST', '/api/tasks/next', {});
    expect(fourth.statusCode).toBe(404);
    expect(fourth.json().error.code).toBe('NO_TASK_AVAILABLE');
    expect((await api('rita', 'GET', `/api/tasks/${taskId}`)).statusCode).toBe(404);
  });

  it('saves revisions with optimistic concurrency and idempotent replays, and validates against the instructions', async () => {
    const view = (await api('ana', 'GET', `/api/tasks/${taskId}`)).json();
    const [seriesUid] = view.seriesUids as string[];
    const metadata = await site.app.inject({
      method: 'GET',
      url: `/dicomweb/studies/${view.studyUid}/series/${seriesUid}/metadata`,
      headers: await site.auth('ana'),
    });
    expect(metadata.statusCode).toBe(200);
    const sops = (metadata.json() as Record<string, { Value: string[] }>[]).map(
      (m) => m['00080018']!.Value[0]!,
    );
    const image = (k: number) => ({ seriesUid: seriesUid!, sopInstanceUid: sops[k]!, frame: 1 });
    // Ana and Ben paint the same square on two slices; Cleo's is 5 px to the right.
    const mask = (dx: number) => ({
      labelId: 'lesion',
      rows: ROWS,
      columns: COLS,
      attributes: {},
      slices: [1, 2].map((k) => ({ image: image(k), runs: square(8 + dx, 8, 10, 10) })),
    });
    const box = (dx: number) => ({
      id: `b${dx}`,
      labelId: 'nodule',
      kind: 'bbox' as const,
      image: image(1),
      points: [
        [2 + dx, 2],
        [12 + dx, 12],
      ] as [number, number][],
      attributes: { solid: true },
    });
    docs.ana = { shapes: [box(0)], masks: [mask(0)], classifications: { quality: { study: 'good' } } };
    docs.ben = { shapes: [box(0)], masks: [mask(0)], classifications: { quality: { study: 'good' } } };
    docs.cleo = { shapes: [box(1)], masks: [mask(5)], classifications: { quality: { study: 'poor' } } };

    const first = await api('ana', 'PUT', `/api/tasks/${taskId}/annotation`, {
      clientRevisionId: 'ana-rev-0001',
      baseRevision: 0,
      doc: docs.ana,
      activeSeconds: 30,
    });
    expect(first.statusCode).toBe(200);
    expect(first.json().revision).toBe(1);
    const replay = await api('ana', 'PUT', `/api/tasks/${taskId}/annotation`, {
      clientRevisionId: 'ana-rev-0001',
      baseRevision: 0,
      doc: docs.ana,
    });
    expect(replay.json().revision).toBe(1);
    const stale = await api('ana', 'PUT', `/api/tasks/${taskId}/annotation`, {
      clientRevisionId: 'ana-rev-0002',
      baseRevision: 0,
      doc: docs.ana,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('REVISION_CONFLICT');
    const outside = await api('ana', 'PUT', `/api/tasks/${taskId}/annotation`, {
      clientRevisionId: 'ana-rev-0003',
      baseRevision: 1,
      doc: {
        ...docs.ana,
        shapes: [
          {
            ...box(0),
            points: [
              [2, 2],
              [99, 12],
            ],
          },
        ],
      },
    });
    expect(outside.statusCode).toBe(422);
    expect(outside.json().error.details.problems[0].code).toBe('OUTSIDE_IMAGE');
    expect((await api('ana', 'GET', `/api/tasks/${taskId}/annotation`)).json().doc).toEqual(docs.ana);
    // The latest revision is what the annotator sees; nobody else's work is visible.
    expect((await api('ben', 'GET', `/api/tasks/${taskId}/annotation`)).statusCode).toBe(204);
  });

  it('refuses a submit that misses required answers, naming them', async () => {
    await api('ben', 'PUT', `/api/tasks/${taskId}/annotation`, {
      clientRevisionId: 'ben-rev-0001',
      baseRevision: 0,
      doc: { ...docs.ben, classifications: {} },
    });
    const refused = await api('ben', 'POST', `/api/tasks/${taskId}/submit`, {});
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.details.problems.map((p: { code: string }) => p.code)).toEqual([
      'REQUIRED_CLASSIFICATION_MISSING',
    ]);
  });

  it('computes agreement, STAPLE consensus and scores once all three have submitted', async () => {
    await api('ben', 'PUT', `/api/tasks/${taskId}/annotation`, {
      clientRevisionId: 'ben-rev-0002',
      baseRevision: 1,
      doc: docs.ben,
    });
    await api('cleo', 'PUT', `/api/tasks/${taskId}/annotation`, {
      clientRevisionId: 'cleo-rev-0001',
      baseRevision: 0,
      doc: docs.cleo,
    });
    for (const user of ['ana', 'ben', 'cleo'])
      expect((await api(user, 'POST', `/api/tasks/${taskId}/submit`, {})).statusCode).toBe(204);
    const task = await waitFor(() =>
      site.deps.prisma.task.findFirst({ where: { id: taskId, status: 'in_review' } }),
    );
    expect(task.status).toBe('in_review');
    const quality = (await api('admin', 'GET', `/api/tasks/${taskId}/quality`)).json();
    const dice = quality.summary.metrics.filter(
      (m: { metric: string; comparison: string; label: number }) =>
        m.metric === 'dice' && m.comparison === 'pair' && m.label === 1,
    );
    // Identical squares: 1; shifted by half their width: 2·50/(100+100) = 0.5.
    expect(dice.map((m: { value: number }) => m.value).sort()).toEqual([0.5, 0.5, 1]);
    expect(quality.consensusMethod).toBe('staple');
    // STAPLE agrees with the two matching annotators: the consensus is their square.
    expect(quality.consensus.masks[0].slices[0].runs).toEqual(square(8, 8, 10, 10));
    expect(quality.consensus.classifications.quality.study).toBe('good');

    const outbox = await site.deps.prisma.syncOutbox.findMany({ where: { type: 'task.metrics' } });
    expect(outbox).toHaveLength(1);
    const body = outbox[0]!.body as {
      labels: { labelId: string; metrics: Record<string, number> }[];
      annotators: { annotatorId: string; score: number }[];
    };
    const lesion = body.labels.find((l) => l.labelId === 'lesion')!;
    expect(lesion.metrics.dice).toBeCloseTo(2 / 3, 10);
    expect(body.annotators).toHaveLength(3);
    expect(body.annotators.every((a) => /^usr_/.test(a.annotatorId))).toBe(true);
    // Cleo disagreed: she scores below the two who agreed.
    const [a, b, c] = body.annotators.map((x) => x.score);
    expect(c!).toBeLessThan(Math.min(a!, b!));
  });

  it('opens the task for a reviewer by its pseudonym (the QC dashboard link), and for nobody else', async () => {
    const task = await site.deps.prisma.task.findUniqueOrThrow({ where: { id: taskId } });
    const review = await api('rita', 'GET', `/api/review/tasks/${task.cloudId}`);
    expect(review.statusCode).toBe(200);
    const view = (await api('ana', 'GET', `/api/tasks/${taskId}`)).json();
    expect(review.json()).toMatchObject({ id: taskId, studyUid: view.studyUid, seriesUids: view.seriesUids });
    expect((await api('ana', 'GET', `/api/review/tasks/${task.cloudId}`)).statusCode).toBe(403);
    expect((await api('rita', 'GET', '/api/review/tasks/tk_unknownunknownunknown')).statusCode).toBe(404);
  });

  it('puts nothing identifying in any message for the cloud', async () => {
    const messages = await site.deps.prisma.syncOutbox.findMany();
    const text = JSON.stringify(messages.map((m) => m.body));
    for (const phi of [...ct.phi, ct.study.studyInstanceUid, ct.seriesInstanceUid, ...ct.sopInstanceUids]) {
      expect(text).not.toContain(phi);
    }
    expect(text).not.toContain(taskId);
  });

  it('applies a QC decision from the cloud exactly once: accept one annotator → the final label set', async () => {
    const task = await site.deps.prisma.task.findUniqueOrThrow({ where: { id: taskId } });
    const ids = taskContextOf(site.app).ids;
    const handler = site.app.syncCommands.get('qc.decision')!;
    const ben = (await site.deps.prisma.assignment.findMany({ where: { taskRef: taskId } })).find(
      (x) => ids.user(x.annotator) && x.annotator,
    )!;
    const body = (revision: number, decisionId: string) => ({
      decisionId,
      taskId: task.cloudId,
      taskRevision: revision,
      verdict: { kind: 'accept-annotator' as const, annotatorId: ids.user(ben.annotator) },
    });
    const stale = await site.deps.prisma.$transaction((tx) =>
      handler(tx as never, body(task.revision - 1, 'qc_staleDecision000001') as never, {} as never),
    );
    expect(stale).toEqual({ status: 'failed', code: 'STALE_TASK_REVISION' });
    const applied = await site.deps.prisma.$transaction((tx) =>
      handler(tx as never, body(task.revision, 'qc_acceptDecision00001') as never, {} as never),
    );
    expect(applied).toEqual({ status: 'applied' });
    const again = await site.deps.prisma.$transaction((tx) =>
      handler(tx as never, body(task.revision, 'qc_acceptDecision00001') as never, {} as never),
    );
    expect(again).toEqual({ status: 'applied' });
    expect(await site.deps.prisma.qcDecision.count()).toBe(1);
    const labelset = await api('admin', 'GET', `/api/tasks/${taskId}/labelset`);
    expect(labelset.statusCode).toBe(200);
    expect(labelset.json().method).toBe('annotator');
    const latest = await site.deps.prisma.annotationRevision.findFirstOrThrow({
      where: { assignmentRef: ben.id },
      orderBy: { revision: 'desc' },
    });
    expect(labelset.json().doc).toEqual(latest.doc);
    expect(await site.deps.prisma.syncOutbox.count({ where: { type: 'labelset.finalized' } })).toBe(1);
    expect((await api('ana', 'GET', `/api/tasks/${taskId}`)).json().status).toBe('accepted');
  });
});

describe('gold standard, leases and rework', () => {
  let goldProject: string;
  let study2: SyntheticSeries;

  beforeAll(async () => {
    study2 = makeCtSeries({ study: makeStudy('tasks-gold'), slices: 2, rows: ROWS, cols: COLS });
    const ingest = ingestContextOf(site.app);
    for (const file of study2.files) await ingestInstance(ingest, file, { via: 'upload' });
    const created = await api('admin', 'POST', '/api/projects', {
      slug: 'gold-check',
      name: 'Gold check',
      consensusSize: 1,
      goldRate: 0.5,
      goldWarmup: 1,
      leaseSeconds: 60,
      instructions: { ...instructions, labels: [instructions.labels[1]!], classifications: [] },
    });
    goldProject = created.json().id;
    const added = await api('admin', 'POST', `/api/projects/${goldProject}/tasks`, {
      studyInstanceUids: [study2.study.studyInstanceUid, ct.study.studyInstanceUid],
    });
    expect(added.json().created).toBe(2);
  });

  it('seeds a gold task first, indistinguishable to the annotator, and scores the annotator against it', async () => {
    const study = await site.deps.prisma.study.findUniqueOrThrow({
      where: { studyInstanceUid: study2.study.studyInstanceUid },
    });
    const gold = await site.deps.prisma.task.findFirstOrThrow({
      where: { projectRef: goldProject, studyRef: study.id },
    });
    const view = (
      await site.app.inject({
        method: 'GET',
        url: '/api/projects/gold-check',
        headers: await site.auth('admin'),
      })
    ).json();
    expect(view.slug).toBe('gold-check');
    const ids = taskContextOf(site.app).ids;
    const sop = ids.deidUid(study2.sopInstanceUids[0]!);
    const seriesUid = ids.deidUid(study2.seriesInstanceUid);
    const reference: AnnotationDoc = {
      shapes: [
        {
          id: 'g',
          labelId: 'nodule',
          kind: 'bbox',
          image: { seriesUid, sopInstanceUid: sop, frame: 1 },
          points: [
            [4, 4],
            [14, 14],
          ],
          attributes: { solid: false },
        },
      ],
      masks: [],
      classifications: {},
    };
    expect((await api('admin', 'PUT', `/api/tasks/${gold.id}/gold`, { doc: reference })).statusCode).toBe(
      204,
    );
    const claimed = (await api('ana', 'POST', '/api/tasks/next', { projectId: goldProject })).json();
    expect(claimed.id).toBe(gold.id);
    expect(claimed).not.toHaveProperty('isGold');
    const answer = {
      ...reference,
      shapes: [
        {
          ...reference.shapes[0]!,
          points: [
            [4, 4],
            [14, 14],
          ] as [number, number][],
        },
      ],
    };
    await api('ana', 'PUT', `/api/tasks/${gold.id}/annotation`, {
      clientRevisionId: 'ana-gold-001',
      baseRevision: 0,
      doc: answer,
    });
    expect((await api('ana', 'POST', `/api/tasks/${gold.id}/submit`, {})).statusCode).toBe(204);
    const metrics = await waitFor(() =>
      site.deps.prisma.syncOutbox.findFirst({
        where: { type: 'task.metrics', body: { path: ['taskId'], equals: gold.cloudId } },
      }),
    );
    const annotators = (metrics.body as { annotators: { score: number; metrics: Record<string, number> }[] })
      .annotators;
    expect(annotators[0]!.score).toBe(1);
    expect(annotators[0]!.metrics.f1).toBe(1);
  });

  it('returns an abandoned claim to the pool when its lease runs out', async () => {
    const claimed = (await api('ben', 'POST', '/api/tasks/next', { projectId: goldProject })).json();
    const regular = await site.deps.prisma.task.findFirstOrThrow({
      where: { projectRef: goldProject, isGold: false },
    });
    // Ben is due a gold task first (warm-up), then the regular one.
    const second =
      claimed.id === regular.id
        ? claimed
        : (await api('ben', 'POST', '/api/tasks/next', { projectId: goldProject })).json();
    expect(second.id).toBe(regular.id);
    const blocked = await api('cleo', 'POST', '/api/tasks/next', { projectId: goldProject });
    // Cleo gets the gold task (warm-up), never the regular one while Ben holds it.
    expect(blocked.json().id).not.toBe(regular.id);
    await site.deps.prisma.assignment.updateMany({
      where: { taskRef: regular.id },
      data: { leaseExpiresAt: new Date(Date.now() - 1000) },
    });
    const after = await api('cleo', 'POST', '/api/tasks/next', { projectId: goldProject });
    expect(after.json().id).toBe(regular.id);
    expect((await api('ben', 'GET', `/api/tasks/${regular.id}`)).statusCode).toBe(404);
  });

  it('sends a submitted assignment back for rework with the comment, counting every round', async () => {
    const regular = await site.deps.prisma.task.findFirstOrThrow({
      where: { projectRef: goldProject, isGold: false },
    });
    const handler = site.app.syncCommands.get('qc.decision')!;
    const rework = async (round: number) => {
      // Cleo holds the task since the previous test; the project wants one annotator.
      expect((await api('cleo', 'POST', `/api/tasks/${regular.id}/submit`, {})).statusCode).toBe(204);
      const inReview = await waitFor(() =>
        site.deps.prisma.task.findFirst({ where: { id: regular.id, status: 'in_review' } }),
      );
      const applied = await site.deps.prisma.$transaction((tx) =>
        handler(
          tx as never,
          {
            decisionId: `qc_reworkDecision0000${round}`,
            taskId: inReview.cloudId,
            taskRevision: inReview.revision,
            verdict: { kind: 'rework', comment: `Round ${round}: box the whole nodule.` },
          } as never,
          {} as never,
        ),
      );
      expect(applied).toEqual({ status: 'applied' });
      const view = (await api('cleo', 'GET', `/api/tasks/${regular.id}`)).json();
      expect(view.status).toBe('rejected');
      expect(view.reworkComment).toBe(`Round ${round}: box the whole nodule.`);
      // The only live assignment (Ben's claim was released when its lease ran out).
      const assignment = await site.deps.prisma.assignment.findFirstOrThrow({
        where: { taskRef: regular.id, status: 'rework' },
      });
      return assignment.reworkCount;
    };
    expect(await rework(1)).toBe(1);
    expect(await rework(2)).toBe(2);
  });
});
