import { createHmac } from 'node:crypto';
import { pseudonymize } from '@annex/dicom';
import { UidRemapper } from '@annex/dicom/deid/uid-remap.ts';

/**
 * The ids a task is known by outside the site's database: de-identified UIDs for the viewer (the
 * same ones its DICOMweb answers with) and keyed pseudonyms for the cloud (DESIGN.md rule 2).
 */
export interface TaskIdentity {
  deidUid(uid: string): string;
  task(taskId: string): string;
  project(projectId: string): string;
  user(subject: string): string;
  study(studyInstanceUid: string): string;
  series(seriesInstanceUid: string): string;
}

export function taskIdentity(secret: string): TaskIdentity {
  const remapper = UidRemapper.for(secret);
  return {
    deidUid: (uid) => remapper.remap(uid),
    // Tasks have no DICOM counterpart; same construction as the other pseudonyms, own kind.
    task: (taskId) =>
      `tk_${createHmac('sha256', secret).update(`annex-pseudonym\0task\0\0${taskId}`).digest().subarray(0, 15).toString('base64url')}`,
    project: (projectId) => pseudonymize(secret, 'project', projectId),
    user: (subject) => pseudonymize(secret, 'user', subject),
    study: (uid) => pseudonymize(secret, 'study', uid),
    series: (uid) => pseudonymize(secret, 'series', uid),
  };
}
