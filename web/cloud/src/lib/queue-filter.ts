// The review queue's filter and sort, as the dashboard keeps them in the address (#/queue?…) and
// as the QC API takes them (GET /api/qc/tasks, POST /api/qc/decisions/bulk).

export const FLAGS = ['low_agreement', 'gold_miss', 'outlier_annotator', 'time_outlier'] as const;
export const STATUSES = [
  'pending',
  'in_progress',
  'submitted',
  'in_review',
  'rework',
  'accepted',
  'cancelled',
] as const;
export const SORTS = ['agreement', '-agreement', 'updated', '-updated', 'age'] as const;

export interface QueueFilter {
  siteId?: string;
  projectId?: string;
  status?: string;
  flag?: string;
  label?: string;
  modality?: string;
  minAgreement?: number;
  maxAgreement?: number;
  minKappa?: number;
  maxKappa?: number;
  isGold?: boolean;
}

export interface QueueQuery extends QueueFilter {
  sort: (typeof SORTS)[number];
  offset: number;
}

const NUMERIC = ['minAgreement', 'maxAgreement', 'minKappa', 'maxKappa'] as const;
const TEXT = ['siteId', 'projectId', 'status', 'flag', 'label', 'modality'] as const;

/** Reads the address's query; anything malformed is dropped, not guessed. */
export function parseQueueQuery(search: URLSearchParams): QueueQuery {
  const q: QueueQuery = { sort: 'agreement', offset: 0 };
  for (const k of TEXT) {
    const v = search.get(k);
    if (v && /^[A-Za-z0-9_.,-]{1,200}$/.test(v)) q[k] = v;
  }
  for (const k of NUMERIC) {
    const raw = search.get(k);
    const v = raw === null || raw === '' ? Number.NaN : Number(raw);
    if (Number.isFinite(v) && v >= -1 && v <= 1) q[k] = v;
  }
  const gold = search.get('isGold');
  if (gold === 'true' || gold === 'false') q.isGold = gold === 'true';
  const sort = search.get('sort');
  if (sort && (SORTS as readonly string[]).includes(sort)) q.sort = sort as QueueQuery['sort'];
  const offset = Number(search.get('offset'));
  if (Number.isInteger(offset) && offset > 0) q.offset = offset;
  return q;
}

/** The filter only (what a bulk decision applies to), without sort and paging. */
export function filterOf(q: QueueFilter): QueueFilter {
  const out: QueueFilter = {};
  for (const k of TEXT) if (q[k]) out[k] = q[k];
  for (const k of NUMERIC) if (q[k] !== undefined) out[k] = q[k];
  if (q.isGold !== undefined) out.isGold = q.isGold;
  return out;
}

/** As a query string, in a stable order, leaving out defaults. */
export function toSearch(q: Partial<QueueQuery>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filterOf(q), sort: q.sort, offset: q.offset })) {
    if (v === undefined || v === '' || (k === 'sort' && v === 'agreement') || (k === 'offset' && v === 0))
      continue;
    p.set(k, String(v));
  }
  return p.toString();
}
