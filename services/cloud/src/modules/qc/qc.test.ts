import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud, type TestCloud } from '../../../test/app.ts';
import { pid, QcTestSite, taskMetrics, taskUpserted } from './qc-test-site.ts';

// The QC module end to end inside the cloud: signed messages through the real hub into a real
// Postgres, the API through HTTP with Keycloak-shaped tokens. quinn (demo-hospital, site qc-a)
// and olga (other-hospital, site qc-b) must never see each other's data.

let cloud: TestCloud;
let a: QcTestSite;
let b: QcTestSite;
const P = 'proj-1';
const PID = pid('prj', P);

beforeAll(async () => {
  cloud = await startTestCloud();
  a = await QcTestSite.connect(cloud, 'qc-a', 'demo-hospital');
  b = await QcTestSite.connect(cloud, 'qc-b', 'other-hospital');
});
afterAll(async () => {
  a?.close();
  b?.close();
  await cloud?.close();
});

const get = async (user: string, url: string) => {
  const res = await cloud.app.inject({ url, headers: await cloud.auth(user) });
  return { status: res.statusCode, json: () => res.json(), text: res.body, headers: res.headers };
};
const send = async (user: string, method: 'POST' | 'PUT', url: string, payload: object) => {
  const res = await cloud.app.inject({ method, url, payload, headers: await cloud.auth(user) });
  return { status: res.statusCode, json: () => res.json() };
};
const taskIds = (body: { tasks: { taskId: string }[] }) => body.tasks.map((t) => t.taskId);

describe('applying QC messages', () => {
  it('keeps the highest task revision and ignores re-sent and older ones', async () => {
    await a.send(taskUpserted({ project: P, task: 't-rev', revision: 2, status: 'in_progress' }));
    await a.send(taskUpserted({ project: P, task: 't-rev', revision: 1, status: 'pending' }));
    await a.send(taskUpserted({ project: P, task: 't-rev', revision: 2, status: 'in_progress' }));
    const row = await cloud.prisma.qcTask.findUniqueOrThrow({
      where: { siteId_taskId: { siteId: 'qc-a', taskId: pid('tk', 't-rev') } },
    });
    expect(row.status).toBe('in_progress');
    expect(row.revision).toBe(2n);
    // Both revisions are in the history, each once.
    expect(
      await cloud.prisma.qcTaskEvent.count({ where: { siteId: 'qc-a', taskId: pid('tk', 't-rev') } }),
    ).toBe(2);
    await a.send(taskUpserted({ project: P, task: 't-rev', revision: 3, status: 'submitted' }));
    const after = await cloud.prisma.qcTask.findUniqueOrThrow({
      where: { siteId_taskId: { siteId: 'qc-a', taskId: pid('tk', 't-rev') } },
    });
    expect(after.status).toBe('submitted');
  });

  it('keeps every metrics revision, once each, and summarizes the newest', async () => {
    const t = { project: P, task: 't-met' };
    await a.send(taskUpserted(t));
    await a.send(
      taskMetrics({ ...t, revision: 1 }, { liver: { dice: 0.5 } }, { a1: 0.5, a2: 0.6, a3: 0.55 }),
    );
    await a.send(
      taskMetrics({ ...t, revision: 1 }, { liver: { dice: 0.5 } }, { a1: 0.5, a2: 0.6, a3: 0.55 }),
    );
    await a.send(
      taskMetrics({ ...t, revision: 2 }, { liver: { dice: 0.92 } }, { a1: 0.9, a2: 0.95, a3: 0.93 }),
    );
    const where = { siteId: 'qc-a', taskId: pid('tk', 't-met') };
    expect(await cloud.prisma.qcMetricEvent.count({ where })).toBe(2);
    expect(await cloud.prisma.qcAnnotatorScore.count({ where })).toBe(6);
    const res = (await get('quinn', `/api/qc/tasks/qc-a/${pid('tk', 't-met')}`)).json();
    expect(res.task.metricsRevision).toBe(2);
    expect(res.task.agreement).toBe(0.92);
    expect(res.task.flags).toEqual([]);
    expect(res.labels).toEqual([expect.objectContaining({ labelId: 'liver', dice: 0.92 })]);
    expect(res.metricsHistory.map((h: { revision: number }) => h.revision)).toEqual([2, 1]);
    expect(res.annotators).toHaveLength(3);
    expect(res.annotators[0]).toMatchObject({ scoredAgainst: 'consensus', stapleSpecificity: 0.99 });
    expect(res.pairwise).toEqual([]);
  });

  it('summarizes metrics that arrived before their task once the task arrives', async () => {
    const t = { project: P, task: 't-early' };
    await a.send(taskMetrics(t, { liver: { dice: 0.3 } }, { a1: 0.3, a2: 0.35 }));
    await a.send(taskUpserted({ ...t, isGold: true }));
    const res = (await get('quinn', `/api/qc/tasks/qc-a/${pid('tk', 't-early')}`)).json();
    expect(res.task.flags).toEqual(['low_agreement', 'gold_miss']);
    // The scores learned the task is gold, so they count as accuracy against gold.
    const scores = await cloud.prisma.qcAnnotatorScore.findMany({
      where: { siteId: 'qc-a', taskId: pid('tk', 't-early') },
    });
    expect(scores.map((s) => [s.isGold, s.latest])).toEqual([
      [true, true],
      [true, true],
    ]);
  });

  it('records a finalized label set once and shows it on the task', async () => {
    const t = { project: P, task: 't-final' };
    const fin = {
      type: 'labelset.finalized' as const,
      body: {
        taskId: pid('tk', t.task),
        projectId: PID,
        annotationSetId: pid('ann', 'final-1'),
        method: 'annotator' as const,
        annotatorId: pid('usr', 'a2'),
        labelIds: ['liver'],
      },
    };
    await a.send(taskUpserted(t), fin);
    await a.send(fin);
    expect(
      await cloud.prisma.qcLabelSet.count({ where: { siteId: 'qc-a', taskId: pid('tk', t.task) } }),
    ).toBe(1);
    const res = (await get('quinn', `/api/qc/tasks/qc-a/${pid('tk', t.task)}`)).json();
    expect(res.task.final).toMatchObject({ method: 'annotator', annotatorId: pid('usr', 'a2') });
    expect(res.labelSets).toHaveLength(1);
  });
});

