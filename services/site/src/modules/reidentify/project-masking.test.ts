import {
  decodeFrameSync,
  makeMultiframe,
  makeStudy,
  parseInstance,
  type SyntheticSeries,
  toGrey8,
} from '@annex/dicom';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { parseMultipart } from '../dicomweb/multipart.ts';
import { claimAll, projectWithTasks } from '../dicomweb/test-projects.ts';
import { ingestContextOf } from '../ingest/context.ts';
import { ingestInstance } from '../ingest/service.ts';

// Mask templates per project: a project's own selection overrides the site's policy in its DICOMweb root.
let site: TestSite;
let sc: SyntheticSeries;
const projects: Record<'own' | 'inherits' | 'off', string> = { own: '', inherits: '', off: '' };
const A = { x: 2, y: 3, width: 10, height: 5 };
const B = { x: 16, y: 20, width: 8, height: 6 };
const template = (name: string, rect: typeof A) => ({
  name,
  manufacturer: 'Annex Synthetic Imaging',
  model: 'SynthScan 9000',
  rows: 32,
  columns: 32,
  rects: [rect],
});
const ids: Record<'a' | 'b', string> = { a: '', b: '' };

const admin = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object) =>
  site.app.inject({ method, url, headers: await site.auth('admin'), ...(payload ? { payload } : {}) });

beforeAll(async () => {
  site = await startTestSite();
  const study = makeStudy('project-masking');
  // Multi-frame secondary capture: a burned-in text risk by SOP class.
  sc = makeMultiframe({ study, frames: 2, rows: 32, cols: 32, seriesNumber: 1 });
  for (const f of sc.files) await ingestInstance(ingestContextOf(site.app), f, { via: 'upload' });
  for (const key of Object.keys(projects) as Array<keyof typeof projects>) {
    projects[key] = await projectWithTasks(site, `masking-${key}`, [study.studyInstanceUid]);
    expect(await claimAll(site, 'ana', projects[key])).toBe(1);
  }
  // The site masks with every template; the first that fits (by name) is 'a-site'.
  ids.a = (await admin('POST', '/api/admin/mask-templates', template('a-site', A))).json().id;
  ids.b = (await admin('POST', '/api/admin/mask-templates', template('b-project', B))).json().id;
  expect((await admin('PUT', '/api/admin/pixel-masking', { enabled: true })).statusCode).toBe(200);
});
afterAll(async () => site?.close());

const inside = (i: number, r: typeof A) => {
  const x = i % 32;
  const y = Math.floor(i / 32);
  return x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
};
const d = (uid: string) => site.app.annotatorView.uids.deid(uid);
const instanceUrl = (project?: string) =>
  `/dicomweb${project ? `/projects/${project}` : ''}/studies/${d(sc.study.studyInstanceUid)}/series/${d(sc.seriesInstanceUid)}/instances/${d(sc.sopInstanceUids[0]!)}`;

/** Frame 1 as an annotator gets it under a root (native pixels), or the error. */
async function frameUnder(project?: string) {
  const res = await site.app.inject({
    method: 'GET',
    url: `${instanceUrl(project)}/frames/1`,
    headers: { ...(await site.auth('ana')), accept: 'multipart/related; type="application/octet-stream"' },
  });
  if (res.statusCode !== 200) return { status: res.statusCode, code: res.json().error.code as string };
  const [part] = parseMultipart(res.rawPayload, String(res.headers['content-type']));
  return { status: 200, pixels: new Uint16Array(Uint8Array.from(part!.body).buffer) };
}

/** Blank exactly inside `masked`, the original everywhere else (and the original had something there). */
function expectMaskedBy(pixels: Uint16Array | undefined, masked: typeof A) {
  const want = decodeFrameSync(parseInstance(sc.files[0]!), 0).pixels;
  expect(pixels?.length).toBe(want.length);
  let before = 0;
  for (let i = 0; i < want.length; i++) {
    if (inside(i, masked)) {
      expect(pixels![i], `pixel ${i}`).toBe(0);
      if (want[i] !== 0) before++;
    } else expect(pixels![i], `pixel ${i}`).toBe(want[i]);
  }
  expect(before).toBeGreaterThan(0);
}

