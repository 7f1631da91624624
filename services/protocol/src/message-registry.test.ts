import { describe, expect, it } from 'vitest';
import { fakeId, validBodies } from '../test/fixtures.ts';
import { MESSAGE_TYPES, MESSAGES, type MessageType } from './message-registry.ts';
import { COMMAND_TYPES } from './messages/command-result.ts';

const parse = (type: MessageType, body: unknown) => MESSAGES[type].body.safeParse(body);
const clone = <T>(v: T): T => structuredClone(v);

describe('message schemas', () => {
  it.each(MESSAGE_TYPES)('accepts a valid %s body', (type) => {
    expect(parse(type, validBodies[type]).success).toBe(true);
  });

  it.each(MESSAGE_TYPES)('rejects a %s body with an unknown field', (type) => {
    expect(parse(type, { ...validBodies[type], note: 'x' }).success).toBe(false);
  });

  it('rejects an unknown field nested inside a series', () => {
    const body = clone(validBodies['study.available']);
    Object.assign(body.series[0]!, { seriesDescription: 'CHEST W/O' });
    expect(parse('study.available', body).success).toBe(false);
  });

  it('accepts pseudonyms in the format @annex/dicom pseudonymize() writes (20-character body)', () => {
    const body = {
      ...validBodies['study.available'],
      studyId: `st_${Buffer.alloc(15, 7).toString('base64url')}`,
    };
    expect(body.studyId).toMatch(/^st_[A-Za-z0-9_-]{20}$/);
    expect(parse('study.available', body).success).toBe(true);
  });

  it('lists as command types exactly the sequenced cloud→site types', () => {
    const c2s = MESSAGE_TYPES.filter(
      (t) => MESSAGES[t].sequenced && (MESSAGES[t].dirs as readonly string[]).includes('c2s'),
    );
    expect([...COMMAND_TYPES].sort()).toEqual(c2s.sort());
  });

  it.each([
    ['a raw DICOM study UID instead of a pseudonym', { studyId: '1.2.826.0.1.3680043.8.498.1' }],
    ['a pseudonym of the wrong kind', { studyId: fakeId('se', 'x') }],
    ['a too short pseudonym', { studyId: 'st_abc' }],
  ])('rejects study.available with %s', (_n, patch) => {
    expect(parse('study.available', { ...validBodies['study.available'], ...patch }).success).toBe(false);
  });

  it.each([
    ['a private SOP class UID', { sopClassUid: '1.3.12.2.1107.5.9.1' }],
    ['a UID component with a leading zero', { sopClassUid: '1.2.840.10008.5.01' }],
    ['a modality outside the enum', { modality: 'CHEST' }],
    ['a negative instance count', { instanceCount: -1 }],
    ['a fractional frame count', { frameCount: 1.5 }],
    ['rows above 65535', { rows: 70000 }],
    ['a zero slice thickness', { sliceThicknessMm: 0 }],
  ])('rejects a series with %s', (_n, patch) => {
    const body = clone(validBodies['study.available']);
    Object.assign(body.series[0]!, patch);
    expect(parse('study.available', body).success).toBe(false);
  });

  it('rejects the same series listed twice', () => {
    const body = clone(validBodies['study.available']);
    body.series[1]!.seriesId = body.series[0]!.seriesId;
    expect(parse('study.available', body).success).toBe(false);
  });

  it('rejects a metric value outside its range and an unknown metric name', () => {
    const tooHigh = clone(validBodies['task.metrics']);
    tooHigh.labels[0]!.metrics.dice = 1.2;
    expect(parse('task.metrics', tooHigh).success).toBe(false);
    const unknown = clone(validBodies['task.metrics']);
    Object.assign(unknown.labels[0]!.metrics, { sharpness: 0.5 });
    expect(parse('task.metrics', unknown).success).toBe(false);
  });

  it('rejects a label id that is not a slug', () => {
    const body = clone(validBodies['task.upserted']);
    body.labelIds = ['Liver Segment IV'];
    expect(parse('task.upserted', body).success).toBe(false);
  });

  it('requires a failure code on a failed command result and only there', () => {
    expect(parse('command.result', { status: 'failed', commandSeq: 3, commandType: 'ping' }).success).toBe(
      false,
    );
    expect(
      parse('command.result', {
        status: 'failed',
        commandSeq: 3,
        commandType: 'ping',
        code: 'TASK_NOT_FOUND',
      }).success,
    ).toBe(true);
    expect(
      parse('command.result', { status: 'applied', commandSeq: 3, commandType: 'ping', code: 'X_Y' }).success,
    ).toBe(false);
  });

  it('requires annotatorId exactly when a label set was finalized from one annotator', () => {
    const base = validBodies['labelset.finalized'];
    expect(parse('labelset.finalized', { ...base, method: 'annotator' }).success).toBe(false);
    expect(
      parse('labelset.finalized', { ...base, method: 'annotator', annotatorId: fakeId('usr', 'a') }).success,
    ).toBe(true);
    expect(parse('labelset.finalized', { ...base, annotatorId: fakeId('usr', 'a') }).success).toBe(false);
  });

  it('accepts each QC verdict kind and rejects a rework comment with control characters or too long', () => {
    const base = validBodies['qc.decision'];
    for (const verdict of [
      { kind: 'accept-consensus' },
      { kind: 'accept-annotator', annotatorId: fakeId('usr', 'a') },
      { kind: 'escalate' },
    ]) {
      expect(parse('qc.decision', { ...base, verdict }).success).toBe(true);
    }
    expect(parse('qc.decision', { ...base, verdict: { kind: 'rework', comment: 'bad\u0007' } }).success).toBe(
      false,
    );
    expect(
      parse('qc.decision', { ...base, verdict: { kind: 'rework', comment: 'x'.repeat(2001) } }).success,
    ).toBe(false);
    expect(parse('qc.decision', { ...base, verdict: { kind: 'accept-annotator' } }).success).toBe(false);
  });

  it('bounds project settings: consensus size 1 to 5, gold rate 0 to 1', () => {
    const base = validBodies['project.settings'];
    expect(parse('project.settings', { ...base, consensusSize: 6 }).success).toBe(false);
    expect(parse('project.settings', { ...base, consensusSize: 0 }).success).toBe(false);
    expect(parse('project.settings', { ...base, goldRate: 1.01 }).success).toBe(false);
    expect(parse('project.settings', { ...base, goldRate: 1 }).success).toBe(true);
  });

  it('rejects non-finite numbers', () => {
    const body = clone(validBodies['task.metrics']);
    body.annotators[0]!.score = Number.NaN;
    expect(parse('task.metrics', body).success).toBe(false);
  });
});
