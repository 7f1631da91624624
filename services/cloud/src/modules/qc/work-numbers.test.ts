import type { BodyOf } from '@annex/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud, type TestCloud } from '../../../test/app.ts';
import { reflagDriftedProjects } from './ingest-repository.ts';
import { pid, QcTestSite, taskUpserted } from './qc-test-site.ts';

// Annotators' work numbers in the cloud: active time, revision and rework counts and the pairwise
// matrix from task.metrics, display names from annotator.profile, and the time_outlier flag the
// cloud computes against the project's typical time. Signed messages through the real hub into a
// real Postgres; the API over HTTP with Keycloak-shaped tokens.

let cloud: TestCloud;
let a: QcTestSite;
let b: QcTestSite;

beforeAll(async () => {
  cloud = await startTestCloud();
  a = await QcTestSite.connect(cloud, 'work-a', 'demo-hospital');
  b = await QcTestSite.connect(cloud, 'work-b', 'other-hospital');
});
afterAll(async () => {
  a?.close();
  b?.close();
  await cloud?.close();
});

const get = async (user: string, url: string) => {
  const res = await cloud.app.inject({ url, headers: await cloud.auth(user) });
  return { status: res.statusCode, json: () => res.json(), text: res.body };
};
const put = async (user: string, url: string, payload: object) => {
  const res = await cloud.app.inject({ method: 'PUT', url, payload, headers: await cloud.auth(user) });
  return { status: res.statusCode, json: () => res.json() };
};

interface Work {
  score?: number;
  active?: number;
  revisions?: number;
  reworks?: number;
}

/** task.metrics with the work numbers of each annotator and, optionally, a dice matrix for liver. */
function metrics(
  project: string,
  task: string,
  work: Record<string, Work>,
  opts: { revision?: number; pairs?: [string, string, number | null][] } = {},
): { type: 'task.metrics'; body: BodyOf<'task.metrics'> } {
  return {
    type: 'task.metrics',
    body: {
      taskId: pid('tk', task),
      projectId: pid('prj', project),
      revision: opts.revision ?? 1,
      labels: [
        {
          labelId: 'liver',
          metrics: { dice: 0.8 },
          ...(opts.pairs
            ? {
                pairwise: {
                  metric: 'dice' as const,
                  pairs: opts.pairs.map(([x, y, value]) => ({
                    annotatorA: pid('usr', x),
                    annotatorB: pid('usr', y),
                    value,
                  })),
                },
              }
            : {}),
        },
        { labelId: 'lesion', metrics: { f1: 0.9 } },
      ],
      annotators: Object.entries(work).map(([who, w]) => ({
        annotatorId: pid('usr', who),
        score: w.score ?? 0.9,
        metrics: { dice: w.score ?? 0.9 },
        ...(w.active === undefined ? {} : { activeSeconds: w.active }),
        ...(w.revisions === undefined ? {} : { revisionCount: w.revisions }),
        ...(w.reworks === undefined ? {} : { reworkCount: w.reworks }),
      })),
    },
  };
}

