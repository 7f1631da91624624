import { dateShiftDaysFor, parseInstance, phiValuesOf } from '@annex/dicom';
import { shiftDa } from '@annex/dicom/deid/date-shift.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { parseMultipart } from '../dicomweb/multipart.ts';
import { claimAll, projectWithTasks } from '../dicomweb/test-projects.ts';
import { type LoadedStudies, loadTestStudies } from '../dicomweb/test-studies.ts';

let site: TestSite;
let s: LoadedStudies;
let canaries: string[];
const headers: Record<string, { authorization: string }> = {};
beforeAll(async () => {
  site = await startTestSite();
  s = await loadTestStudies(site, 'deid-view');
  // An annotator reads the studies of tasks assigned to them: Ana takes both studies' tasks.
  const project = await projectWithTasks(site, 'deid-view', [s.a.studyInstanceUid, s.b.studyInstanceUid]);
  expect(await claimAll(site, 'ana', project)).toBe(2);
  canaries = phiValuesOf(s.a, s.b);
  for (const user of ['ana', 'rita', 'phil', 'admin']) headers[user] = await site.auth(user);
});
afterAll(async () => site?.close());

type Json = Record<string, { vr: string; Value?: unknown[] }>;
const get = (user: string, url: string, extra: Record<string, string> = {}) =>
  site.app.inject({ method: 'GET', url, headers: { ...headers[user], ...extra } });
const leaked = (text: string) => canaries.filter((c) => text.includes(c));
const uidOf = (row: Json, tag: string) => row[tag]?.Value?.[0] as string;

/** Walks an annotator from the study list down to instance bytes, as a viewer would, with the UIDs it is shown. */
async function browseAs(user: string) {
  const bodies: string[] = [];
  const json = async (url: string) => {
    const res = await get(user, url);
    expect(res.statusCode, res.body).toBe(200);
    bodies.push(res.body);
    return res.json() as Json[];
  };
  const studies = await json('/dicomweb/studies?includefield=all');
  const study = studies.find((r) => r['00201208']?.Value?.[0] === 6)!;
  const st = uidOf(study, '0020000D');
  const series = await json(`/dicomweb/studies/${st}/series?includefield=all`);
  const ct = series.find((r) => r['00201209']?.Value?.[0] === 3)!;
  const se = uidOf(ct, '0020000E');
  const instances = await json(`/dicomweb/studies/${st}/series/${se}/instances?includefield=all`);
  const metadata = await json(`/dicomweb/studies/${st}/series/${se}/metadata`);
  await json(`/dicomweb/studies/${st}/metadata`);
  await json('/dicomweb/series?includefield=all');
  await json('/dicomweb/instances?includefield=all');
  const sop = uidOf(instances[0]!, '00080018');
  const retrieve = await get(user, `/dicomweb/studies/${st}/series/${se}/instances/${sop}`);
  expect(retrieve.statusCode, retrieve.body).toBe(200);
  const [part] = parseMultipart(retrieve.rawPayload, String(retrieve.headers['content-type']));
  const frame = await get(user, `/dicomweb/studies/${st}/series/${se}/instances/${sop}/frames/1`);
  const rendered = await get(user, `/dicomweb/studies/${st}/series/${se}/instances/${sop}/rendered`, {
    accept: 'image/png',
  });
  return {
    studies,
    study,
    series,
    instances,
    metadata,
    st,
    se,
    sop,
    bytes: part!.body,
    frame,
    rendered,
    text: bodies.join('\n'),
  };
}

