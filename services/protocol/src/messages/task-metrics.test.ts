import { describe, expect, it } from 'vitest';
import { fakeId, validBodies } from '../../test/fixtures.ts';
import { guardOutgoing } from '../phi-guard.ts';
import { annotatorProfileSchema } from './annotator-profile.ts';
import { MAX_ANNOTATOR_PAIRS, type TaskMetrics, taskMetricsSchema } from './task-metrics.ts';

const clone = <T>(v: T): T => structuredClone(v);
const base = () => clone(validBodies['task.metrics']) as TaskMetrics;
const ok = (body: unknown) => taskMetricsSchema.safeParse(body).success;

/** A task.metrics of n annotators whose label carries the full pairwise matrix. */
function withAnnotators(n: number): TaskMetrics {
  const ids = Array.from({ length: n }, (_, i) => fakeId('usr', `ann-${i}`));
  const pairs = ids.flatMap((a, i) =>
    ids.slice(i + 1).map((b) => ({ annotatorA: a, annotatorB: b, value: 0.5 })),
  );
  return {
    ...base(),
    labels: [{ labelId: 'liver', metrics: {}, pairwise: { metric: 'dice', pairs } }],
    annotators: ids.map((annotatorId) => ({ annotatorId, score: 0.5, metrics: {}, activeSeconds: 60 })),
  };
}

describe('task.metrics work numbers and pairwise agreement', () => {
  it('accepts per-annotator active time, revision and rework counts and a pairwise matrix', () => {
    const parsed = taskMetricsSchema.parse(base());
    expect(parsed.annotators[0]).toMatchObject({ activeSeconds: 734, revisionCount: 12, reworkCount: 1 });
    expect(parsed.labels[0]!.pairwise).toEqual({
      metric: 'dice',
      pairs: [{ annotatorA: fakeId('usr', 'ann-1'), annotatorB: fakeId('usr', 'ann-2'), value: 0.91 }],
    });
  });

  it('still accepts a message from a site that sends none of the new fields (rolling upgrade)', () => {
    const body = base();
    delete body.labels[0]!.pairwise;
    for (const a of body.annotators) {
      delete a.activeSeconds;
      delete a.revisionCount;
      delete a.reworkCount;
    }
    expect(ok(body)).toBe(true);
  });

  it.each([
    ['negative active seconds', { activeSeconds: -1 }],
    ['fractional active seconds', { activeSeconds: 1.5 }],
    ['more than a year of active seconds', { activeSeconds: 31_536_001 }],
    ['a negative revision count', { revisionCount: -1 }],
    ['a fractional rework count', { reworkCount: 0.5 }],
    ['a rework count above 10000', { reworkCount: 10_001 }],
    ['an unknown key', { wallSeconds: 3 }],
  ])('rejects an annotator with %s', (_name, patch) => {
    const body = base();
    Object.assign(body.annotators[0]!, patch);
    expect(ok(body)).toBe(false);
  });

  it.each([
    ['a dice above 1', { value: 1.01 }],
    ['a non-finite value', { value: Number.POSITIVE_INFINITY }],
    ['an annotator paired with itself', { annotatorB: fakeId('usr', 'ann-1') }],
    ['an annotator the message does not list', { annotatorB: fakeId('usr', 'stranger') }],
    ['a raw user id instead of a pseudonym', { annotatorA: 'ana' }],
    ['an unknown key', { weight: 1 }],
  ])('rejects a pair with %s', (_name, patch) => {
    const body = base();
    Object.assign(body.labels[0]!.pairwise!.pairs[0]!, patch);
    expect(ok(body)).toBe(false);
  });

  it('checks each pair value against the named metric: a kappa may be negative, a dice may not', () => {
    const kappa = base();
    kappa.labels[0]!.pairwise = { ...kappa.labels[0]!.pairwise!, metric: 'cohen_kappa' };
    kappa.labels[0]!.pairwise.pairs[0]!.value = -0.4;
    expect(ok(kappa)).toBe(true);
    const dice = base();
    dice.labels[0]!.pairwise!.pairs[0]!.value = -0.4;
    expect(ok(dice)).toBe(false);
  });

  it('accepts null for a pair whose metric is undefined, and rejects an unknown metric name', () => {
    const body = base();
    body.labels[0]!.pairwise!.pairs[0]!.value = null;
    expect(ok(body)).toBe(true);
    Object.assign(body.labels[0]!.pairwise!, { metric: 'sharpness' });
    expect(ok(body)).toBe(false);
  });

  it('rejects the same pair listed twice, in either order', () => {
    const body = base();
    const [a, b] = [fakeId('usr', 'ann-1'), fakeId('usr', 'ann-2')];
    body.labels[0]!.pairwise!.pairs.push({ annotatorA: b, annotatorB: a, value: 0.5 });
    expect(ok(body)).toBe(false);
  });

  it('accepts every pair of the most annotators a task may report (16 → 120 pairs), and no more', () => {
    const full = withAnnotators(16);
    expect(full.labels[0]!.pairwise!.pairs).toHaveLength(MAX_ANNOTATOR_PAIRS);
    expect(ok(full)).toBe(true);
    expect(ok(withAnnotators(17))).toBe(false);
  });

  it('passes the PHI guard with its numbers and pseudonyms, and the guard still refuses PHI in it', () => {
    const canaries = ['SMITHSON^ANNA', 'MRN80443317', '19800115'];
    expect(guardOutgoing('task.metrics', base(), { canaries })).toMatchObject({ ok: true });
    const planted = base();
    planted.labels[0]!.pairwise!.pairs[0]!.annotatorB = 'usr_mrn80443317aaaaaaaaaa';
    planted.annotators[1]!.annotatorId = 'usr_mrn80443317aaaaaaaaaa';
    expect(guardOutgoing('task.metrics', planted, { canaries })).toMatchObject({
      ok: false,
      reason: 'PHI_CANARY',
    });
  });
});

