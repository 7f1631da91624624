import { randomBytes } from 'node:crypto';
import { phiValuesOf, pseudonymize } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { claimAll, projectWithTasks } from '../dicomweb/test-projects.ts';
import { type LoadedStudies, loadTestStudies } from '../dicomweb/test-studies.ts';

let site: TestSite;
let s: LoadedStudies;
let canaries: string[];
beforeAll(async () => {
  site = await startTestSite();
  s = await loadTestStudies(site, 'reidentify');
  canaries = phiValuesOf(s.a, s.b);
  const project = await projectWithTasks(site, 'reidentify', [s.a.studyInstanceUid, s.b.studyInstanceUid]);
  expect(await claimAll(site, 'ana', project)).toBe(2);
});
afterAll(async () => site?.close());

type Item = Record<string, unknown> & { id: string; status: number; found: boolean };
const ask = async (user: string, ids: string[]) =>
  site.app.inject({
    method: 'POST',
    url: '/api/admin/reidentify',
    headers: await site.auth(user),
    payload: { ids },
  });
const reidentify = async (ids: string[]) => {
  const res = await ask('admin', ids);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { results: Item[] }).results;
};
const secret = () => site.config.SITE_SECRET;

describe('POST /api/admin/reidentify', () => {
  it('takes the patient pseudonym and study UID an annotator was shown back to the patient and study', async () => {
    const res = await site.app.inject({
      method: 'GET',
      url: '/dicomweb/studies?includefield=all',
      headers: await site.auth('ana'),
    });
    const rows = res.json() as Array<Record<string, { Value?: unknown[] }>>;
    const shown = rows.map((r) => ({
      patient: r['00100020']!.Value![0] as string,
      study: r['0020000D']!.Value![0] as string,
    }));
    expect(shown[0]!.patient).toMatch(/^pt_/);
    const results = await reidentify(shown.flatMap((r) => [r.patient, r.study]));
    const studies = results.filter((r) => r.kind === 'uid');
    expect(studies.map((r) => r.originalUid).sort()).toEqual(
      [s.a.studyInstanceUid, s.b.studyInstanceUid].sort(),
    );
    expect(studies.every((r) => r.level === 'study')).toBe(true);
    const patients = results.filter((r) => r.kind === 'patient');
    expect(patients).toHaveLength(2);
    const a = patients.find(
      (p) => (p.patients as Array<{ patientId: string }>)[0]!.patientId === s.a.patient.id,
    );
    expect(a, JSON.stringify(patients.map((p) => p.id))).toBeDefined();
    const [row] = a!.patients as Array<{ patientName: string; birthDate: string }>;
    expect(row!.patientName).toContain(s.a.patient.name.family);
    expect(row!.birthDate).toBe(s.a.patient.birthDate);
  });

  it('maps study, series, user and project pseudonyms made the way sync and task identity make them', async () => {
    const project = await site.deps.prisma.project.create({
      data: { slug: `p-${Date.now()}`, name: 'Lungs' },
    });
    const subject = `subject-${randomBytes(4).toString('hex')}`;
    await site.deps.prisma.instructionsVersion.create({
      data: { projectRef: project.id, version: 1, instructions: {}, createdBy: subject },
    });
    const seriesUid = s.ct.seriesInstanceUid;
    const ids = [
      pseudonymize(secret(), 'study', s.a.studyInstanceUid),
      pseudonymize(secret(), 'series', seriesUid),
      pseudonymize(secret(), 'user', subject),
      pseudonymize(secret(), 'project', project.id),
    ];
    const [study, series, user, prj] = await reidentify(ids);
    expect(study).toMatchObject({
      status: 200,
      kind: 'study',
      studyInstanceUid: s.a.studyInstanceUid,
      accessionNumber: s.a.accessionNumber,
    });
    expect(series).toMatchObject({ status: 200, kind: 'series', seriesInstanceUid: seriesUid });
    expect(user).toMatchObject({ status: 200, kind: 'user', subject });
    expect(prj).toMatchObject({ status: 200, kind: 'project', projectId: project.id, name: 'Lungs' });
  });

  it('answers 404 per item for unknown, foreign and malformed ids without failing the others', async () => {
    const results = await reidentify([
      pseudonymize(secret(), 'study', '1.2.3.999999'),
      pseudonymize(randomBytes(32).toString('hex'), 'patient', s.a.patient.id),
      'not-a-pseudonym',
      '1.2.3.4',
      pseudonymize(secret(), 'study', s.b.studyInstanceUid),
    ]);
    expect(results.map((r) => r.status)).toEqual([404, 404, 404, 404, 200]);
    expect(JSON.stringify(results.slice(0, 4))).not.toContain(s.a.patient.id);
  });

  it('writes every call to the audit log with the ids asked, never the answers', async () => {
    const ids = [
      pseudonymize(secret(), 'study', s.a.studyInstanceUid),
      pseudonymize(secret(), 'patient', s.a.patient.id),
    ];
    const before = await site.deps.prisma.auditEvent.count({ where: { action: 'reidentify' } });
    const results = await reidentify(ids);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const rows = await site.deps.prisma.auditEvent.findMany({
      where: { action: 'reidentify' },
      orderBy: { id: 'asc' },
    });
    expect(rows).toHaveLength(before + 1);
    const last = rows.at(-1)!;
    expect(last.detail).toMatchObject({ ids: ids.join(','), count: 2 });
    expect(last.roles).toContain('site-admin');
    const text = JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(canaries.filter((c) => text.includes(c))).toEqual([]);
    expect(text).not.toContain(s.a.studyInstanceUid);
  });

  it('refuses annotators, reviewers and PHI viewers, and bounds a call to 100 ids', async () => {
    for (const user of ['ana', 'rita', 'phil']) {
      const res = await ask(user, [pseudonymize(secret(), 'study', s.a.studyInstanceUid)]);
      expect(res.statusCode, user).toBe(403);
      expect(res.body).not.toContain(s.a.studyInstanceUid);
    }
    expect(
      (
        await ask(
          'admin',
          Array.from({ length: 101 }, (_, i) => `st_${i}`),
        )
      ).statusCode,
    ).toBe(400);
  });
});