describe('the annotator view', () => {
  it('carries none of the fixtures PHI in QIDO, metadata or instance bytes', async () => {
    for (const user of ['ana', 'rita']) {
      const view = await browseAs(user);
      for (const c of leaked(view.text))
        console.log(
          'LEAK',
          c,
          view.text.slice(Math.max(0, view.text.indexOf(c) - 300), view.text.indexOf(c) + 100),
        );
      for (const c of leaked(view.bytes.toString('latin1'))) console.log('LEAKB', c);
      expect(leaked(view.text)).toEqual([]);
      expect(leaked(view.bytes.toString('latin1'))).toEqual([]);
      expect(view.frame.statusCode).toBe(200);
      expect(view.rendered.statusCode).toBe(200);
    }
  });

  it('shows the same de-identified UIDs in QIDO, metadata and the instance bytes, so a viewer can navigate', async () => {
    const view = await browseAs('ana');
    console.log(JSON.stringify(view.study, null, 1), JSON.stringify(view.metadata[0]).slice(0, 3000));
    expect(view.st).not.toBe(s.a.studyInstanceUid);
    expect(view.st).toMatch(/^2\.25\.\d+$/);
    const parsed = parseInstance(view.bytes);
    expect(parsed.studyInstanceUid).toBe(view.st);
    expect(parsed.seriesInstanceUid).toBe(view.se);
    expect(parsed.sopInstanceUid).toBe(view.sop);
    expect(view.metadata.map((m) => uidOf(m, '00080018'))).toEqual(
      view.instances.map((i) => uidOf(i, '00080018')),
    );
    expect(uidOf(view.metadata[0]!, '0020000D')).toBe(view.st);
    // Same pseudonym in the study list, the metadata and the bytes.
    const pseudonym = (view.study['00100020']?.Value?.[0] as string) ?? '';
    expect(pseudonym).toMatch(/^pt_/);
    expect(view.metadata[0]!['00100020']?.Value?.[0]).toBe(pseudonym);
    expect(parsed.patientId).toBe(pseudonym);
    // The frame is the original pixel data (the profile keeps pixels).
    expect(view.frame.rawPayload.length).toBeGreaterThan(64 * 64 * 2);
    // Searching by a de-identified UID finds it; the original UID does not exist in this view.
    const found = await get('ana', `/dicomweb/studies?StudyInstanceUID=${view.st}`);
    expect(found.json()).toHaveLength(1);
    expect(
      await get('ana', `/dicomweb/studies?StudyInstanceUID=${s.a.studyInstanceUid}`).then((r) => r.json()),
    ).toEqual([]);
    const original = await get(
      'ana',
      `/dicomweb/studies/${s.a.studyInstanceUid}/series/${s.ct.seriesInstanceUid}/metadata`,
    );
    expect(original.statusCode).toBe(404);
  });

  it('shifts dates by the one per-patient shift the engine uses for the bytes', async () => {
    const view = await browseAs('ana');
    const days = dateShiftDaysFor(site.config.SITE_SECRET, s.a.patient.id, '');
    expect(view.study['00080020']?.Value?.[0]).toBe(shiftDa(s.a.studyDate, days));
    expect(view.study['00080020']?.Value?.[0]).not.toBe(s.a.studyDate);
    expect(view.metadata[0]!['00080020']?.Value?.[0]).toBe(shiftDa(s.a.studyDate, days));
  });

  it('serves pixel bulk data by its de-identified URI, and no identifying value by a bulk data path', async () => {
    const view = await browseAs('ana');
    const uri = (view.metadata[0]!['7FE00010'] as unknown as { BulkDataURI: string }).BulkDataURI;
    expect(uri).toContain(`/instances/${view.sop}/bulkdata/7FE00010`);
    const pixels = await get('ana', uri.replace('http://127.0.0.1:8080', ''));
    expect(pixels.statusCode).toBe(200);
    const base = `/dicomweb/studies/${view.st}/series/${view.se}/instances/${view.sop}/bulkdata`;
    for (const path of ['00100010', '00100020', '00080090']) {
      const res = await get('ana', `${base}/${path}`);
      expect(res.statusCode, path).toBe(404);
      expect(leaked(res.body)).toEqual([]);
    }
  });

  it('refuses searches on identifying attributes', async () => {
    const res = await get(
      'ana',
      `/dicomweb/studies?PatientName=${encodeURIComponent(s.a.patient.name.family)}*`,
    );
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('PHI_QUERY_FORBIDDEN');
    expect((await get('ana', '/dicomweb/studies?StudyDate=20200101-')).statusCode).toBe(403);
  });

  it('does not serve pixels of objects with a burned-in text risk (secondary capture)', async () => {
    const series = (await get('ana', '/dicomweb/series?Modality=OT')).json() as Json[];
    const st = uidOf(series[0]!, '0020000D');
    const se = uidOf(series[0]!, '0020000E');
    const [inst] = (await get('ana', `/dicomweb/studies/${st}/series/${se}/instances`)).json() as Json[];
    const base = `/dicomweb/studies/${st}/series/${se}/instances/${uidOf(inst!, '00080018')}`;
    for (const url of [base, `${base}/frames/1`, `${base}/rendered`]) {
      const res = await get('ana', url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.code).toBe('BURNED_IN_RISK');
    }
    // A study retrieve leaves it out instead of failing.
    const study = await get('ana', `/dicomweb/studies/${st}`);
    expect(parseMultipart(study.rawPayload, String(study.headers['content-type']))).toHaveLength(5);
  });

  it('is not audited as a PHI read, while phi-viewer reads of originals are', async () => {
    const count = () => site.deps.prisma.auditEvent.count({ where: { action: 'dicomweb.read' } });
    const before = await count();
    await browseAs('ana');
    expect(await count()).toBe(before);
    const phi = await browseAs('phil');
    expect(await count()).toBeGreaterThan(before + 5);
    expect(phi.st).toBe(s.a.studyInstanceUid);
    expect(leaked(phi.text)).toContain(s.a.accessionNumber);
    expect(phi.bytes.equals(s.ct.files[0]!)).toBe(true);
  });

  it('gives a site admin with phi-viewer the originals', async () => {
    const view = await browseAs('admin');
    expect(view.st).toBe(s.a.studyInstanceUid);
  });

  it('has ETags that differ from the original view, so shared caches never mix them', async () => {
    const ana = await browseAs('ana');
    const phil = await browseAs('phil');
    const a = await get('ana', `/dicomweb/studies/${ana.st}/series/${ana.se}/instances/${ana.sop}`);
    const p = await get('phil', `/dicomweb/studies/${phil.st}/series/${phil.se}/instances/${phil.sop}`);
    expect(a.headers.etag).toBeTruthy();
    expect(a.headers.etag).not.toBe(p.headers.etag);
    expect(a.headers.vary).toContain('Authorization');
  });
});
