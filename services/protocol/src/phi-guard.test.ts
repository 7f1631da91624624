import { describe, expect, it } from 'vitest';
import { validBodies } from '../test/fixtures.ts';
import { canaryVariants, createPhiGuard, guardOutgoing } from './phi-guard.ts';

// Fake but realistic PHI of the source study.
const PHI = {
  name: 'SMITHSON^ANNA^MARIE^^',
  patientId: 'MRN80443317',
  birthDate: '19800115',
  accession: 'ACC2026-0042',
  shortId: 'Q7X',
};
const canaries = Object.values(PHI);
const clone = <T>(v: T): T => structuredClone(v);

describe('guardOutgoing', () => {
  it('passes a clean message and returns the validated body', () => {
    const result = guardOutgoing('study.available', validBodies['study.available'], { canaries });
    expect(result).toEqual({ ok: true, body: validBodies['study.available'], ignoredCanaries: 0 });
  });

  it('refuses a body that fails the schema before looking for PHI', () => {
    const body = { ...validBodies['study.available'], patientName: PHI.name };
    expect(guardOutgoing('study.available', body, { canaries })).toMatchObject({
      ok: false,
      reason: 'SCHEMA_INVALID',
    });
  });

  it('refuses a planted family name in a label id and names the field, never the value', () => {
    const body = clone(validBodies['task.upserted']);
    body.labelIds = ['liver', 'smithson'];
    const result = guardOutgoing('task.upserted', body, { canaries });
    expect(result).toMatchObject({ ok: false, reason: 'PHI_CANARY', path: 'labelIds.1' });
    expect(JSON.stringify(result).toLowerCase()).not.toContain('smithson');
  });

  it('refuses a patient id pasted into a pseudonym, whatever its case', () => {
    const body = clone(validBodies['study.available']);
    body.series[1]!.seriesId = 'se_mrn80443317aaaaaaaaaa';
    expect(guardOutgoing('study.available', body, { canaries })).toMatchObject({
      reason: 'PHI_CANARY',
      path: 'series.1.seriesId',
    });
  });

  it('spells a DICOM date in the common formats', () => {
    expect(canaryVariants(PHI.birthDate)).toEqual(
      expect.arrayContaining([
        '19800115',
        '1980-01-15',
        '15.01.1980',
        '01/15/1980',
        '15/01/1980',
        '1/15/1980',
      ]),
    );
  });

  it('finds a birth date planted as 15.01.1980 in a version string', () => {
    const body = clone(validBodies['site.status']);
    body.softwareVersion = '1.0.0-15.01.1980';
    expect(guardOutgoing('site.status', body, { canaries })).toMatchObject({
      reason: 'PHI_CANARY',
      path: 'softwareVersion',
    });
  });

  it('finds a canary given in ISO form when written compactly', () => {
    const body = clone(validBodies['site.status']);
    body.queues[0]!.name = 'q-19800115';
    expect(guardOutgoing('site.status', body, { canaries: ['1980-01-15'] })).toMatchObject({
      reason: 'PHI_CANARY',
    });
  });

  it('matches a name with ^ replaced by spaces and without case', () => {
    expect(canaryVariants('SMITHSON^ANNA^^')).toEqual(
      expect.arrayContaining(['smithson^anna^^', 'smithson anna', 'smithson^anna']),
    );
  });

  it('matches short canaries only as whole tokens and never inside pseudonyms', () => {
    const token = clone(validBodies['task.upserted']);
    token.labelIds = ['q7x'];
    expect(guardOutgoing('task.upserted', token, { canaries: [PHI.shortId] })).toMatchObject({
      reason: 'PHI_CANARY',
    });
    const inside = clone(validBodies['task.upserted']);
    inside.labelIds = ['aq7xb'];
    expect(guardOutgoing('task.upserted', inside, { canaries: [PHI.shortId] }).ok).toBe(true);
    const pseudonym = clone(validBodies['task.upserted']);
    pseudonym.taskId = 'tk_Q7X_abcdefghijklmnop';
    expect(guardOutgoing('task.upserted', pseudonym, { canaries: [PHI.shortId] }).ok).toBe(true);
  });

  it('finds a canary in a number', () => {
    const body = clone(validBodies['site.status']);
    body.uptimeS = 19800115;
    expect(guardOutgoing('site.status', body, { canaries: [PHI.birthDate] })).toMatchObject({
      reason: 'PHI_CANARY',
      path: 'uptimeS',
    });
  });

  it('does not flag schema field names or enum values that contain a canary', () => {
    // "series" occurs in field names and "progress" in the status enum.
    const body = clone(validBodies['task.upserted']);
    body.status = 'in_progress';
    expect(guardOutgoing('task.upserted', body, { canaries: ['SERIES^PROGRESS'] }).ok).toBe(true);
    const staple = guardOutgoing('labelset.finalized', validBodies['labelset.finalized'], {
      canaries: ['STAPLE^JOHN'],
    });
    expect(staple.ok).toBe(true);
    expect(guardOutgoing('task.upserted', validBodies['task.upserted'], { canaries: ['Series'] }).ok).toBe(
      true,
    );
  });

  it('ignores canaries too short to check and says how many', () => {
    const result = guardOutgoing('site.status', validBodies['site.status'], { canaries: ['M', ' ', 'AB'] });
    expect(result).toMatchObject({ ok: true, ignoredCanaries: 3 });
  });

  it('compiles a study’s canaries once and checks several messages with them', () => {
    const guard = createPhiGuard({ canaries });
    expect(guard('study.available', validBodies['study.available']).ok).toBe(true);
    const body = clone(validBodies['task.upserted']);
    body.labelIds = ['mrn80443317'];
    expect(guard('task.upserted', body)).toMatchObject({ reason: 'PHI_CANARY', path: 'labelIds.0' });
  });

  it('refuses an unknown message type', () => {
    expect(guardOutgoing('study.deleted' as never, {}, { canaries })).toMatchObject({
      reason: 'SCHEMA_INVALID',
    });
  });
});
