import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { createQcApi } from '../lib/api.ts';
import AnnotatorsPage from './annotators-page.svelte';
import ChartFigure from './chart-figure.svelte';
import DecisionState from './decision-state.svelte';
import PairwiseMatrix from './pairwise-matrix.svelte';
import TaskPage from './task-page.svelte';

// Svelte 5 components mounted in happy-dom (no canvas there: the charts' tables are what is checked).
let mounted: Record<string, unknown>[] = [];
afterEach(() => {
  for (const c of mounted) unmount(c);
  mounted = [];
  document.body.innerHTML = '';
});
function render<P extends Record<string, unknown>>(component: unknown, props: P): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  mounted.push(mount(component as never, { target, props }) as Record<string, unknown>);
  flushSync();
  return target;
}

describe('decision state', () => {
  it('shows a failed decision with the site’s reason', () => {
    const el = render(DecisionState, {
      command: { seq: 4, state: 'failed', deliveredAt: null, resultAt: null, code: 'STALE_TASK_REVISION' },
    });
    expect(el.querySelector('[data-state]')?.textContent).toBe('failed');
    expect(el.textContent).toContain('STALE_TASK_REVISION');
  });

  it('says when a decision was applied at the site', () => {
    const el = render(DecisionState, {
      command: {
        seq: 4,
        state: 'applied',
        deliveredAt: '2026-11-22T10:00:00.000Z',
        resultAt: '2026-11-22T10:00:02.000Z',
        code: null,
      },
    });
    expect(el.textContent).toContain('applied at site 2026-11-22 10:00');
  });
});

describe('chart figure', () => {
  it('has a text alternative and a table with every number the chart draws', () => {
    const el = render(ChartFigure, {
      id: 'agreement',
      title: 'Median agreement per label',
      rows: { labels: ['liver', 'lesion'], series: [{ label: 'median Dice', data: [0.912, null] }] },
      options: { type: 'bar', yMax: 1 },
    });
    expect(el.querySelector('[role=img]')?.getAttribute('aria-label')).toContain(
      'Median agreement per label',
    );
    const cells = [...el.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.querySelectorAll('th,td')].map((c) => c.textContent),
    );
    expect(cells).toEqual([
      ['liver', '0.91'],
      ['lesion', '–'],
    ]);
  });
});

/**
 * A QC API whose network answers with canned JSON per path: the network is the one edge these
 * happy-dom tests cannot run (the browser e2e test runs the same pages against a real cloud).
 */
function apiAnswering(answers: Record<string, unknown>) {
  const fetchFn = (async (url: string) => {
    const path = new URL(url).pathname;
    const body = answers[path];
    return body === undefined
      ? new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: path } }), { status: 404 })
      : new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return createQcApi({ baseUrl: 'http://cloud.test/api', getToken: async () => 'token', fetchFn });
}
const settle = async () => {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
  }
};

const A = 'usr_aaaaaaaaaaaaaaaaaaaa';
const B = 'usr_bbbbbbbbbbbbbbbbbbbb';
const C = 'usr_cccccccccccccccccccc';

describe('pairwise matrix', () => {
  it('prints every pair’s number in a symmetric table, with its metric named', () => {
    const el = render(PairwiseMatrix, {
      pairwise: {
        labelId: 'lesion',
        metric: 'dice',
        pairs: [
          { annotatorA: A, annotatorB: B, value: 0.912 },
          { annotatorA: A, annotatorB: C, value: 0.5 },
          { annotatorA: B, annotatorB: C, value: null },
        ],
      },
      order: [A, B, C],
      names: { [A]: 'Ana' },
    });
    expect(el.querySelector('caption')?.textContent).toContain('lesion — Dice per annotator pair');
    const rows = [...el.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.querySelectorAll('th,td')].map((c) => c.textContent?.trim()),
    );
    expect(rows).toEqual([
      ['Ana', '—', '0.91', '0.50'],
      ['usr_bbbbbbb…', '0.91', '—', 'n/a'],
      ['usr_ccccccc…', '0.50', 'n/a', '—'],
    ]);
    // The heatmap colours cells with a number; the diagonal and undefined pairs stay plain.
    const cell = el.querySelector<HTMLElement>(`[data-pair="${A} ${B}"]`)!;
    expect(cell.style.backgroundColor).not.toBe('');
    expect(el.querySelector<HTMLElement>(`[data-pair="${B} ${C}"]`)!.style.backgroundColor).toBe('');
  });
});

