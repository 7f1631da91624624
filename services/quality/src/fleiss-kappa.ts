import type { Rating } from './cohen-kappa.ts';

/**
 * Fleiss' kappa (1971) from a count table: counts[i][j] = how many raters put item i in category j.
 * Every item must have the same number of raters (Fleiss' design; use Krippendorff's alpha when
 * ratings are missing). null when undefined (fewer than 2 raters, no items, or P̄e = 1).
 */
export function fleissKappaFromCounts(counts: readonly (readonly number[])[]): number | null {
  const items = counts.length;
  if (items === 0) return null;
  const k = counts[0]!.length;
  const raters = counts[0]!.reduce((s, v) => s + v, 0);
  if (raters < 2) return null;
  const pj = new Float64Array(k);
  let pBar = 0;
  for (const row of counts) {
    if (row.length !== k) throw new RangeError('every item needs a count for every category');
    let sum = 0;
    let sq = 0;
    for (let j = 0; j < k; j++) {
      const v = row[j]!;
      sum += v;
      sq += v * v;
      pj[j]! += v;
    }
    if (sum !== raters) throw new RangeError('Fleiss kappa needs the same number of raters for every item');
    pBar += (sq - raters) / (raters * (raters - 1));
  }
  pBar /= items;
  let pe = 0;
  for (let j = 0; j < k; j++) {
    const p = pj[j]! / (items * raters);
    pe += p * p;
  }
  if (pe >= 1) return null;
  return (pBar - pe) / (1 - pe);
}

/** Fleiss' kappa from ratings[item][rater]; missing ratings are not allowed here. */
export function fleissKappa(ratings: readonly (readonly Rating[])[]): number | null {
  const index = new Map<number | string, number>();
  for (const item of ratings) {
    for (const v of item) {
      if (v === null || v === undefined) throw new RangeError('Fleiss kappa does not allow missing ratings');
      if (!index.has(v)) index.set(v, index.size);
    }
  }
  const counts = ratings.map((item) => {
    const row = new Array<number>(index.size).fill(0);
    for (const v of item) row[index.get(v as number | string)!]!++;
    return row;
  });
  return fleissKappaFromCounts(counts);
}