describe('work numbers and the pairwise matrix on the task page', () => {
  const P = 'work-matrix';
  it('stores active time, revisions and reworks per annotator and returns the matrix per label', async () => {
    await a.send(
      taskUpserted({ project: P, task: 'm-1' }),
      metrics(
        P,
        'm-1',
        {
          a1: { active: 300, revisions: 12, reworks: 0 },
          a2: { active: 420, revisions: 7, reworks: 1 },
          a3: { active: 95, revisions: 3, reworks: 0 },
        },
        {
          pairs: [
            ['a1', 'a2', 0.91],
            ['a1', 'a3', 0.62],
            ['a2', 'a3', null],
          ],
        },
      ),
    );
    const res = await get('quinn', `/api/qc/tasks/work-a/${pid('tk', 'm-1')}`);
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.pairwise).toEqual([
      {
        labelId: 'liver',
        metric: 'dice',
        pairs: [
          { annotatorA: pid('usr', 'a1'), annotatorB: pid('usr', 'a2'), value: 0.91 },
          { annotatorA: pid('usr', 'a1'), annotatorB: pid('usr', 'a3'), value: 0.62 },
          { annotatorA: pid('usr', 'a2'), annotatorB: pid('usr', 'a3'), value: null },
        ],
      },
    ]);
    const byId = Object.fromEntries(
      body.annotators.map((x: { annotatorId: string }) => [x.annotatorId, x]),
    ) as Record<string, object>;
    expect(byId[pid('usr', 'a1')]).toMatchObject({
      activeSeconds: 300,
      revisionCount: 12,
      reworkCount: 0,
      displayName: null,
    });
    expect(byId[pid('usr', 'a2')]).toMatchObject({ activeSeconds: 420, revisionCount: 7, reworkCount: 1 });
    const stored = await cloud.prisma.qcAnnotatorScore.findMany({
      where: { siteId: 'work-a', taskId: pid('tk', 'm-1') },
      orderBy: { annotatorId: 'asc' },
    });
    expect(stored.map((s) => s.activeSeconds).sort()).toEqual([300, 420, 95].sort());
  });

  it('keeps the numbers empty (null, no matrix) for a site that predates them', async () => {
    await a.send(taskUpserted({ project: P, task: 'm-old' }), metrics(P, 'm-old', { a1: {}, a2: {} }));
    const body = (await get('quinn', `/api/qc/tasks/work-a/${pid('tk', 'm-old')}`)).json();
    expect(body.pairwise).toEqual([]);
    expect(body.annotators[0]).toMatchObject({
      activeSeconds: null,
      revisionCount: null,
      reworkCount: null,
      timeOutlier: null,
    });
    expect(body.task.flags).not.toContain('time_outlier');
  });

  it('follows a newer metrics revision: the matrix and numbers are replaced', async () => {
    await a.send(
      metrics(
        P,
        'm-1',
        { a1: { active: 310, revisions: 13, reworks: 1 }, a2: { active: 430, revisions: 8, reworks: 1 } },
        {
          revision: 2,
          pairs: [['a1', 'a2', 0.95]],
        },
      ),
    );
    const body = (await get('quinn', `/api/qc/tasks/work-a/${pid('tk', 'm-1')}`)).json();
    expect(body.pairwise[0].pairs).toEqual([
      { annotatorA: pid('usr', 'a1'), annotatorB: pid('usr', 'a2'), value: 0.95 },
    ]);
    expect(body.annotators.map((x: { reworkCount: number }) => x.reworkCount)).toEqual([1, 1]);
  });
});

describe('display names where the site sends them', () => {
  const P = 'work-names';
  it('shows the newest display name on the task page and the performance page, to its organization only', async () => {
    await a.send(
      taskUpserted({ project: P, task: 'n-1' }),
      metrics(P, 'n-1', { a1: { active: 60 }, a2: { active: 70 } }),
      { type: 'annotator.profile', body: { annotatorId: pid('usr', 'a1'), displayName: 'Ana' } },
    );
    await a.send({
      type: 'annotator.profile',
      body: { annotatorId: pid('usr', 'a1'), displayName: 'Dr. Ana Müller' },
    });
    const task = (await get('quinn', `/api/qc/tasks/work-a/${pid('tk', 'n-1')}`)).json();
    const names = Object.fromEntries(
      task.annotators.map((x: { annotatorId: string; displayName: string | null }) => [
        x.annotatorId,
        x.displayName,
      ]),
    );
    expect(names).toEqual({ [pid('usr', 'a1')]: 'Dr. Ana Müller', [pid('usr', 'a2')]: null });
    const perf = (await get('quinn', `/api/qc/projects/work-a/${pid('prj', P)}/annotators`)).json();
    expect(perf.annotators.map((x: { displayName: string | null }) => x.displayName)).toEqual([
      'Dr. Ana Müller',
      null,
    ]);
    // Pseudonyms are per site: the same annotator id at another site is another person, unnamed.
    await b.send(taskUpserted({ project: P, task: 'n-b' }), metrics(P, 'n-b', { a1: { active: 60 } }));
    const other = (await get('olga', `/api/qc/tasks/work-b/${pid('tk', 'n-b')}`)).json();
    expect(other.annotators[0].displayName).toBeNull();
    expect((await get('olga', `/api/qc/tasks/work-a/${pid('tk', 'n-1')}`)).status).toBe(404);
  });
});