describe('annotator.profile', () => {
  const profile = (displayName: string) =>
    annotatorProfileSchema.safeParse({ annotatorId: fakeId('usr', 'ann-1'), displayName }).success;

  it.each(['ana', 'Dr. Ana Müller', "Seán O'Brien-Ó Dálaigh", 'ana.mueller@hospital.example', '李娜', 'X'])(
    'accepts the display name %s',
    (name) => expect(profile(name)).toBe(true),
  );

  it.each([
    ['an empty name', ''],
    ['a name starting with a space', ' ana'],
    ['more than 64 characters', `a${'n'.repeat(64)}`],
    ['markup', '<b>ana</b>'],
    ['a control character', 'ana\u0007'],
    ['a newline', 'ana\nben'],
    ['a DICOM person name with carets', 'SMITHSON^ANNA'],
  ])('rejects %s', (_name, value) => expect(profile(value)).toBe(false));

  it('rejects an unknown key and a raw user id', () => {
    expect(
      annotatorProfileSchema.safeParse({ annotatorId: fakeId('usr', 'a'), displayName: 'ana', email: 'x' })
        .success,
    ).toBe(false);
    expect(annotatorProfileSchema.safeParse({ annotatorId: 'ana', displayName: 'ana' }).success).toBe(false);
  });

  it('passes the PHI guard, which still refuses a display name that is the study patient’s name', () => {
    const canaries = ['SMITHSON^ANNA', 'MRN80443317'];
    expect(guardOutgoing('annotator.profile', validBodies['annotator.profile'], { canaries })).toMatchObject({
      ok: true,
    });
    const body = { annotatorId: fakeId('usr', 'a'), displayName: 'Anna Smithson' };
    expect(guardOutgoing('annotator.profile', body, { canaries })).toMatchObject({
      ok: false,
      reason: 'PHI_CANARY',
      path: 'displayName',
    });
  });
});
