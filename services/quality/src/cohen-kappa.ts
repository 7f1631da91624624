/** A rating: a category id (number or enum string), or null/undefined when the rater gave none. */
export type Rating = number | string | null | undefined;

/**
 * Cohen's kappa from a square contingency table (rows: rater A's category, columns: rater B's).
 * κ = (p_o − p_e) / (1 − p_e). null when undefined: no items, or p_e = 1 (both raters used one
 * and the same category for everything, so chance agreement is total).
 */
export function cohenKappaFromTable(table: readonly (readonly number[])[]): number | null {
  const k = table.length;
  let n = 0;
  let agree = 0;
  const rows = new Float64Array(k);
  const cols = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const row = table[i]!;
    if (row.length !== k) throw new RangeError('contingency table must be square');
    for (let j = 0; j < k; j++) {
      const v = row[j]!;
      n += v;
      rows[i]! += v;
      cols[j]! += v;
      if (i === j) agree += v;
    }
  }
  if (n === 0) return null;
  let pe = 0;
  for (let i = 0; i < k; i++) pe += (rows[i]! / n) * (cols[i]! / n);
  if (pe >= 1) return null;
  return (agree / n - pe) / (1 - pe);
}

/** Cohen's kappa of two raters' ratings of the same items; items either rater skipped are dropped. */
export function cohenKappa(a: readonly Rating[], b: readonly Rating[]): number | null {
  if (a.length !== b.length) throw new RangeError('both raters must rate the same items');
  const index = new Map<number | string, number>();
  const pairs: [number, number][] = [];
  const id = (v: number | string): number => {
    let i = index.get(v);
    if (i === undefined) {
      i = index.size;
      index.set(v, i);
    }
    return i;
  };
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || x === undefined || y === null || y === undefined) continue;
    pairs.push([id(x), id(y)]);
  }
  const k = index.size;
  const table = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const [x, y] of pairs) table[x]![y]!++;
  return cohenKappaFromTable(table);
}
