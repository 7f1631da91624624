import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../test/shapes.ts';
import { boxIou } from './box-iou.ts';
import { hungarian } from './hungarian.ts';
import { angleDifferenceDeg, matchByIou, matchPoints } from './object-matching.ts';
import { polygonArea, polygonIntersectionArea, polygonIou } from './polygon-iou.ts';

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
  );
}

describe('box and polygon IoU', () => {
  it('is 1/3 for two unit squares overlapping by half, as boxes and as polygons', () => {
    expect(boxIou({ x0: 0, y0: 0, x1: 1, y1: 1 }, { x0: 1.5, y0: 1, x1: 0.5, y1: 0 })).toBeCloseTo(1 / 3, 12);
    expect(polygonIou([0, 0, 1, 0, 1, 1, 0, 1], [0.5, 0, 1.5, 0, 1.5, 1, 0.5, 1])).toBeCloseTo(1 / 3, 12);
  });

  it('is 0 for disjoint or touching shapes and 1 for the same polygon in either orientation', () => {
    expect(boxIou({ x0: 0, y0: 0, x1: 1, y1: 1 }, { x0: 1, y0: 0, x1: 2, y1: 1 })).toBe(0);
    const p = [0, 0, 3, 0, 3, 1, 1, 1, 1, 3, 0, 3];
    const reversed = [0, 3, 1, 3, 1, 1, 3, 1, 3, 0, 0, 0];
    expect(polygonIou(p, reversed)).toBeCloseTo(1, 12);
    expect(polygonIou(p, [5, 5, 6, 5, 6, 6])).toBe(0);
  });

  it('handles a non-convex L-shape exactly (IoU 1/4 with a square over one arm)', () => {
    const l = [0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2];
    const sq = [1, 0, 2, 0, 2, 2, 1, 2];
    expect(polygonArea(l)).toBe(3);
    expect(polygonIntersectionArea(l, sq)).toBeCloseTo(1, 12);
    expect(polygonIou(l, sq)).toBeCloseTo(0.25, 12);
  });

  it('is 0.5 for a right triangle that is half of a square', () => {
    expect(polygonIou([0, 0, 4, 0, 0, 4], [0, 0, 4, 0, 4, 4, 0, 4])).toBeCloseTo(0.5, 12);
  });

  it('agrees with a fine point-sampling estimate on two rotated non-convex stars', () => {
    const star = (cx: number, cy: number, rot: number) =>
      Array.from({ length: 10 }, (_, k) => {
        const r = k % 2 ? 2 : 5;
        const t = rot + (k * Math.PI) / 5;
        return [cx + r * Math.cos(t), cy + r * Math.sin(t)];
      }).flat();
    const a = star(0, 0, 0);
    const b = star(1.3, 0.7, 0.4);
    const inside = (p: number[], x: number, y: number) => {
      let c = false;
      for (let i = 0, j = p.length / 2 - 1; i < p.length / 2; j = i++) {
        const [xi, yi, xj, yj] = [p[2 * i]!, p[2 * i + 1]!, p[2 * j]!, p[2 * j + 1]!];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
      }
      return c;
    };
    const h = 0.01;
    let inter = 0;
    for (let x = -6 + h / 2; x < 7; x += h)
      for (let y = -6 + h / 2; y < 7; y += h) if (inside(a, x, y) && inside(b, x, y)) inter += h * h;
    expect(polygonIntersectionArea(a, b)).toBeCloseTo(inter, 1);
  });
});

describe('Hungarian assignment', () => {
  it('finds the known optimum of a 3×3 cost matrix', () => {
    expect(
      hungarian([
        [4, 1, 3],
        [2, 0, 5],
        [3, 2, 2],
      ]),
    ).toEqual([1, 0, 2]);
  });

  it('matches brute force over all permutations on random 6×6 matrices', () => {
    const rnd = mulberry32(3);
    const perms = permutations(6);
    for (let t = 0; t < 20; t++) {
      const c = Array.from({ length: 6 }, () => Array.from({ length: 6 }, () => rnd()));
      const cost = (p: number[]) => p.reduce((s, j, i) => s + c[i]![j]!, 0);
      const best = Math.min(...perms.map(cost));
      expect(cost(hungarian(c))).toBeCloseTo(best, 12);
    }
  });

  it('leaves extra rows unassigned in a rectangular problem', () => {
    expect(
      hungarian([
        [1, 9],
        [9, 1],
        [5, 5],
      ]),
    ).toEqual([0, 1, -1]);
    expect(hungarian([[5, 1, 3]])).toEqual([1]);
  });
});

describe('detection agreement', () => {
  const box = (x: number, y: number, w = 10) => ({ x0: x, y0: y, x1: x + w, y1: y + w });

  it('matches boxes optimally and counts F1 at IoU ≥ 0.5', () => {
    const ref = [box(0, 0), box(20, 0), box(40, 0)];
    const test = [box(21, 0), box(1, 1), box(100, 100), box(47, 0)];
    const r = matchByIou(ref, test, boxIou);
    expect(r.pairs.map((p) => [p.ref, p.test])).toEqual([
      [0, 1],
      [1, 0],
      [2, 3],
    ]);
    // box(47,0) overlaps box(40,0) with IoU 3/17 < 0.5: matched but not a true positive.
    expect(r.truePositives).toBe(2);
    expect(r.precision).toBeCloseTo(2 / 4, 12);
    expect(r.recall).toBeCloseTo(2 / 3, 12);
    expect(r.f1).toBeCloseTo(4 / 7, 12);
  });

  it('prefers the global optimum over greedy best-first matching', () => {
    // Greedy takes (ref0, test0) with IoU 0.8 and leaves ref1 with nothing; optimal keeps both ≥ 0.5.
    const iou = (a: number, b: number) =>
      [
        [0.8, 0.6],
        [0.7, 0.1],
      ][a]![b]!;
    const r = matchByIou([0, 1], [0, 1], iou);
    expect(r.truePositives).toBe(2);
  });

  it('reports both-empty as agreement and one-empty as zero F1', () => {
    expect(matchByIou([], [], boxIou).f1).toBe(1);
    const r = matchByIou([box(0, 0)], [], boxIou);
    expect(r.f1).toBe(0);
    expect(r.precision).toBeNull();
    expect(r.recall).toBe(0);
  });

  it('matches points within a distance in mm and reports their mean distance', () => {
    const r = matchPoints(
      [
        { x: 0, y: 0 },
        { x: 10, y: 0 },
      ],
      [
        { x: 10, y: 3, z: 4 },
        { x: 0.5, y: 0 },
      ],
      6,
    );
    expect(r.truePositives).toBe(2);
    expect(r.meanMatchedValue).toBeCloseTo((0.5 + 5) / 2, 12);
    expect(matchPoints([{ x: 0, y: 0 }], [{ x: 0, y: 7 }], 6).truePositives).toBe(0);
  });

  it('measures angle differences the short way round', () => {
    expect(angleDifferenceDeg(359, 1)).toBe(2);
    expect(angleDifferenceDeg(10, 190)).toBe(180);
    expect(angleDifferenceDeg(30, 75)).toBe(45);
  });
});
