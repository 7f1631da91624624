import { createHash } from 'node:crypto';
import type { PseudonymKind } from '../src/ids.ts';
import type { BodyOf, MessageType } from '../src/message-registry.ts';

/** A deterministic pseudonym-shaped id for tests (not the site's real keyed hash). */
export function fakeId<K extends PseudonymKind>(kind: K, seed: string): `${K}_${string}` {
  return `${kind}_${createHash('sha256').update(seed).digest('base64url').slice(0, 22)}`;
}

/** One valid body of every message type. */
export const validBodies: { [T in MessageType]: BodyOf<T> } = {
  'study.available': {
    studyId: fakeId('st', 'study-1'),
    series: [
      {
        seriesId: fakeId('se', 'series-1'),
        modality: 'CT',
        sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
        instanceCount: 120,
        frameCount: 120,
        rows: 512,
        columns: 512,
        sliceThicknessMm: 1.25,
      },
      {
        seriesId: fakeId('se', 'series-2'),
        modality: 'SR',
        sopClassUid: '1.2.840.10008.5.1.4.1.1.88.22',
        instanceCount: 1,
        frameCount: 0,
        rows: null,
        columns: null,
        sliceThicknessMm: null,
      },
    ],
  },
  'site.status': {
    softwareVersion: '0.1.0',
    uptimeS: 3600,
    outbox: { pending: 3, oldestPendingAgeMs: 1200, lastAckedSeq: 41 },
    queues: [{ name: 'ingest', waiting: 2, active: 1, delayed: 0, failed: 0 }],
  },
  'command.result': { status: 'applied', commandSeq: 7, commandType: 'qc.decision' },
  'task.upserted': {
    taskId: fakeId('tk', 'task-1'),
    projectId: fakeId('prj', 'project-1'),
    studyId: fakeId('st', 'study-1'),
    seriesIds: [fakeId('se', 'series-1')],
    status: 'submitted',
    assigneeIds: [fakeId('usr', 'ann-1'), fakeId('usr', 'ann-2')],
    labelIds: ['liver', 'lesion'],
    isGold: false,
    revision: 3,
  },
  'task.metrics': {
    taskId: fakeId('tk', 'task-1'),
    projectId: fakeId('prj', 'project-1'),
    revision: 3,
    labels: [
      {
        labelId: 'liver',
        metrics: { dice: 0.91, hd95_mm: 3.2, fleiss_kappa: 0.78 },
        pairwise: {
          metric: 'dice',
          pairs: [{ annotatorA: fakeId('usr', 'ann-1'), annotatorB: fakeId('usr', 'ann-2'), value: 0.91 }],
        },
      },
    ],
    annotators: [
      {
        annotatorId: fakeId('usr', 'ann-1'),
        score: 0.88,
        metrics: { dice: 0.9 },
        activeSeconds: 734,
        revisionCount: 12,
        reworkCount: 1,
      },
      { annotatorId: fakeId('usr', 'ann-2'), score: 0.93, metrics: { dice: 0.92 } },
    ],
  },
  'annotator.profile': { annotatorId: fakeId('usr', 'ann-1'), displayName: 'Dr. Ana Müller' },
  'export.completed': {
    exportId: fakeId('exp', 'export-1'),
    projectId: fakeId('prj', 'project-1'),
    variant: 'deidentified',
    formats: ['seg', 'nifti', 'dicom'],
    taskCount: 100,
    fileCount: 3402,
    bytes: 1_234_567_890,
    completedAt: '2026-12-06T15:00:00.000Z',
  },
  'labelset.finalized': {
    taskId: fakeId('tk', 'task-1'),
    projectId: fakeId('prj', 'project-1'),
    annotationSetId: fakeId('ann', 'set-1'),
    method: 'staple',
    labelIds: ['liver'],
  },
  ping: {},
  'qc.decision': {
    decisionId: 'qc_0123456789abcdefXYZ',
    taskId: fakeId('tk', 'task-1'),
    taskRevision: 3,
    verdict: { kind: 'rework', comment: 'Lesion boundary misses the inferior slices.\nPlease redo.' },
  },
  'project.settings': {
    projectId: fakeId('prj', 'project-1'),
    revision: 2,
    consensusSize: 3,
    goldRate: 0.05,
    flagThresholds: { diceBelow: 0.8, hd95MmAbove: 10 },
  },
  'sync.ack': { upToSeq: 41 },
  'sync.resend': { fromSeq: 42 },
};