describe('task page', () => {
  const detail = {
    task: {
      siteId: 'site-a',
      taskId: 'tk_aaaaaaaaaaaaaaaaaaaa',
      projectId: 'prj_aaaaaaaaaaaaaaaaaaaa',
      studyId: 'st_aaaaaaaaaaaaaaaaaaaa',
      seriesIds: [],
      status: 'in_review',
      isGold: false,
      revision: 4,
      assigneeIds: [A, B],
      labelIds: ['lesion'],
      modalities: ['CT'],
      metricsAt: '2026-11-22T10:00:00.000Z',
      agreement: 0.8,
      minDice: 0.8,
      minKappa: null,
      maxHd95Mm: null,
      minAnnotatorScore: 0.7,
      annotatorCount: 2,
      flags: ['time_outlier'],
      firstSeenAt: '2026-11-22T09:00:00.000Z',
      updatedAt: '2026-11-22T10:00:00.000Z',
      final: null,
      lastDecision: null,
    },
    series: [],
    labels: [
      {
        labelId: 'lesion',
        agreement: 0.8,
        dice: 0.8,
        iou: 0.67,
        hd95Mm: null,
        f1: null,
        kappa: null,
        metrics: {},
      },
    ],
    annotators: [
      {
        annotatorId: A,
        score: 0.9,
        scoredAgainst: 'consensus',
        stapleSensitivity: null,
        stapleSpecificity: null,
        metrics: {},
        displayName: 'Ana',
        activeSeconds: 754,
        revisionCount: 12,
        reworkCount: 1,
        timeOutlier: null,
      },
      {
        annotatorId: B,
        score: 0.7,
        scoredAgainst: 'consensus',
        stapleSensitivity: null,
        stapleSpecificity: null,
        metrics: {},
        displayName: null,
        activeSeconds: 40,
        revisionCount: 2,
        reworkCount: 0,
        timeOutlier: 'fast',
      },
    ],
    activeTime: { typicalSeconds: 600, samples: 40, factor: 3 },
    pairwise: [{ labelId: 'lesion', metric: 'dice', pairs: [{ annotatorA: A, annotatorB: B, value: 0.8 }] }],
    metricsHistory: [],
    decisions: [],
    labelSets: [],
  };

  it('shows the pairwise matrix, each annotator’s active time, revisions and rework rounds, and time outliers', async () => {
    const api = apiAnswering({ [`/api/qc/tasks/site-a/${detail.task.taskId}`]: detail });
    const el = render(TaskPage, { api, siteId: 'site-a', taskId: detail.task.taskId, viewers: {} });
    await settle();
    expect(el.querySelector('[data-matrix="lesion"]')?.textContent).toContain('0.80');
    const row = (id: string) =>
      [...el.querySelector(`[data-annotator="${id}"]`)!.querySelectorAll('th,td')].map((c) =>
        c.textContent?.trim(),
      );
    expect(row(A).slice(0, 1)).toEqual(['Ana']);
    expect(row(A).slice(5, 8)).toEqual(['13 min', '12', '1']);
    expect(row(B).slice(5, 8)).toEqual(['40 sfast', '2', '0']);
    expect(el.textContent).toContain('Typical active time for this kind of task in the project: 10 min');
  });

  it('says so when the site sent no pair-by-pair numbers', async () => {
    const old = { ...detail, pairwise: [], activeTime: undefined };
    const api = apiAnswering({ [`/api/qc/tasks/site-a/${detail.task.taskId}`]: old });
    const el = render(TaskPage, { api, siteId: 'site-a', taskId: detail.task.taskId, viewers: {} });
    await settle();
    expect(el.querySelector('[data-matrix]')).toBeNull();
    expect(el.textContent).toContain('The site has not sent pair-by-pair numbers for this task.');
  });
});

describe('annotators page', () => {
  it('shows display names where known, active time per task and rework rate', async () => {
    const summary = (id: string, extra: object) => ({
      annotatorId: id,
      tasks: 10,
      goldTasks: 0,
      goldAccuracy: null,
      consensusAgreement: 0.9,
      meanDice: 0.9,
      meanF1: null,
      stapleSensitivity: null,
      stapleSpecificity: null,
      firstAt: '2026-11-22T09:00:00.000Z',
      lastAt: '2026-11-22T10:00:00.000Z',
      ...extra,
    });
    const api = apiAnswering({
      '/api/qc/projects/site-a/prj_aaaaaaaaaaaaaaaaaaaa/annotators': {
        annotators: [
          summary(A, { displayName: 'Ana', activeSecondsPerTask: 312.5, reworkRate: 0.25, meanRevisions: 4 }),
          summary(B, {
            displayName: null,
            activeSecondsPerTask: null,
            reworkRate: null,
            meanRevisions: null,
          }),
        ],
      },
    });
    const el = render(AnnotatorsPage, { api, siteId: 'site-a', projectId: 'prj_aaaaaaaaaaaaaaaaaaaa' });
    await settle();
    const rows = [...el.querySelectorAll('tbody tr')].map((tr) => tr.querySelector('th')?.textContent);
    expect(rows).toEqual(['Ana', 'usr_bbbbbbb…']);
    expect([...el.querySelectorAll('[data-active-per-task]')].map((c) => c.textContent)).toEqual([
      '5 min',
      '–',
    ]);
    expect([...el.querySelectorAll('[data-rework-rate]')].map((c) => c.textContent)).toEqual(['25.0 %', '–']);
  });
});
