import { randomUUID } from 'node:crypto';
import { dateShiftDaysFor, parseInstance, phiValuesOf, pseudonymize } from '@annex/dicom';
import { shiftDa } from '@annex/dicom/deid/date-shift.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { parseMultipart } from './multipart.ts';
import { claimAll, projectWithTasks } from './test-projects.ts';
import { type LoadedStudies, loadTestStudies } from './test-studies.ts';

// The project DICOMweb root (/dicomweb/projects/{id}): pseudonyms and date shifts scoped to the project, reads
// limited to the project's tasks (an annotator's own), re-identification from any project. Real Postgres/S3.

let site: TestSite;
let s: LoadedStudies;
let canaries: string[];
let one: string;
let two: string;
let perSeries: string;
let claimedSeries: string;
beforeAll(async () => {
  site = await startTestSite();
  s = await loadTestStudies(site, 'project-scope');
  canaries = phiValuesOf(s.a, s.b);
  one = await projectWithTasks(site, 'scope-one', [s.a.studyInstanceUid, s.b.studyInstanceUid]);
  two = await projectWithTasks(site, 'scope-two', [s.a.studyInstanceUid]);
  perSeries = await projectWithTasks(site, 'scope-series', [s.a.studyInstanceUid], { taskScope: 'series' });
  expect(await claimAll(site, 'ana', one)).toBe(2);
  expect(await claimAll(site, 'ana', two)).toBe(1);
  expect(await claimAll(site, 'ben', two)).toBe(1);
  // One series task of study a, no more.
  const claimed = await site.app.inject({
    method: 'POST',
    url: '/api/tasks/next',
    headers: await site.auth('ana'),
    payload: { projectId: perSeries },
  });
  expect(claimed.statusCode, claimed.body).toBe(200);
  claimedSeries = (claimed.json() as { seriesUids: string[] }).seriesUids[0]!;
});
afterAll(async () => site?.close());

type Json = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;
const deid = (uid: string) => site.app.annotatorView.uids.deid(uid);
const root = (project?: string) => (project ? `/dicomweb/projects/${project}` : '/dicomweb');
const get = async (user: string, url: string, accept?: string) =>
  site.app.inject({
    method: 'GET',
    url,
    headers: { ...(await site.auth(user)), ...(accept ? { accept } : {}) },
  });
const json = async (user: string, url: string) => {
  const res = await get(user, url);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json() as Json[];
};
const value = (ds: Json | undefined, tag: string) => ds?.[tag]?.Value?.[0] as string | undefined;
const alphabetic = (ds: Json | undefined) =>
  (ds?.['00100010']?.Value?.[0] as { Alphabetic?: string } | undefined)?.Alphabetic;

/** What an annotator is shown of study a's CT under a root: study row, metadata, the instance bytes. */
async function patientAsShown(user: string, project?: string) {
  const st = deid(s.a.studyInstanceUid);
  const se = deid(s.ct.seriesInstanceUid);
  const [study] = await json(user, `${root(project)}/studies?StudyInstanceUID=${st}&includefield=all`);
  const metadata = await json(user, `${root(project)}/studies/${st}/series/${se}/metadata`);
  const sop = value(metadata[0], '00080018')!;
  const res = await get(user, `${root(project)}/studies/${st}/series/${se}/instances/${sop}`);
  expect(res.statusCode, res.body).toBe(200);
  const [part] = parseMultipart(res.rawPayload, String(res.headers['content-type']));
  const bytes = parseInstance(part!.body);
  return {
    ids: [value(study, '00100020'), value(metadata[0], '00100020'), bytes.patientId],
    names: [alphabetic(study), alphabetic(metadata[0])],
    dates: [value(study, '00080020'), value(metadata[0], '00080020')],
  };
}