describe('the review queue', () => {
  const Q = 'proj-queue';
  beforeAll(async () => {
    const msgs: Parameters<QcTestSite['send']> = [
      {
        type: 'study.available',
        body: {
          studyId: pid('st', 'q-0'),
          series: [
            {
              seriesId: pid('se', 'q-0'),
              modality: 'MR',
              sopClassUid: '1.2.840.10008.5.1.4.1.1.4',
              instanceCount: 30,
              frameCount: 30,
              rows: 256,
              columns: 256,
              sliceThicknessMm: 3,
            },
          ],
        },
      },
    ];
    for (let i = 0; i < 12; i++) {
      const t = { project: Q, task: `q-${i}`, isGold: i === 11 };
      msgs.push(taskUpserted(t));
      const dice = 0.5 + i * 0.04; // 0.50 … 0.94
      msgs.push(
        taskMetrics(
          t,
          { liver: { dice }, lesion: { dice: 0.95 }, grade: { fleiss_kappa: i === 3 ? 0.2 : 0.9 } },
          i === 5 ? { a1: 0.95, a2: 0.9, a3: 0.5 } : { a1: dice, a2: dice, a3: dice },
        ),
      );
    }
    await a.send(...msgs);
  });
  const q = (query: string) => get('quinn', `/api/qc/tasks?projectId=${pid('prj', Q)}&${query}`);

  it('sorts by agreement, worst first, and pages without repeats or gaps', async () => {
    const all = (await q('limit=200')).json();
    expect(all.total).toBe(12);
    const agreements = all.tasks.map((t: { agreement: number }) => t.agreement);
    expect(agreements).toEqual([...agreements].sort((x, y) => x - y));
    const pages = [];
    for (let offset = 0; offset < 12; offset += 5)
      pages.push(...taskIds((await q(`limit=5&offset=${offset}`)).json()));
    expect(pages).toEqual(taskIds(all));
    // A task's agreement is its worst label's: at best liver 0.94, lesion 0.95 and grade kappa 0.9.
    const desc = (await q('sort=-agreement&limit=1')).json();
    expect(desc.tasks[0].agreement).toBe(0.9);
  });

  it('filters by flag, label agreement range, kappa, gold, status and modality', async () => {
    const low = (await q('flag=low_agreement&limit=200')).json();
    // dice < 0.7: q-0..q-4 (0.50..0.66), plus q-3 again for kappa; q-11 (gold) is not low.
    expect(low.total).toBe(5);
    const liver = (await q('label=liver&minDice=0.6&maxDice=0.75&limit=200')).json();
    expect(taskIds(liver).sort()).toEqual(['q-3', 'q-4', 'q-5', 'q-6'].map((t) => pid('tk', t)).sort());
    const lesion = (await q('label=lesion&maxDice=0.9')).json();
    expect(lesion.total).toBe(0);
    const kappa = (await q('maxKappa=0.5')).json();
    expect(taskIds(kappa)).toEqual([pid('tk', 'q-3')]);
    expect((await q('flag=outlier_annotator')).json().tasks.map((t: { taskId: string }) => t.taskId)).toEqual(
      [pid('tk', 'q-5')],
    );
    expect((await q('isGold=true')).json().total).toBe(1);
    const mr = (await q('modality=MR')).json();
    expect(taskIds(mr)).toEqual([pid('tk', 'q-0')]);
    expect(mr.tasks[0].modalities).toEqual(['MR']);
    expect((await q('modality=CT')).json().total).toBe(0);
    expect((await q('status=submitted,in_review')).json().total).toBe(12);
    expect((await q('status=accepted')).json().total).toBe(0);
  });

  it('refuses a malformed filter with a 400', async () => {
    expect((await q('flag=nonsense')).status).toBe(400);
    expect((await q('minDice=3')).status).toBe(400);
    expect((await get('quinn', '/api/qc/tasks?projectId=not-a-pseudonym')).status).toBe(400);
  });

  it('gives project overview numbers', async () => {
    const o = (await get('quinn', `/api/qc/projects/qc-a/${pid('prj', Q)}/overview`)).json();
    expect(o.tasks).toBe(12);
    expect(o.tasksByStatus).toEqual({ submitted: 12 });
    expect(o.flagged.low_agreement).toBe(5);
    const liver = o.labels.find((l: { labelId: string }) => l.labelId === 'liver');
    expect(liver.medianAgreement).toBeCloseTo((0.5 + 0.04 * 5 + 0.5 + 0.04 * 6) / 2, 10);
    expect(o.gold).toMatchObject({ tasks: 1, scores: 3 });
    expect(o.gold.accuracy).toBeCloseTo(0.94, 10);
    expect(o.backlog.open).toBe(12);
    expect(o.statusPerDay[0]).toMatchObject({ status: 'submitted', tasks: 12 });
  });

  it('reports annotator performance and exports it as CSV', async () => {
    const perf = (await get('quinn', `/api/qc/projects/qc-a/${pid('prj', Q)}/annotators`)).json();
    const a3 = perf.annotators.find((x: { annotatorId: string }) => x.annotatorId === pid('usr', 'a3'));
    expect(a3.tasks).toBe(12);
    expect(a3.goldTasks).toBe(1);
    expect(a3.goldAccuracy).toBeCloseTo(0.94, 10);
    const days = (
      await get('quinn', `/api/qc/projects/qc-a/${pid('prj', Q)}/annotators/${pid('usr', 'a1')}/performance`)
    ).json();
    expect(days.days).toHaveLength(1);
    expect(days.days[0].tasks).toBe(12);
    const csv = await get('quinn', `/api/qc/projects/qc-a/${pid('prj', Q)}/annotators.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'annotator_id,display_name,day,tasks,gold_tasks,gold_accuracy,consensus_agreement,mean_dice,mean_active_seconds,rework_rate',
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]?.split(',')[3]).toBe('12');
  });
});

describe('decisions', () => {
  const D = 'proj-dec';
  beforeAll(async () => {
    await a.send(
      taskUpserted({ project: D, task: 'd-1', revision: 4, annotators: ['a2', 'a3'] }),
      taskUpserted({ project: D, task: 'd-2' }),
      taskUpserted({ project: D, task: 'd-3' }),
      taskMetrics({ project: D, task: 'd-1' }, { liver: { dice: 0.4 } }, { a1: 0.4, a2: 0.45 }),
    );
  });

  it('sends a decision to the site as qc.decision and shows it applied after command.result', async () => {
    const tk = pid('tk', 'd-1');
    const res = await send('quinn', 'POST', `/api/qc/tasks/qc-a/${tk}/decisions`, {
      verdict: { kind: 'accept-annotator', annotatorId: pid('usr', 'a2') },
      taskRevision: 4,
    });
    expect(res.status).toBe(202);
    const decision = res.json();
    expect(decision).toMatchObject({
      taskId: tk,
      verdict: 'accept-annotator',
      decidedBy: { username: 'quinn' },
      command: { state: 'sent' },
    });
    const cmd = await a.command('qc.decision', (e) => e.type === 'qc.decision' && e.body.taskId === tk);
    expect(cmd.body).toEqual({
      decisionId: decision.decisionId,
      taskId: tk,
      taskRevision: 4,
      verdict: { kind: 'accept-annotator', annotatorId: pid('usr', 'a2') },
    });
    expect(cmd.seq).toBe(decision.command.seq);
    await a.send({
      type: 'command.result',
      body: { status: 'applied', commandSeq: cmd.seq, commandType: 'qc.decision' },
    });
    const detail = (await get('quinn', `/api/qc/tasks/qc-a/${tk}`)).json();
    expect(detail.decisions[0].command).toMatchObject({ state: 'applied', code: null });
    expect(detail.decisions[0].command.resultAt).not.toBeNull();
    const queue = (await get('quinn', `/api/qc/tasks?projectId=${pid('prj', D)}&flag=low_agreement`)).json();
    expect(queue.tasks[0].lastDecision).toMatchObject({ decisionId: decision.decisionId, state: 'applied' });
  });

  it('shows a decision the site refused as failed with its code', async () => {
    const tk = pid('tk', 'd-2');
    const res = await send('quinn', 'POST', `/api/qc/tasks/qc-a/${tk}/decisions`, {
      verdict: { kind: 'rework', comment: 'Lesion border misses the caudal slices.' },
    });
    const cmd = await a.command('qc.decision', (e) => e.type === 'qc.decision' && e.body.taskId === tk);
    expect(cmd.body.verdict).toEqual({ kind: 'rework', comment: 'Lesion border misses the caudal slices.' });
    await a.send({
      type: 'command.result',
      body: {
        status: 'failed',
        commandSeq: cmd.seq,
        commandType: 'qc.decision',
        code: 'STALE_TASK_REVISION',
      },
    });
    const failed = (await get('quinn', `/api/qc/decisions?state=failed&taskId=${tk}`)).json().decisions;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      decisionId: res.json().decisionId,
      comment: 'Lesion border misses the caudal slices.',
      command: { state: 'failed', code: 'STALE_TASK_REVISION' },
    });
  });

  it('refuses a stale revision, an annotator who was not on the task, and an unknown task', async () => {
    const tk = pid('tk', 'd-3');
    const before = await cloud.prisma.outboxCommand.count({ where: { siteId: 'qc-a' } });
    const stale = await send('quinn', 'POST', `/api/qc/tasks/qc-a/${tk}/decisions`, {
      verdict: { kind: 'escalate' },
      taskRevision: 7,
    });
    expect(stale.status).toBe(409);
    expect(stale.json().error.code).toBe('TASK_CHANGED');
    const stranger = await send('quinn', 'POST', `/api/qc/tasks/qc-a/${tk}/decisions`, {
      verdict: { kind: 'accept-annotator', annotatorId: pid('usr', 'stranger') },
    });
    expect(stranger.status).toBe(400);
    expect(stranger.json().error.code).toBe('ANNOTATOR_NOT_ON_TASK');
    const unknown = await send('quinn', 'POST', `/api/qc/tasks/qc-a/${pid('tk', 'nope')}/decisions`, {
      verdict: { kind: 'escalate' },
    });
    expect(unknown.status).toBe(404);
    expect(await cloud.prisma.outboxCommand.count({ where: { siteId: 'qc-a' } })).toBe(before);
    // a1 was scored on d-1, though d-1's assignee list (released assignments) no longer names them.
    const released = await send('quinn', 'POST', `/api/qc/tasks/qc-a/${pid('tk', 'd-1')}/decisions`, {
      verdict: { kind: 'accept-annotator', annotatorId: pid('usr', 'a1') },
    });
    expect(released.status).toBe(202);
  });

  it('decides a filtered set in bulk, one command per task, only if the count is what was seen', async () => {
    const filter = { projectId: pid('prj', D), status: ['submitted'] };
    const wrong = await send('quinn', 'POST', '/api/qc/decisions/bulk', {
      filter,
      verdict: { kind: 'escalate' },
      expectedCount: 2,
    });
    expect(wrong.status).toBe(409);
    const ok = await send('quinn', 'POST', '/api/qc/decisions/bulk', {
      filter,
      verdict: { kind: 'escalate' },
      expectedCount: 3,
    });
    expect(ok.status).toBe(202);
    expect(ok.json().count).toBe(3);
    const listed = (await get('quinn', `/api/qc/decisions?bulkId=${ok.json().bulkId}`)).json().decisions;
    expect(listed).toHaveLength(3);
    expect(new Set(listed.map((d: { command: { seq: number } }) => d.command.seq)).size).toBe(3);
    await a.site.waitFor(
      (r) => r.filter((e) => e.type === 'qc.decision' && e.body.verdict.kind === 'escalate').length === 3,
    );
    const bulkAnnotator = await send('quinn', 'POST', '/api/qc/decisions/bulk', {
      filter,
      verdict: { kind: 'accept-annotator', annotatorId: pid('usr', 'a1') },
      expectedCount: 3,
    });
    expect(bulkAnnotator.status).toBe(400);
  });
});

describe('project settings', () => {
  const S = 'proj-set';
  it('sends settings as project.settings with a revision, re-flags tasks, and shows when they took effect', async () => {
    const t = { project: S, task: 's-1' };
    await a.send(taskUpserted(t), taskMetrics(t, { liver: { dice: 0.8 } }, { a1: 0.8, a2: 0.8 }));
    const url = `/api/qc/projects/qc-a/${pid('prj', S)}/settings`;
    expect((await get('quinn', url)).json().current).toBeNull();
    const settings = { consensusSize: 3, goldRate: 0.1, flagThresholds: { diceBelow: 0.85 } };
    const res = await send('quinn', 'PUT', url, settings);
    expect(res.status).toBe(202);
    expect(res.json()).toMatchObject({ revision: 1, reflaggedTasks: 1 });
    const cmd = await a.command('project.settings');
    expect(cmd.body).toEqual({ projectId: pid('prj', S), revision: 1, ...settings });
    const task = (await get('quinn', `/api/qc/tasks/qc-a/${pid('tk', 's-1')}`)).json();
    expect(task.task.flags).toEqual(['low_agreement']);
    let view = (await get('quinn', url)).json();
    expect(view.current.command.state).toBe('sent');
    expect(view.inEffectAtSite).toBeNull();
    await a.send({
      type: 'command.result',
      body: { status: 'applied', commandSeq: cmd.seq, commandType: 'project.settings' },
    });
    view = (await get('quinn', url)).json();
    expect(view.current).toMatchObject({ revision: 1, setBy: 'quinn', command: { state: 'applied' } });
    expect(view.inEffectAtSite.revision).toBe(1);
    expect(view.inEffectAtSite.since).toEqual(expect.any(String));
    const second = await send('quinn', 'PUT', url, { ...settings, flagThresholds: {} });
    expect(second.json().revision).toBe(2);
    expect((await get('quinn', `/api/qc/tasks/qc-a/${pid('tk', 's-1')}`)).json().task.flags).toEqual([]);
  });
});

describe('tenancy', () => {
  const T = 'proj-tenant';
  beforeAll(async () => {
    const tb = { project: T, task: 'b-1' };
    await b.send(taskUpserted(tb), taskMetrics(tb, { liver: { dice: 0.1 } }, { a1: 0.1, a2: 0.2 }));
    await send('olga', 'POST', `/api/qc/tasks/qc-b/${pid('tk', 'b-1')}/decisions`, {
      verdict: { kind: 'escalate' },
    });
  });

  it('never lists another organization’s tasks, projects or decisions', async () => {
    const sitesIn = (body: { tasks: { siteId: string }[] }) => [...new Set(body.tasks.map((t) => t.siteId))];
    expect(sitesIn((await get('quinn', '/api/qc/tasks?limit=200')).json())).toEqual(['qc-a']);
    expect(sitesIn((await get('olga', '/api/qc/tasks?limit=200')).json())).toEqual(['qc-b']);
    expect((await get('quinn', '/api/qc/tasks?siteId=qc-b')).json().total).toBe(0);
    expect((await get('olga', `/api/qc/tasks?flag=low_agreement&limit=200`)).json().total).toBe(1);
    const projects = (await get('olga', '/api/qc/projects')).json().projects;
    expect(projects.map((p: { siteId: string }) => p.siteId)).toEqual(['qc-b']);
    const quinnDecisions = (await get('quinn', '/api/qc/decisions?limit=500')).json().decisions;
    expect(quinnDecisions.length).toBeGreaterThan(0);
    expect(quinnDecisions.every((d: { siteId: string }) => d.siteId === 'qc-a')).toBe(true);
    const olgaDecisions = (await get('olga', '/api/qc/decisions')).json().decisions;
    expect(olgaDecisions.map((d: { siteId: string }) => d.siteId)).toEqual(['qc-b']);
    const admin = (await get('cloudadmin', '/api/qc/tasks?limit=200')).json();
    expect(sitesIn(admin).sort()).toEqual(['qc-a', 'qc-b']);
  });

  it('answers 404 for another organization’s task, project pages, decisions and settings', async () => {
    const tb = pid('tk', 'b-1');
    const pb = pid('prj', T);
    expect((await get('quinn', `/api/qc/tasks/qc-b/${tb}`)).status).toBe(404);
    for (const path of ['overview', 'annotators', 'annotators.csv', 'settings']) {
      expect((await get('quinn', `/api/qc/projects/qc-b/${pb}/${path}`)).status).toBe(404);
    }
    const before = await cloud.prisma.outboxCommand.count({ where: { siteId: 'qc-b' } });
    const decide = await send('quinn', 'POST', `/api/qc/tasks/qc-b/${tb}/decisions`, {
      verdict: { kind: 'escalate' },
    });
    expect(decide.status).toBe(404);
    const settings = await send('quinn', 'PUT', `/api/qc/projects/qc-b/${pb}/settings`, {
      consensusSize: 2,
      goldRate: 0,
      flagThresholds: {},
    });
    expect(settings.status).toBe(404);
    const bulk = await send('quinn', 'POST', '/api/qc/decisions/bulk', {
      filter: { siteId: 'qc-b' },
      verdict: { kind: 'escalate' },
      expectedCount: 1,
    });
    expect(bulk.status).toBe(409);
    expect(await cloud.prisma.outboxCommand.count({ where: { siteId: 'qc-b' } })).toBe(before);
  });

  it('requires the qc-manager or cloud-admin role', async () => {
    const res = await cloud.app.inject({ url: '/api/qc/tasks' });
    expect(res.statusCode).toBe(401);
  });
});
