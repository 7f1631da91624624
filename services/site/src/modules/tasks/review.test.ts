import type { AnnotationDoc, Instructions } from '@annex/annotation-model';
import { makeCtSeries, makeStudy, type SyntheticSeries } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { createJobHandlers } from '../../jobs/handlers.ts';
import { startWorkers } from '../../jobs/queues.ts';
import { ingestContextOf } from '../ingest/context.ts';
import { ingestInstance } from '../ingest/service.ts';
import { taskContextOf } from './context.ts';

// The optional review stage end to end: real Postgres, Redis (the quality job runs in a real
// BullMQ worker) and S3; HTTP through the app with tokens per demo user (rita is the reviewer).

const instructions: Instructions = {
  text: 'Box the nodule.',
  examples: [],
  labels: [{ id: 'nodule', name: 'Nodule', color: '#00ff00', tool: 'bbox', required: false, attributes: [] }],
  classifications: [],
};

let site: TestSite;
let stopWorkers: () => Promise<void>;
let projectId: string;
let studies: SyntheticSeries[];

const api = async (user: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
  site.app.inject({
    method,
    url,
    headers: await site.auth(user),
    ...(payload === undefined ? {} : { payload: payload as object }),
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

beforeAll(async () => {
  site = await startTestSite();
  stopWorkers = startWorkers(site.deps.redis, site.config.QUEUE_PREFIX, createJobHandlers(site.app)).close;
  const created = await api('admin', 'POST', '/api/projects', {
    slug: 'reviewed',
    name: 'Reviewed nodules',
    consensusSize: 2,
    goldRate: 0,
    goldWarmup: 0,
    instructions,
  });
  expect(created.statusCode).toBe(201);
  expect(created.json().reviewStage).toBe(false);
  projectId = created.json().id;
  studies = ['review-a', 'review-b'].map((name) =>
    makeCtSeries({ study: makeStudy(name), slices: 1, rows: 16, cols: 16 }),
  );
  const ingest = ingestContextOf(site.app);
  for (const s of studies) for (const file of s.files) await ingestInstance(ingest, file, { via: 'upload' });
});
afterAll(async () => {
  await stopWorkers?.();
  await site?.close();
});

const assignmentOf = async (taskId: string, user: string) => {
  const sub = (await site.issuer.mint(user)).split('.')[1]!;
  const { sub: subject } = JSON.parse(Buffer.from(sub, 'base64url').toString()) as { sub: string };
  return site.deps.prisma.assignment.findUniqueOrThrow({
    where: { taskRef_annotator: { taskRef: taskId, annotator: subject } },
  });
};
const lastTaskStatusSent = async (cloudId: string) => {
  const sent = await site.deps.prisma.syncOutbox.findMany({
    where: { type: 'task.upserted', body: { path: ['taskId'], equals: cloudId } },
    orderBy: { id: 'desc' },
    take: 1,
  });
  return (sent[0]?.body as { status: string } | undefined)?.status;
};

describe('the review stage', () => {
  let taskId: string;
  let cloudId: string;
  let seriesUid: string;
  let sop: string;
  const box = (x: number): AnnotationDoc => ({
    shapes: [
      {
        id: `b${x}`,
        labelId: 'nodule',
        kind: 'bbox',
        image: { seriesUid, sopInstanceUid: sop, frame: 1 },
        points: [
          [x, 2],
          [x + 6, 8],
        ],
        attributes: {},
      },
    ],
    masks: [],
    classifications: {},
  });
  const save = async (user: string, doc: AnnotationDoc, base: number, id: string) =>
    api(user, 'PUT', `/api/tasks/${taskId}/annotation`, { clientRevisionId: id, baseRevision: base, doc });

  it('is turned on by a data-science lead (site-admin) through the project settings, audited', async () => {
    const denied = await api('rita', 'PATCH', `/api/projects/${projectId}/settings`, { reviewStage: true });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('FORBIDDEN_ROLE');
    const empty = await api('admin', 'PATCH', `/api/projects/${projectId}/settings`, {});
    expect(empty.statusCode).toBe(400);
    const on = await api('admin', 'PATCH', `/api/projects/${projectId}/settings`, { reviewStage: true });
    expect(on.statusCode).toBe(200);
    expect(on.json().reviewStage).toBe(true);
    const audit = await site.deps.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'project.settings' },
    });
    expect(audit.resource).toBe(`project/${projectId}`);
    expect(audit.detail).toEqual({ reviewStage: true });
    const added = await api('admin', 'POST', `/api/projects/${projectId}/tasks`, {
      studyInstanceUids: [studies[0]!.study.studyInstanceUid],
    });
    expect(added.json().created).toBe(1);
    taskId = added.json().taskIds[0];
    cloudId = (await site.deps.prisma.task.findUniqueOrThrow({ where: { id: taskId } })).cloudId;
    const ids = taskContextOf(site.app).ids;
    seriesUid = ids.deidUid(studies[0]!.seriesInstanceUid);
    sop = ids.deidUid(studies[0]!.sopInstanceUids[0]!);
  });

  it('holds a submission back for review: the annotator sees it in review, it cannot be edited, the task waits', async () => {
    for (const user of ['ana', 'ben'])
      expect((await api(user, 'POST', '/api/tasks/next', { projectId })).json().id).toBe(taskId);
    expect((await save('ana', box(2), 0, 'ana-rev-0001')).statusCode).toBe(200);
    expect((await api('ana', 'POST', `/api/tasks/${taskId}/submit`, {})).statusCode).toBe(204);
    expect((await assignmentOf(taskId, 'ana')).status).toBe('awaiting_review');
    const view = (await api('ana', 'GET', `/api/tasks/${taskId}`)).json();
    expect(view.status).toBe('in_review');
    const edit = await save('ana', box(3), 1, 'ana-rev-0002');
    expect(edit.statusCode).toBe(409);
    expect(edit.json().error.code).toBe('ASSIGNMENT_NOT_EDITABLE');
    // Ben has not submitted: the task is still being annotated.
    expect((await site.deps.prisma.task.findUniqueOrThrow({ where: { id: taskId } })).status).toBe(
      'in_progress',
    );
  });

  it('shows a reviewer the queue, blind to gold status, and refuses anyone without the reviewer role', async () => {
    const queue = await api('rita', 'GET', `/api/review/queue?projectId=${projectId}`);
    expect(queue.statusCode).toBe(200);
    const items = queue.json().items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ taskId, reworkCount: 0, revision: 1 });
    expect(JSON.stringify(items)).not.toMatch(/gold/i);
    for (const user of ['ana', 'admin']) {
      const denied = await api(user, 'GET', `/api/review/queue?projectId=${projectId}`);
      expect(denied.statusCode).toBe(403);
      expect(denied.json().error.code).toBe('NOT_A_REVIEWER');
    }
    const assignmentId = items[0].assignmentId;
    const approveByAdmin = await api('admin', 'POST', `/api/review/assignments/${assignmentId}/approve`, {});
    expect(approveByAdmin.statusCode).toBe(403);
    expect(approveByAdmin.json().error.code).toBe('NOT_A_REVIEWER');
  });

  it('opens the work read-only: the annotation document and the de-identified task view', async () => {
    const { id } = await assignmentOf(taskId, 'ana');
    const opened = await api('rita', 'GET', `/api/review/assignments/${id}`);
    expect(opened.statusCode).toBe(200);
    const body = opened.json();
    expect(body.doc).toEqual(box(2));
    expect(body.revision).toBe(1);
    expect(body.task).toMatchObject({ id: taskId, projectId, seriesUids: [seriesUid] });
    expect(body.task.studyUid).not.toBe(studies[0]!.study.studyInstanceUid);
    expect(body.task.instructions.labels[0].id).toBe('nodule');
    expect(body).not.toHaveProperty('isGold');
    expect(body.task).not.toHaveProperty('isGold');
  });

  it('sends work back for rework with a comment the annotator sees; the resubmission returns to review', async () => {
    const { id } = await assignmentOf(taskId, 'ana');
    const sent = await api('rita', 'POST', `/api/review/assignments/${id}/rework`, {
      comment: 'The box misses the lower edge of the nodule.',
    });
    expect(sent.statusCode).toBe(200);
    const again = await api('rita', 'POST', `/api/review/assignments/${id}/rework`, { comment: 'twice' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('NOT_AWAITING_REVIEW');
    const late = await api('rita', 'POST', `/api/review/assignments/${id}/approve`, {});
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('NOT_AWAITING_REVIEW');
    const view = (await api('ana', 'GET', `/api/tasks/${taskId}`)).json();
    expect(view.status).toBe('rejected');
    expect(view.reworkComment).toBe('The box misses the lower edge of the nodule.');
    const assignment = await assignmentOf(taskId, 'ana');
    expect(assignment).toMatchObject({ status: 'rework', reworkCount: 1 });
    expect((await save('ana', box(3), 1, 'ana-rev-0003')).statusCode).toBe(200);
    expect((await api('ana', 'POST', `/api/tasks/${taskId}/submit`, {})).statusCode).toBe(204);
    expect((await assignmentOf(taskId, 'ana')).status).toBe('awaiting_review');
    const queue = (await api('rita', 'GET', `/api/review/queue?projectId=${projectId}`)).json().items;
    expect(queue.map((q: { assignmentId: string }) => q.assignmentId)).toEqual([id]);
    expect(queue[0].reworkCount).toBe(1);
  });

  it('reports the task in review to the cloud once every annotator is in, and runs no quality job yet', async () => {
    expect((await save('ben', box(2), 0, 'ben-rev-0001')).statusCode).toBe(200);
    expect((await api('ben', 'POST', `/api/tasks/${taskId}/submit`, {})).statusCode).toBe(204);
    const task = await site.deps.prisma.task.findUniqueOrThrow({ where: { id: taskId } });
    expect(task.status).toBe('in_review');
    expect(await lastTaskStatusSent(cloudId)).toBe('in_review');
    // The cloud cannot decide while the site's own review holds work back.
    const handler = site.app.syncCommands.get('qc.decision')!;
    const early = await site.deps.prisma.$transaction((tx) =>
      handler(
        tx as never,
        {
          decisionId: 'qc_earlyDecision000001',
          taskId: cloudId,
          taskRevision: task.revision,
          verdict: { kind: 'accept-consensus' },
        } as never,
        {} as never,
      ),
    );
    expect(early).toEqual({ status: 'failed', code: 'TASK_IN_SITE_REVIEW' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await site.deps.prisma.qualityResult.count({ where: { taskRef: taskId } })).toBe(0);
  });

  it('counts approved work as submitted: approving the last one runs the quality job on both', async () => {
    const ana = await assignmentOf(taskId, 'ana');
    const ben = await assignmentOf(taskId, 'ben');
    const first = await api('rita', 'POST', `/api/review/assignments/${ana.id}/approve`, {});
    expect(first.json()).toEqual({ taskId, taskComplete: false });
    expect((await site.deps.prisma.task.findUniqueOrThrow({ where: { id: taskId } })).status).toBe(
      'in_review',
    );
    const last = await api('rita', 'POST', `/api/review/assignments/${ben.id}/approve`, {});
    expect(last.json()).toEqual({ taskId, taskComplete: true });
    const quality = await waitFor(() =>
      site.deps.prisma.qualityResult.findUnique({ where: { taskRef: taskId } }),
    );
    expect(quality.annotators).toEqual([ana.annotator, ben.annotator]);
    expect((await site.deps.prisma.task.findUniqueOrThrow({ where: { id: taskId } })).status).toBe(
      'in_review',
    );
    expect((await api('ana', 'GET', `/api/tasks/${taskId}`)).json().status).toBe('in_review');
    expect((await api('rita', 'GET', `/api/review/queue?projectId=${projectId}`)).json().items).toEqual([]);
  });

  it('does not let a reviewer review their own work or a task they annotated, nor list it for them', async () => {
    const added = await api('admin', 'POST', `/api/projects/${projectId}/tasks`, {
      studyInstanceUids: [studies[1]!.study.studyInstanceUid],
    });
    const own = added.json().taskIds[0] as string;
    // Rita may annotate too (the annotating routes accept reviewers).
    expect((await api('rita', 'POST', '/api/tasks/next', { projectId })).json().id).toBe(own);
    expect((await api('rita', 'POST', `/api/tasks/${own}/submit`, {})).statusCode).toBe(204);
    const mine = await assignmentOf(own, 'rita');
    expect(mine.status).toBe('awaiting_review');
    expect((await api('rita', 'GET', `/api/review/queue?projectId=${projectId}`)).json().items).toEqual([]);
    for (const [method, url] of [
      ['GET', `/api/review/assignments/${mine.id}`],
      ['POST', `/api/review/assignments/${mine.id}/approve`],
    ] as const) {
      const refused = await api('rita', method, url, method === 'POST' ? {} : undefined);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('REVIEW_OWN_WORK');
    }
    // Nor a colleague's work on a task she annotated too: that would unblind her own answer.
    expect((await api('ana', 'POST', '/api/tasks/next', { projectId })).json().id).toBe(own);
    expect((await api('ana', 'POST', `/api/tasks/${own}/submit`, {})).statusCode).toBe(204);
    const colleague = await assignmentOf(own, 'ana');
    expect((await api('rita', 'GET', `/api/review/queue?projectId=${projectId}`)).json().items).toEqual([]);
    const unblind = await api('rita', 'GET', `/api/review/assignments/${colleague.id}`);
    expect(unblind.statusCode).toBe(403);
    expect(unblind.json().error.code).toBe('REVIEW_OWN_WORK');
    const unknown = await api('rita', 'GET', '/api/review/assignments/00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('ASSIGNMENT_NOT_FOUND');
  });

  it('audits every review step with the reviewer as actor', async () => {
    const events = await site.deps.prisma.auditEvent.findMany({
      where: { action: { startsWith: 'review.' } },
      orderBy: { id: 'asc' },
    });
    const actions = new Set(events.map((e) => e.action));
    for (const a of ['review.queue', 'review.open', 'review.rework', 'review.approve'])
      expect(actions).toContain(a);
    const rework = events.find((e) => e.action === 'review.rework')!;
    expect(rework.roles).toContain('reviewer');
    expect(rework.detail).toEqual({ task: taskId });
    // Refused attempts change nothing and leave no approval behind, but each is audited with its code.
    expect(events.filter((e) => e.action === 'review.approve')).toHaveLength(2);
    const refusals = events
      .filter((e) => e.action.endsWith('.refused'))
      .map((e) => `${e.action} ${(e.detail as { code: string }).code}`);
    expect(new Set(refusals)).toEqual(
      new Set([
        'review.approve.refused NOT_A_REVIEWER',
        'review.approve.refused NOT_AWAITING_REVIEW',
        'review.rework.refused NOT_AWAITING_REVIEW',
        'review.open.refused REVIEW_OWN_WORK',
        'review.approve.refused REVIEW_OWN_WORK',
      ]),
    );
    // Not found is not a refusal of a step: nothing to audit about a missing id.
    expect(events.some((e) => e.resource === 'assignment/00000000-0000-4000-8000-000000000000')).toBe(false);
  });
});

describe('gold tasks in the review stage', () => {
  it('reviews a gold answer like any other (the reviewer cannot tell), and scores it once approved', async () => {
    const created = await api('admin', 'POST', '/api/projects', {
      slug: 'reviewed-gold',
      name: 'Reviewed with gold',
      consensusSize: 1,
      goldRate: 0,
      goldWarmup: 1,
      reviewStage: true,
      instructions,
    });
    const project = created.json().id as string;
    const added = await api('admin', 'POST', `/api/projects/${project}/tasks`, {
      studyInstanceUids: studies.map((s) => s.study.studyInstanceUid),
    });
    const taskIds = added.json().taskIds as string[];
    // The gold task is the first study's (the reference below is drawn on its image).
    const first = await site.deps.prisma.study.findUniqueOrThrow({
      where: { studyInstanceUid: studies[0]!.study.studyInstanceUid },
    });
    const goldTask = (
      await site.deps.prisma.task.findFirstOrThrow({
        where: { id: { in: taskIds }, studyRef: first.id },
      })
    ).id;
    const regularTask = taskIds.find((id) => id !== goldTask)!;
    const ids = taskContextOf(site.app).ids;
    const image = {
      seriesUid: ids.deidUid(studies[0]!.seriesInstanceUid),
      sopInstanceUid: ids.deidUid(studies[0]!.sopInstanceUids[0]!),
      frame: 1,
    };
    const reference: AnnotationDoc = {
      shapes: [
        {
          id: 'g',
          labelId: 'nodule',
          kind: 'bbox',
          image,
          points: [
            [2, 2],
            [8, 8],
          ],
          attributes: {},
        },
      ],
      masks: [],
      classifications: {},
    };
    expect((await api('admin', 'PUT', `/api/tasks/${goldTask}/gold`, { doc: reference })).statusCode).toBe(
      204,
    );
    // Cleo gets the gold task first (warm-up), then the regular one; both go to review.
    for (const expected of [goldTask, regularTask]) {
      const claimed = (await api('cleo', 'POST', '/api/tasks/next', { projectId: project })).json();
      expect(claimed.id).toBe(expected);
      if (expected === goldTask)
        await api('cleo', 'PUT', `/api/tasks/${goldTask}/annotation`, {
          clientRevisionId: 'cleo-gold-001',
          baseRevision: 0,
          doc: reference,
        });
      expect((await api('cleo', 'POST', `/api/tasks/${expected}/submit`, {})).statusCode).toBe(204);
      expect((await api('cleo', 'GET', `/api/tasks/${expected}`)).json().status).toBe('in_review');
    }
    const items = (await api('rita', 'GET', `/api/review/queue?projectId=${project}`)).json().items as {
      taskId: string;
      assignmentId: string;
    }[];
    expect(items.map((i) => i.taskId).sort()).toEqual([goldTask, regularTask].sort());
    // The same fields for both: nothing tells the gold task apart.
    expect(Object.keys(items[0]!).sort()).toEqual(Object.keys(items[1]!).sort());
    const opened = await Promise.all(
      items.map(async (i) => (await api('rita', 'GET', `/api/review/assignments/${i.assignmentId}`)).json()),
    );
    expect(Object.keys(opened[0]).sort()).toEqual(Object.keys(opened[1]).sort());
    expect(Object.keys(opened[0].task).sort()).toEqual(Object.keys(opened[1].task).sort());
    const cloudId = (await site.deps.prisma.task.findUniqueOrThrow({ where: { id: goldTask } })).cloudId;
    const scored = () =>
      site.deps.prisma.syncOutbox.findFirst({
        where: { type: 'task.metrics', body: { path: ['taskId'], equals: cloudId } },
      });
    expect(await scored()).toBeNull();
    const gold = items.find((i) => i.taskId === goldTask)!;
    const approved = await api('rita', 'POST', `/api/review/assignments/${gold.assignmentId}/approve`, {});
    expect(approved.json()).toEqual({ taskId: goldTask, taskComplete: true });
    const metrics = await waitFor(scored);
    expect((metrics.body as { annotators: { score: number }[] }).annotators[0]!.score).toBe(1);
  });
});