describe('the project DICOMweb root', () => {
  it('gives the same patient a different pseudonym in each project, and one pseudonym within a project', async () => {
    const secret = site.config.SITE_SECRET;
    const inOne = await patientAsShown('ana', one);
    const inTwo = await patientAsShown('ana', two);
    const onSite = await patientAsShown('ana');
    for (const [shown, scope] of [
      [inOne, one],
      [inTwo, two],
      [onSite, ''],
    ] as const) {
      // QIDO, metadata and the instance bytes agree, and it is the project's keyed pseudonym.
      expect(new Set(shown.ids)).toEqual(new Set([pseudonymize(secret, 'patient', s.a.patient.id, scope)]));
      expect(shown.names[0]).toBe(shown.names[1]);
      expect(shown.names[0]).toMatch(/^pt_/);
      const days = dateShiftDaysFor(secret, s.a.patient.id, scope);
      expect(shown.dates).toEqual([shiftDa(s.a.studyDate, days), shiftDa(s.a.studyDate, days)]);
    }
    expect(inOne.ids[0]).not.toBe(inTwo.ids[0]);
    expect(inOne.names[0]).not.toBe(inTwo.names[0]);
    expect(inOne.ids[0]).not.toBe(onSite.ids[0]);
    // UIDs stay the site's: the tasks API hands them out, whatever the project.
    expect(await json('ana', `${root(two)}/studies`)).toHaveLength(1);
  });

  it('carries none of the fixtures PHI in anything it serves, and its URLs stay under the project root', async () => {
    const base = `${site.config.PUBLIC_URL}/dicomweb/projects/${one}/`;
    const texts: string[] = [];
    const blobs: Buffer[] = [];
    const read = async (url: string, accept?: string) => {
      const res = await get('ana', url, accept);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      blobs.push(res.rawPayload);
      return res;
    };
    const list = async (url: string) => {
      const res = await read(url);
      texts.push(res.body);
      return res.json() as Json[];
    };
    const studies = await list(`${root(one)}/studies?includefield=all`);
    expect(studies).toHaveLength(2);
    for (const study of studies) {
      const st = value(study, '0020000D')!;
      expect(value(study, '00081190')).toBe(`${base}studies/${st}`);
      await list(`${root(one)}/studies/${st}/metadata`);
      for (const series of await list(`${root(one)}/studies/${st}/series?includefield=all`)) {
        const se = value(series, '0020000E')!;
        const instances = await list(`${root(one)}/studies/${st}/series/${se}/instances?includefield=all`);
        const metadata = await list(`${root(one)}/studies/${st}/series/${se}/metadata`);
        const sop = value(instances[0], '00080018')!;
        await list(`${root(one)}/studies/${st}/series/${se}/instances/${sop}/metadata`);
        const pixels = metadata[0]!['7FE00010']?.BulkDataURI;
        const burnedIn = value(metadata[0], '00080016') === '1.2.840.10008.5.1.4.1.1.7.3';
        if (pixels && !burnedIn) {
          expect(pixels.startsWith(base)).toBe(true);
          await read(pixels.replace(site.config.PUBLIC_URL, ''));
        }
        if (!burnedIn) {
          await read(`${root(one)}/studies/${st}/series/${se}/instances/${sop}`);
          await read(`${root(one)}/studies/${st}/series/${se}/instances/${sop}/frames/1`);
          await read(`${root(one)}/studies/${st}/series/${se}/instances/${sop}/rendered`, 'image/png');
        }
      }
      await read(`${root(one)}/studies/${st}`);
    }
    await list(`${root(one)}/series?includefield=all`);
    await list(`${root(one)}/instances?includefield=all`);
    expect(blobs.length).toBeGreaterThan(20);
    const text = texts.join('\n');
    expect(canaries.filter((c) => text.includes(c))).toEqual([]);
    for (const blob of blobs) expect(canaries.filter((c) => blob.toString('latin1').includes(c))).toEqual([]);
    for (const original of [s.a.studyInstanceUid, s.ct.seriesInstanceUid, s.b.studyInstanceUid])
      expect(text).not.toContain(original);
  });

  it('lets an annotator read only the studies of tasks assigned to them in that project', async () => {
    const st = deid(s.a.studyInstanceUid);
    const se = deid(s.ct.seriesInstanceUid);
    // Ben has study a in project two only; Cleo has nothing.
    expect(await json('ben', `${root(one)}/studies`)).toEqual([]);
    expect(await json('ben', `${root(one)}/series`)).toEqual([]);
    expect(await json('ben', `${root(one)}/instances`)).toEqual([]);
    for (const url of [
      `${root(one)}/studies/${st}/metadata`,
      `${root(one)}/studies/${st}/series/${se}`,
      `${root(one)}/studies/${st}/series/${se}/instances/${deid(s.ct.sopInstanceUids[0]!)}/frames/1`,
      `${root(one)}/studies/${st}/series/${se}/instances/${deid(s.ct.sopInstanceUids[0]!)}/rendered`,
    ]) {
      const res = await get('ben', url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain(s.a.studyInstanceUid);
    }
    const bens = await json('ben', `${root(two)}/studies`);
    expect(bens.map((r) => value(r, '0020000D'))).toEqual([st]);
    expect((await get('ben', `${root(two)}/studies/${st}/series/${se}/metadata`)).statusCode).toBe(200);
    // Ana has both studies in project one, only study a in project two.
    expect(await json('ana', `${root(one)}/studies`)).toHaveLength(2);
    expect((await json('ana', `${root(two)}/studies`)).map((r) => value(r, '0020000D'))).toEqual([st]);
    expect((await get('ana', `${root(two)}/studies/${deid(s.b.studyInstanceUid)}/metadata`)).statusCode).toBe(
      404,
    );
    for (const project of [one, two, undefined])
      expect(await json('cleo', `${root(project)}/studies`)).toEqual([]);
    // The unscoped root: an annotator reads the studies of their own tasks, in any project.
    expect(await json('ben', `${root()}/studies`)).toHaveLength(1);
    expect((await get('cleo', `${root()}/studies/${st}/metadata`)).statusCode).toBe(404);
  });

  it('limits a series task to its series', async () => {
    const st = deid(s.a.studyInstanceUid);
    const series = await json('ana', `${root(perSeries)}/studies/${st}/series`);
    expect(series.map((r) => value(r, '0020000E'))).toEqual([claimedSeries]);
    const other = [s.ct, s.rle, s.multiframe]
      .map((x) => deid(x.seriesInstanceUid))
      .find((u) => u !== claimedSeries)!;
    expect((await get('ana', `${root(perSeries)}/studies/${st}/series/${other}/metadata`)).statusCode).toBe(
      404,
    );
    expect(
      (await get('ana', `${root(perSeries)}/studies/${st}/series/${claimedSeries}/metadata`)).statusCode,
    ).toBe(200);
    // The study's metadata holds the assigned series only.
    const metadata = await json('ana', `${root(perSeries)}/studies/${st}/metadata`);
    expect(new Set(metadata.map((m) => value(m, '0020000E')))).toEqual(new Set([claimedSeries]));
    // The study row counts only that series, and the study-wide modality key sees only it too.
    const mine = [s.ct, s.rle, s.multiframe].find((x) => deid(x.seriesInstanceUid) === claimedSeries)!;
    const modality = mine === s.multiframe ? 'OT' : 'CT';
    const [study] = await json('ana', `${root(perSeries)}/studies?StudyInstanceUID=${st}`);
    expect(study!['00201206']).toEqual({ vr: 'IS', Value: [1] });
    expect(study!['00201208']).toEqual({ vr: 'IS', Value: [mine.files.length] });
    expect(study!['00080061']).toEqual({ vr: 'CS', Value: [modality] });
    const hidden = modality === 'OT' ? 'CT' : 'OT';
    expect(await json('ana', `${root(perSeries)}/studies?ModalitiesInStudy=${hidden}`)).toEqual([]);
    expect(await json('ana', `${root(perSeries)}/studies?ModalitiesInStudy=${modality}`)).toHaveLength(1);
    // A reviewer reads every task of the project (one per series here: all three); so does a PHI viewer.
    const [reviewed] = await json('rita', `${root(perSeries)}/studies?StudyInstanceUID=${st}`);
    expect(reviewed!['00201206']).toEqual({ vr: 'IS', Value: [3] });
    const [whole] = await json('phil', `${root()}/studies?StudyInstanceUID=${s.a.studyInstanceUid}`);
    expect(whole!['00201206']).toEqual({ vr: 'IS', Value: [3] });
  });

  it('lets reviewers and PHI viewers read every task of the project, and names unknown or malformed projects', async () => {
    expect(await json('rita', `${root(one)}/studies`)).toHaveLength(2);
    expect(await json('rita', `${root(two)}/studies`)).toHaveLength(1);
    const phil = await json('phil', `${root(two)}/studies`);
    expect(phil.map((r) => value(r, '0020000D'))).toEqual([s.a.studyInstanceUid]);
    const unknown = await get('ana', `${root(randomUUID())}/studies`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('PROJECT_NOT_FOUND');
    const malformed = await get('ana', '/dicomweb/projects/not-a-project/studies');
    expect(malformed.statusCode).toBe(400);
    expect((await get('ana', `${root(one)}/studies`.replace('/dicomweb', ''))).statusCode).toBe(404);
  });

  it('re-identifies a patient pseudonym made in any project, and says which project', async () => {
    const [inOne, inTwo, onSite] = await Promise.all([
      patientAsShown('ana', one),
      patientAsShown('ana', two),
      patientAsShown('ana'),
    ]);
    const ids = [inOne.ids[0]!, inTwo.ids[0]!, onSite.ids[0]!];
    const res = await site.app.inject({
      method: 'POST',
      url: '/api/admin/reidentify',
      headers: await site.auth('admin'),
      payload: { ids },
    });
    expect(res.statusCode, res.body).toBe(200);
    const results = res.json().results as Array<{
      status: number;
      kind: string;
      projectId?: string;
      patients: Array<{ patientId: string }>;
    }>;
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.map((r) => r.kind)).toEqual(['patient', 'patient', 'patient']);
    expect(results.map((r) => r.patients[0]!.patientId)).toEqual([
      s.a.patient.id,
      s.a.patient.id,
      s.a.patient.id,
    ]);
    expect(results.map((r) => r.projectId)).toEqual([one, two, undefined]);
  });
});