describe('pixel masking per project', () => {
  it('applies a project’s own template selection in its root, and the site’s elsewhere', async () => {
    const set = await admin('PUT', `/api/admin/projects/${projects.own}/pixel-masking`, {
      enabled: true,
      templateIds: [ids.b],
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({
      projectId: projects.own,
      inherited: false,
      enabled: true,
      templateIds: [ids.b],
    });
    expectMaskedBy((await frameUnder(projects.own)).pixels, B);
    expectMaskedBy((await frameUnder(projects.inherits)).pixels, A);
    expectMaskedBy((await frameUnder()).pixels, A);
    expect((await admin('GET', `/api/admin/projects/${projects.inherits}/pixel-masking`)).json()).toEqual({
      projectId: projects.inherits,
      inherited: true,
      enabled: true,
      templateIds: [ids.a, ids.b].sort(),
    });
  });

  it('renders a masked image with the project’s rectangle blacked out', async () => {
    const original = decodeFrameSync(parseInstance(sc.files[0]!), 0);
    let max = 0;
    for (const v of original.pixels) max = Math.max(max, v);
    const low = original.rescaleIntercept;
    const high = max * original.rescaleSlope + low;
    const window = { windowCenter: (low + high) / 2, windowWidth: high - low };
    const res = await site.app.inject({
      method: 'GET',
      url: `${instanceUrl(projects.own)}/rendered?window=${window.windowCenter},${window.windowWidth}`,
      headers: { ...(await site.auth('ana')), accept: 'image/png' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const png = PNG.sync.read(res.rawPayload);
    const unmasked = toGrey8(original, window);
    let visibleBefore = 0;
    for (let i = 0; i < 32 * 32; i++) {
      if (inside(i, B)) {
        expect(png.data[i * 4], `pixel ${i}`).toBe(0);
        if (unmasked[i]! > 0) visibleBefore++;
      } else expect(png.data[i * 4], `pixel ${i}`).toBe(unmasked[i]);
    }
    expect(visibleBefore).toBeGreaterThan(0);
  });

  it('turns masking off for one project while the site masks', async () => {
    expect(
      (
        await admin('PUT', `/api/admin/projects/${projects.off}/pixel-masking`, {
          enabled: false,
          templateIds: [],
        })
      ).statusCode,
    ).toBe(200);
    expect(await frameUnder(projects.off)).toEqual({ status: 403, code: 'BURNED_IN_RISK' });
    expectMaskedBy((await frameUnder(projects.inherits)).pixels, A);
  });

  it('falls back to the site when a project’s policy is cleared, and drops deleted templates from selections', async () => {
    expect((await admin('DELETE', `/api/admin/projects/${projects.off}/pixel-masking`)).statusCode).toBe(204);
    expectMaskedBy((await frameUnder(projects.off)).pixels, A);
    // Deleting the only selected template leaves the project masking with none: it refuses, never unmasks.
    expect((await admin('DELETE', `/api/admin/mask-templates/${ids.b}`)).statusCode).toBe(204);
    expect((await admin('GET', `/api/admin/projects/${projects.own}/pixel-masking`)).json()).toMatchObject({
      inherited: false,
      templateIds: [],
    });
    expect(await frameUnder(projects.own)).toEqual({ status: 403, code: 'BURNED_IN_RISK' });
    const audited = await site.deps.prisma.auditEvent.findMany({
      where: { action: { in: ['pixel-masking.project-set', 'pixel-masking.project-cleared'] } },
    });
    expect(audited.map((a) => a.action).sort()).toEqual([
      'pixel-masking.project-cleared',
      'pixel-masking.project-set',
      'pixel-masking.project-set',
    ]);
  });

  it('refuses unknown templates and projects, bad bodies, and anyone but a site admin', async () => {
    const unknown = await admin('PUT', `/api/admin/projects/${projects.own}/pixel-masking`, {
      enabled: true,
      templateIds: [ids.b],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('MASK_TEMPLATE_UNKNOWN');
    const noProject = await admin(
      'GET',
      '/api/admin/projects/00000000-0000-4000-8000-000000000000/pixel-masking',
    );
    expect(noProject.statusCode).toBe(404);
    expect(noProject.json().error.code).toBe('PROJECT_NOT_FOUND');
    expect(
      (
        await admin('PUT', `/api/admin/projects/${projects.own}/pixel-masking`, {
          enabled: 'yes',
          templateIds: [],
        })
      ).statusCode,
    ).toBe(400);
    for (const user of ['ana', 'rita', 'phil']) {
      const res = await site.app.inject({
        method: 'PUT',
        url: `/api/admin/projects/${projects.own}/pixel-masking`,
        headers: await site.auth(user),
        payload: { enabled: true, templateIds: [] },
      });
      expect(res.statusCode, user).toBe(403);
    }
  });
});