describe('time outliers and annotator performance', () => {
  const P = 'work-time';
  const PRJ = pid('prj', P);
  beforeAll(async () => {
    // Six ordinary tasks (~100–140 s each per annotator), then one with a 10 s and one with a 900 s time.
    const messages = [];
    for (let i = 0; i < 6; i++) {
      const task = `t-${i}`;
      messages.push(
        taskUpserted({ project: P, task }),
        metrics(P, task, {
          a1: { active: 100 + i, revisions: 5, reworks: i === 0 ? 1 : 0 },
          a2: { active: 120 + i, revisions: 3, reworks: 0 },
          a3: { active: 140 + i, revisions: 4, reworks: 0 },
        }),
      );
    }
    await a.send(...messages);
    await a.send(
      taskUpserted({ project: P, task: 'fast' }),
      metrics(P, 'fast', { a1: { active: 110 }, a2: { active: 10 }, a3: { active: 130 } }),
      taskUpserted({ project: P, task: 'slow' }),
      metrics(P, 'slow', { a1: { active: 900 }, a2: { active: 120 }, a3: { active: 125 } }),
    );
  });

  it('flags a task where an annotator took under a third or over three times the project’s median', async () => {
    const queue = (await get('quinn', `/api/qc/tasks?projectId=${PRJ}&flag=time_outlier`)).json();
    expect(queue.tasks.map((t: { taskId: string }) => t.taskId).sort()).toEqual(
      [pid('tk', 'fast'), pid('tk', 'slow')].sort(),
    );
    const fast = (await get('quinn', `/api/qc/tasks/work-a/${pid('tk', 'fast')}`)).json();
    expect(fast.task.flags).toContain('time_outlier');
    expect(fast.activeTime).toMatchObject({ factor: 3, samples: 24 });
    expect(fast.activeTime.typicalSeconds).toBeGreaterThan(100);
    expect(fast.annotators.map((x: { timeOutlier: string | null }) => x.timeOutlier)).toEqual([
      null,
      'fast',
      null,
    ]);
    const slow = (await get('quinn', `/api/qc/tasks/work-a/${pid('tk', 'slow')}`)).json();
    expect(slow.annotators.map((x: { timeOutlier: string | null }) => x.timeOutlier)).toEqual([
      'slow',
      null,
      null,
    ]);
    const ordinary = (await get('quinn', `/api/qc/tasks/work-a/${pid('tk', 't-3')}`)).json();
    expect(ordinary.task.flags).not.toContain('time_outlier');
    const overview = (await get('quinn', `/api/qc/projects/work-a/${PRJ}/overview`)).json();
    expect(overview.flagged.time_outlier).toBe(2);
  });

  it('uses the factor from the project settings, and does not send it to the site', async () => {
    const url = `/api/qc/projects/work-a/${PRJ}/settings`;
    const wide = {
      consensusSize: 3,
      goldRate: 0.1,
      flagThresholds: { diceBelow: 0.5, timeOutlierFactor: 20 },
    };
    const res = await put('quinn', url, wide);
    expect(res.status).toBe(202);
    const cmd = await a.command(
      'project.settings',
      (e) => e.type === 'project.settings' && e.body.projectId === PRJ,
    );
    expect(cmd.body.flagThresholds).toEqual({ diceBelow: 0.5 });
    expect((await get('quinn', url)).json().current.flagThresholds).toEqual({
      diceBelow: 0.5,
      timeOutlierFactor: 20,
    });
    expect((await get('quinn', `/api/qc/tasks?projectId=${PRJ}&flag=time_outlier`)).json().total).toBe(0);
    // 5: the 10 s time is under 128/5; the 900 s time is over 5 × 128.
    await put('quinn', url, { ...wide, flagThresholds: { diceBelow: 0.5, timeOutlierFactor: 5 } });
    expect((await get('quinn', `/api/qc/tasks?projectId=${PRJ}&flag=time_outlier`)).json().total).toBe(2);
    expect((await put('quinn', url, { ...wide, flagThresholds: { timeOutlierFactor: 1 } })).status).toBe(400);
    // Unset: not checked, like the other thresholds.
    await put('quinn', url, { ...wide, flagThresholds: { diceBelow: 0.5 } });
    expect((await get('quinn', `/api/qc/tasks?projectId=${PRJ}&flag=time_outlier`)).json().total).toBe(0);
    await put('quinn', url, { ...wide, flagThresholds: { diceBelow: 0.5, timeOutlierFactor: 3 } });
  });

  it('gives each annotator active time per task, rework rate and mean revisions, also per day and in the CSV', async () => {
    const perf = (await get('quinn', `/api/qc/projects/work-a/${PRJ}/annotators`)).json();
    const a1 = perf.annotators.find((x: { annotatorId: string }) => x.annotatorId === pid('usr', 'a1'));
    // a1 worked 100–105 s on the six ordinary tasks, 110 s on "fast" and 900 s on "slow".
    const times = [100, 101, 102, 103, 104, 105, 110, 900];
    expect(a1.activeSecondsPerTask).toBeCloseTo(times.reduce((s, x) => s + x, 0) / times.length, 1);
    // Rework is known on the six tasks that reported it: one of six.
    expect(a1.reworkRate).toBeCloseTo(1 / 6, 10);
    expect(a1.meanRevisions).toBe(5);
    const a2 = perf.annotators.find((x: { annotatorId: string }) => x.annotatorId === pid('usr', 'a2'));
    expect(a2.reworkRate).toBe(0);
    const days = (
      await get('quinn', `/api/qc/projects/work-a/${PRJ}/annotators/${pid('usr', 'a1')}/performance`)
    ).json();
    expect(days.days[0].meanActiveSeconds).toBeCloseTo(a1.activeSecondsPerTask, 1);
    const csv = (await get('quinn', `/api/qc/projects/work-a/${PRJ}/annotators.csv`)).text
      .trim()
      .split('\r\n');
    const header = csv[0]!.split(',');
    const row = csv.find((l) => l.startsWith(pid('usr', 'a1')))!.split(',');
    expect(Number(row[header.indexOf('mean_active_seconds')])).toBeCloseTo(a1.activeSecondsPerTask, 1);
    expect(Number(row[header.indexOf('rework_rate')])).toBeCloseTo(1 / 6, 4);
  });
});

