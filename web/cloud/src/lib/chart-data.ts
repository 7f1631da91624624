import type { Overview, Performance, SiteStatus } from './api-schemas.ts';

// Shapes API answers into chart series. Kept apart from the chart components so the numbers a
// chart shows are tested without a canvas; the same rows feed each chart's table of numbers.

export interface Series {
  label: string;
  data: (number | null)[];
}
export interface ChartRows {
  labels: string[];
  series: Series[];
}

const ORDER = ['pending', 'in_progress', 'submitted', 'in_review', 'rework', 'accepted', 'cancelled'];

/** Tasks entering each status per day: one series per status, days in order. */
export function statusOverTime(o: Overview): ChartRows {
  const days = [...new Set(o.statusPerDay.map((r) => r.day))].sort();
  const statuses = [...new Set(o.statusPerDay.map((r) => r.status))].sort(
    (a, b) => ORDER.indexOf(a) - ORDER.indexOf(b),
  );
  const at = new Map(o.statusPerDay.map((r) => [`${r.day}|${r.status}`, r.tasks]));
  return {
    labels: days,
    series: statuses.map((s) => ({ label: s, data: days.map((d) => at.get(`${d}|${s}`) ?? 0) })),
  };
}

/** Throughput: tasks that reached a final decision (accepted) per day. */
export function throughput(o: Overview): ChartRows {
  const rows = statusOverTime(o);
  const accepted = rows.series.find((s) => s.label === 'accepted');
  return {
    labels: rows.labels,
    series: [{ label: 'accepted', data: accepted?.data ?? rows.labels.map(() => 0) }],
  };
}

export function agreementByLabel(o: Overview): ChartRows {
  return {
    labels: o.labels.map((l) => l.labelId),
    series: [
      { label: 'median agreement', data: o.labels.map((l) => l.medianAgreement) },
      { label: 'median Dice', data: o.labels.map((l) => l.medianDice ?? null) },
      { label: 'median kappa', data: o.labels.map((l) => l.medianKappa ?? null) },
    ].filter((s) => s.data.some((v) => v !== null)),
  };
}

export function tasksByStatus(o: Overview): ChartRows {
  const statuses = Object.keys(o.tasksByStatus).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  return {
    labels: statuses,
    series: [{ label: 'tasks', data: statuses.map((s) => o.tasksByStatus[s] ?? 0) }],
  };
}

export function flagCounts(o: Overview): ChartRows {
  const flags = Object.keys(o.flagged).sort();
  return { labels: flags, series: [{ label: 'tasks flagged', data: flags.map((f) => o.flagged[f] ?? 0) }] };
}

/** Sync lag per site, in seconds: the older of the two directions' oldest waiting message. */
export function siteLag(sites: SiteStatus[]): ChartRows {
  return {
    labels: sites.map((s) => s.siteId),
    series: [
      {
        label: 'site → cloud lag (s)',
        data: sites.map((s) =>
          s.siteToCloud.siteOldestPendingAgeMs === null ? 0 : s.siteToCloud.siteOldestPendingAgeMs / 1000,
        ),
      },
      {
        label: 'cloud → site lag (s)',
        data: sites.map((s) =>
          s.cloudToSite.oldestPendingAgeMs === null ? 0 : s.cloudToSite.oldestPendingAgeMs / 1000,
        ),
      },
    ],
  };
}

/** One annotator's daily accuracy against gold and agreement with consensus. */
export function performanceOverTime(
  perfs: Performance[],
  measure: 'goldAccuracy' | 'consensusAgreement',
): ChartRows {
  const days = [...new Set(perfs.flatMap((p) => p.days.map((d) => d.day)))].sort();
  return {
    labels: days,
    series: perfs.map((p) => {
      const byDay = new Map(p.days.map((d) => [d.day, d[measure]]));
      return { label: p.annotatorId, data: days.map((d) => byDay.get(d) ?? null) };
    }),
  };
}
