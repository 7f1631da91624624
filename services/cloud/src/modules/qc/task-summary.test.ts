import { describe, expect, it } from 'vitest';
import {
  median,
  summarizeLabel,
  summarizeTask,
  TIME_OUTLIER_MIN_SAMPLES,
  timeOutlierOf,
} from './task-summary.ts';

const t = { diceBelow: 0.7, kappaBelow: 0.6, annotatorScoreBelow: 0.8 };
const ann = (...scores: number[]) => scores.map((score, i) => ({ annotatorId: `usr_${i}`, score }));

describe('task summary and flags', () => {
  it('takes dice for masks, f1 for shapes, the lowest kappa-like value for classifications', () => {
    expect(summarizeLabel('liver', { dice: 0.9, iou: 0.8, f1: 0.5 }).agreement).toBe(0.9);
    expect(summarizeLabel('box', { f1: 0.5, iou: 0.4 }).agreement).toBe(0.5);
    const c = summarizeLabel('grade', { cohen_kappa: 0.7, fleiss_kappa: 0.4, krippendorff_alpha: 0.5 });
    expect(c.kappa).toBe(0.4);
    expect(c.agreement).toBe(0.4);
    expect(summarizeLabel('x', {}).agreement).toBeNull();
  });

  it('flags low agreement when any label is below a threshold, and only then', () => {
    const labels = [
      { labelId: 'liver', metrics: { dice: 0.9 } },
      { labelId: 'lesion', metrics: { dice: 0.65 } },
    ];
    const s = summarizeTask({ isGold: false, labels, annotators: ann(0.9, 0.9) }, t);
    expect(s.flags).toEqual(['low_agreement']);
    expect(s.minDice).toBe(0.65);
    expect(s.agreement).toBe(0.65);
    const ok = summarizeTask({ isGold: false, labels, annotators: ann(0.9, 0.9) }, { ...t, diceBelow: 0.6 });
    expect(ok.flags).toEqual([]);
    const kappa = summarizeTask(
      { isGold: false, labels: [{ labelId: 'g', metrics: { fleiss_kappa: 0.59 } }], annotators: [] },
      t,
    );
    expect(kappa.flags).toEqual(['low_agreement']);
    const hd = summarizeTask(
      { isGold: false, labels: [{ labelId: 'l', metrics: { dice: 0.95, hd95_mm: 12 } }], annotators: [] },
      { hd95MmAbove: 10 },
    );
    expect(hd.flags).toEqual(['low_agreement']);
    expect(hd.maxHd95Mm).toBe(12);
  });

  it('flags a gold miss only on gold tasks', () => {
    const input = { labels: [{ labelId: 'l', metrics: { dice: 0.95 } }], annotators: ann(0.95, 0.75) };
    expect(summarizeTask({ ...input, isGold: true }, t).flags).toEqual(['gold_miss']);
    expect(summarizeTask({ ...input, isGold: false }, t).flags).toEqual([]);
  });

  it('flags an outlier annotator far below the median, with three or more annotators', () => {
    const labels = [{ labelId: 'l', metrics: { dice: 0.9 } }];
    expect(summarizeTask({ isGold: false, labels, annotators: ann(0.95, 0.9, 0.6) }, {}).flags).toEqual([
      'outlier_annotator',
    ]);
    expect(summarizeTask({ isGold: false, labels, annotators: ann(0.95, 0.9, 0.75) }, {}).flags).toEqual([]);
    expect(summarizeTask({ isGold: false, labels, annotators: ann(0.95, 0.3) }, {}).flags).toEqual([]);
  });

  it('computes medians of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('timeOutlierOf', () => {
  const typical = { medianSeconds: 120, samples: 10 };
  it('is fast below median/factor and slow above median×factor, within otherwise', () => {
    expect(timeOutlierOf(39, typical, 3)).toBe('fast');
    expect(timeOutlierOf(40, typical, 3)).toBeNull();
    expect(timeOutlierOf(360, typical, 3)).toBeNull();
    expect(timeOutlierOf(361, typical, 3)).toBe('slow');
    expect(timeOutlierOf(0, typical, 3)).toBe('fast');
  });
  it('says nothing without a time, a factor, enough samples or a positive median', () => {
    expect(timeOutlierOf(undefined, typical, 3)).toBeNull();
    expect(timeOutlierOf(5, typical, undefined)).toBeNull();
    expect(timeOutlierOf(5, { medianSeconds: 120, samples: TIME_OUTLIER_MIN_SAMPLES - 1 }, 3)).toBeNull();
    expect(timeOutlierOf(5, { medianSeconds: 0, samples: 50 }, 3)).toBeNull();
    expect(timeOutlierOf(5, undefined, 3)).toBeNull();
  });
  it('raises time_outlier on the task when any annotator is one', () => {
    const input = {
      isGold: false,
      labels: [],
      annotators: [
        { annotatorId: 'usr_a', score: 0.9, activeSeconds: 100 },
        { annotatorId: 'usr_b', score: 0.9, activeSeconds: 20 },
      ],
    };
    expect(summarizeTask(input, { timeOutlierFactor: 3 }, typical).flags).toEqual(['time_outlier']);
    expect(summarizeTask(input, {}, typical).flags).toEqual([]);
  });
});
