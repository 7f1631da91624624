import type { Chart, ChartConfiguration } from 'chart.js';
import type { ChartRows } from './chart-data.ts';

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];

/** Every live chart by id, so tests and the benchmark can read what a chart was given. */
export const liveCharts = new Map<string, Chart>();
if (typeof window !== 'undefined')
  (window as unknown as { __annexCharts: Map<string, Chart> }).__annexCharts = liveCharts;

export interface ChartOptions {
  type: 'bar' | 'line';
  stacked?: boolean;
  /** Fixed value axis (0..1 for agreement), else fitted to the data. */
  yMax?: number;
  yTitle?: string;
}

export function chartConfig(rows: ChartRows, o: ChartOptions): ChartConfiguration<'bar' | 'line'> {
  return {
    type: o.type,
    data: {
      labels: rows.labels,
      datasets: rows.series.map((s, i) => ({
        label: s.label,
        data: s.data,
        backgroundColor: PALETTE[i % PALETTE.length],
        borderColor: PALETTE[i % PALETTE.length],
        spanGaps: true,
        pointRadius: 3,
      })),
    },
    options: {
      // Numbers arrive at once; animation only delays the largest paint and the first hover.
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { display: rows.series.length > 1 }, tooltip: { enabled: true } },
      scales: {
        x: { stacked: o.stacked ?? false },
        y: {
          stacked: o.stacked ?? false,
          beginAtZero: true,
          ...(o.yMax !== undefined ? { max: o.yMax } : {}),
          ...(o.yTitle ? { title: { display: true, text: o.yTitle } } : {}),
        },
      },
    },
  };
}

/** A one-sentence text alternative for the canvas (screen readers, and the table has the rest). */
export function describeRows(title: string, rows: ChartRows): string {
  if (rows.labels.length === 0) return `${title}: no data yet.`;
  return `${title}: ${rows.series.length} series over ${rows.labels.length} categories (${rows.labels[0]} to ${rows.labels.at(-1)}); the numbers are in the table below.`;
}