describe('time outliers follow the project as its times accumulate', () => {
  const P = 'work-drift';
  const PRJ = pid('prj', P);
  const ordinary = (from: number, count: number, seconds: number) =>
    Array.from({ length: count }, (_, k) => {
      const task = `d-${from + k}`;
      return [
        taskUpserted({ project: P, task }),
        metrics(P, task, {
          a1: { active: seconds + k },
          a2: { active: seconds + k + 2 },
          a3: { active: seconds + k + 4 },
        }),
      ];
    }).flat();
  const flagged = async () =>
    (await get('quinn', `/api/qc/tasks?projectId=${PRJ}&flag=time_outlier`))
      .json()
      .tasks.map((t: { taskId: string }) => t.taskId);

  it('re-flags a task flagged against an old median once the median drifts, and only then', async () => {
    // Around 100 s a task: a 40 s time is over 100/3 and not an outlier when it arrives.
    await a.send(...ordinary(0, 4, 100));
    await a.send(
      taskUpserted({ project: P, task: 'early' }),
      metrics(P, 'early', { a1: { active: 40 }, a2: { active: 100 }, a3: { active: 102 } }),
    );
    expect(await flagged()).toEqual([]);
    expect(await reflagDriftedProjects(cloud.prisma)).toBeGreaterThanOrEqual(1); // first baseline
    // The project's typical time then moves to ~200 s: 40 s is now under 200/3 (the ~100 s
    // times of the first tasks are not).
    await a.send(...ordinary(10, 12, 200));
    expect(await flagged()).toEqual([]); // "early" still carries the flags it got when it arrived
    const reflagged = await reflagDriftedProjects(cloud.prisma);
    expect(reflagged).toBeGreaterThanOrEqual(1);
    expect(await flagged()).toEqual([pid('tk', 'early')]);
    // Nothing drifted since: nothing is re-flagged again.
    expect(await reflagDriftedProjects(cloud.prisma)).toBe(0);
  });
});
