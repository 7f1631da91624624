import { describe, expect, it } from 'vitest';
import type { Overview } from './api-schemas.ts';
import { agreementByLabel, performanceOverTime, siteLag, statusOverTime, throughput } from './chart-data.ts';

const overview: Overview = {
  siteId: 's',
  projectId: 'p',
  tasks: 10,
  tasksByStatus: { accepted: 4, submitted: 6 },
  flagged: { low_agreement: 3 },
  labels: [
    { labelId: 'liver', tasks: 10, medianAgreement: 0.9, medianDice: 0.9, medianKappa: null },
    { labelId: 'lesion', tasks: 10, medianAgreement: 0.6, medianDice: 0.6, medianKappa: null },
  ],
  gold: { tasks: 1, scores: 3, accuracy: 0.8 },
  backlog: { open: 6, oldestAgeS: 100, medianAgeS: 50 },
  statusPerDay: [
    { day: '2026-11-02', status: 'accepted', tasks: 3 },
    { day: '2026-11-01', status: 'submitted', tasks: 6 },
    { day: '2026-11-02', status: 'submitted', tasks: 1 },
    { day: '2026-11-01', status: 'accepted', tasks: 1 },
  ],
};

describe('chart rows from the API', () => {
  it('puts days in order and fills missing day/status pairs with zero, statuses in workflow order', () => {
    const rows = statusOverTime({
      ...overview,
      statusPerDay: [...overview.statusPerDay, { day: '2026-11-03', status: 'pending', tasks: 2 }],
    });
    expect(rows.labels).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(rows.series.map((s) => s.label)).toEqual(['pending', 'submitted', 'accepted']);
    expect(rows.series[0]?.data).toEqual([0, 0, 2]);
    expect(rows.series[2]?.data).toEqual([1, 3, 0]);
  });

  it('takes throughput from the accepted series', () => {
    expect(throughput(overview).series).toEqual([{ label: 'accepted', data: [1, 3] }]);
  });

  it('leaves out an agreement measure no label has', () => {
    const rows = agreementByLabel(overview);
    expect(rows.labels).toEqual(['liver', 'lesion']);
    expect(rows.series.map((s) => s.label)).toEqual(['median agreement', 'median Dice']);
  });

  it('shows sync lag in seconds per direction, zero when nothing waits', () => {
    const rows = siteLag([
      {
        siteId: 'a',
        organization: 'o',
        connection: {},
        siteToCloud: {
          appliedSeq: 1,
          lastMessageAt: null,
          sitePending: 3,
          siteOldestPendingAgeMs: 4500,
          statusAt: null,
        },
        cloudToSite: { lastSeq: 2, ackedSeq: 1, oldestPendingAgeMs: null },
        rejections: {},
      },
    ]);
    expect(rows.series.map((s) => s.data)).toEqual([[4.5], [0]]);
  });

  it('aligns annotators on the same days, with gaps where one did not work', () => {
    const rows = performanceOverTime(
      [
        {
          annotatorId: 'u1',
          days: [
            {
              day: 'd1',
              tasks: 1,
              goldTasks: 1,
              goldAccuracy: 0.9,
              consensusAgreement: null,
              meanDice: null,
            },
          ],
        },
        {
          annotatorId: 'u2',
          days: [
            {
              day: 'd2',
              tasks: 1,
              goldTasks: 1,
              goldAccuracy: 0.5,
              consensusAgreement: null,
              meanDice: null,
            },
          ],
        },
      ],
      'goldAccuracy',
    );
    expect(rows).toEqual({
      labels: ['d1', 'd2'],
      series: [
        { label: 'u1', data: [0.9, null] },
        { label: 'u2', data: [null, 0.5] },
      ],
    });
  });
});
