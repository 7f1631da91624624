import { makeCtSeries, makeStudy, phantomValueAt, pixelToPatient, type SyntheticSeries } from '@annex/dicom';
import { freePort } from '@annex/platform/testing/free-port.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestContextOf } from '../../../services/site/src/modules/ingest/context.ts';
import { ingestInstance } from '../../../services/site/src/modules/ingest/service.ts';
import { taskContextOf } from '../../../services/site/src/modules/tasks/context.ts';
import { startTestSite, type TestSite } from '../../../services/site/test/app.ts';
import { decodeRuns } from '../src/lib/annotate/mask-rle.ts';
import { buildApp } from './build-app.ts';
import { launchChromium } from './chromium.ts';
import type { PageGlobals } from './page-globals.ts';
import { viewerGeometry } from './viewer-geometry.ts';

// The viewer against the real site service: its embedded Keycloak-shaped issuer (login form,
// PKCE), de-identified DICOMweb, and the tasks API; what the annotator draws is read back from
// the site's database. Postgres, Redis and S3 are real (Keycloak is the embedded stand-in).

const SLICES = 12;
const lesionSlice = Math.round((SLICES - 1) / 2);
let site: TestSite;
let chromium: { browser: Browser; close: () => Promise<void> } | undefined;
let page: Page;
let ct: SyntheticSeries;
const { toPage, pixelOf, drag } = viewerGeometry(
  () => page,
  () => ct,
);
let url: string;
let projectId: string;

beforeAll(async () => {
  const distDir = await buildApp();
  const port = await freePort();
  site = await startTestSite({}, { webRoot: distDir, port });
  url = `http://127.0.0.1:${port}`;
  const project = await site.app.inject({
    method: 'POST',
    url: '/api/projects',
    headers: await site.auth('admin'),
    payload: {
      slug: 'viewer-e2e',
      name: 'Viewer e2e',
      consensusSize: 1,
      goldRate: 0,
      goldWarmup: 0,
      instructions: {
        labels: [
          {
            id: 'nodule',
            name: 'Nodule',
            color: '#ff3030',
            tool: 'bbox',
            required: true,
            attributes: [{ id: 'solid', label: 'Solid', type: 'boolean', required: true }],
          },
          { id: 'lesionmask', name: 'Lesion mask', color: '#30ff30', tool: 'mask' },
          { id: 'diameter', name: 'Diameter', color: '#3080ff', tool: 'length' },
          { id: 'bend', name: 'Bend', color: '#ffb030', tool: 'angle' },
          { id: 'route', name: 'Route', color: '#b030ff', tool: 'polyline' },
        ],
        classifications: [
          {
            id: 'quality',
            label: 'Image quality',
            level: 'study',
            type: 'select',
            options: ['good', 'poor'],
            required: true,
          },
        ],
      },
    },
  });
  expect(project.statusCode).toBe(201);
  projectId = project.json().id;
  ct = makeCtSeries({
    study: makeStudy('viewer-site-e2e'),
    slices: SLICES,
    rows: 256,
    cols: 256,
    pixelSpacing: 1.4,
  });
  const ingest = ingestContextOf(site.app);
  for (const file of ct.files) await ingestInstance(ingest, file, { via: 'upload' });
  const added = await site.app.inject({
    method: 'POST',
    url: `/api/projects/${project.json().id}/tasks`,
    headers: await site.auth('admin'),
    payload: { studyInstanceUids: [ct.study.studyInstanceUid] },
  });
  expect(added.json().created).toBe(1);
  chromium = await launchChromium();
  const context = await chromium.browser.newContext({
    viewport: { width: 1100, height: 700 },
    deviceScaleFactor: 1,
  });
  page = await context.newPage();
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await site?.close();
});

type SavedShape = {
  id: string;
  labelId: string;
  kind: string;
  image: { sopInstanceUid: string };
  points: [number, number][];
};
type SavedDoc = {
  shapes: SavedShape[];
  masks: {
    labelId: string;
    rows: number;
    columns: number;
    slices: { image: { sopInstanceUid: string }; runs: number[] }[];
  }[];
};

/** The latest revision the site saved for the open task, read back through the site's tasks API as the annotator. */
async function savedDoc(): Promise<SavedDoc | undefined> {
  const taskId = /[?&]task=([^&]+)/.exec(page.url())?.[1];
  expect(taskId).toBeDefined();
  const res = await site.app.inject({
    method: 'GET',
    url: `/api/tasks/${taskId}/annotation`,
    headers: await site.auth('ana'),
  });
  if (res.statusCode === 204) return undefined;
  expect(res.statusCode).toBe(200);
  return (res.json() as { doc: SavedDoc }).doc;
}

/** Slice index of a saved de-identified SOP Instance UID. */
const sliceOfSop = () => {
  const ids = taskContextOf(site.app).ids;
  return new Map(ct.sopInstanceUids.map((sop, k) => [ids.deidUid(sop), k]));
};

/** The saved mask of `labelId`, decoded per slice index. */
function decodedMask(doc: SavedDoc | undefined, labelId: string): Map<number, Uint8Array> {
  const sliceOf = sliceOfSop();
  const mask = doc?.masks.find((m) => m.labelId === labelId);
  return new Map(
    (mask?.slices ?? []).map((s) => {
      const px = new Uint8Array(mask!.rows * mask!.columns);
      decodeRuns(s.runs, 1, px);
      return [sliceOf.get(s.image.sopInstanceUid)!, px] as const;
    }),
  );
}

/** Pixels of `slice` where the phantom is the lesion (150 HU; the body around it is 40 HU). */
function lesionTruth(slice: number): Uint8Array {
  const px = new Uint8Array(256 * 256);
  for (let row = 0; row < 256; row++)
    for (let col = 0; col < 256; col++)
      if (phantomValueAt(ct.phantom, pixelToPatient(ct.geometry, slice, row, col)) === 150)
        px[row * 256 + col] = 1;
  return px;
}

async function goToSlice(i: number) {
  await page.evaluate((k) => (globalThis as unknown as PageGlobals).__annexViewer.goTo(k), i);
  await page.waitForFunction(
    (k) => (globalThis as unknown as PageGlobals).__annexViewer.state().index === k,
    i,
  );
}

/** Distance from p to the segment a–b. */
function toSegment(p: [number, number], a: [number, number], b: [number, number]): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

describe('an annotator does a task in the browser against the site', () => {
  it('signs in through the issuer (code + PKCE) and takes the next task from the pool', async () => {
    await page.goto(`${url}/#/tasks`);
    await page.waitForSelector('input[name=username]', { timeout: 30_000 });
    await page.fill('input[name=username]', 'ana');
    await page.fill('input[name=password]', 'ana');
    await page.click('button[type=submit]');
    // Back at the app (the issuer's pages are on the same origin, under /realms/).
    await page.waitForURL((u) => !u.pathname.startsWith('/realms/'), { timeout: 30_000 });
    // Signing in returns to the address the annotator opened: the worklist.
    await expect
      .poll(() => page.locator('main').textContent(), { timeout: 30_000 })
      .toContain('Take the next task');
    // Every DICOMweb read of the task goes to its project's root (the project's pseudonyms, its read rule).
    const dicomweb: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/dicomweb')) dicomweb.push(path);
    });
    await page.keyboard.press('n');
    await page.waitForFunction(
      (n) => (globalThis as unknown as PageGlobals).__annexViewer?.state().loaded === n,
      SLICES,
      { timeout: 60_000 },
    );
    // The viewer reads the de-identified study: the URL carries no original UID.
    expect(page.url()).not.toContain(ct.study.studyInstanceUid);
    expect(page.url()).toContain(taskContextOf(site.app).ids.deidUid(ct.study.studyInstanceUid));
    expect(dicomweb.length).toBeGreaterThan(SLICES);
    expect(dicomweb.filter((p) => !p.startsWith(`/dicomweb/projects/${projectId}/studies/`))).toEqual([]);
  });

  it('segments the lesion with the magic wand on two slices, interpolates between, measures a length label, and the site has it', async () => {
    const viewport = page.locator('[aria-label="image viewport"]');
    await viewport.hover();
    const lesion = ct.phantom.shapes.find((s) => s.name === 'lesion')!;
    const [cr, cc] = pixelOf([lesion.center[0], lesion.center[1]]);
    const [a, b] = [2, SLICES - 3];
    await page.locator('[data-label=lesionmask]').click();
    await page
      .getByRole('navigation', { name: 'viewer tools' })
      .getByRole('button', { name: 'Wand' })
      .click();
    for (const slice of [a, b]) {
      await page.evaluate((i) => (globalThis as unknown as PageGlobals).__annexViewer.goTo(i), slice);
      await page.waitForFunction(
        (i) => (globalThis as unknown as PageGlobals).__annexViewer.state().index === i,
        slice,
      );
      const at = await toPage(slice, Math.round(cr), Math.round(cc));
      await page.mouse.click(at.x, at.y);
      await expect
        .poll(() => page.locator('[data-testid=mask-notice]').textContent())
        .toMatch(/^Added \d+ px on 1 slice$/);
    }
    await viewport.hover();
    await page.keyboard.press('f');
    await expect
      .poll(() => page.locator('[data-testid=mask-notice]').textContent())
      .toBe(`Filled ${b - a - 1} slices between drawn slices`);

    // Interpolation is one step of the undo history, and the undone state is what gets saved.
    const savedSlices = async () => {
      const r = await site.deps.prisma.annotationRevision.findFirst({ orderBy: { revision: 'desc' } });
      const d = r?.doc as { masks?: { labelId: string; slices: unknown[] }[] } | undefined;
      return d?.masks?.find((m) => m.labelId === 'lesionmask')?.slices.length ?? 0;
    };
    await expect.poll(savedSlices, { timeout: 15_000 }).toBe(b - a + 1);
    await page.keyboard.press('Control+z');
    await expect.poll(savedSlices, { timeout: 15_000 }).toBe(2);
    await page.keyboard.press('Control+y');
    await expect.poll(savedSlices, { timeout: 15_000 }).toBe(b - a + 1);

    // A length label across the lesion on the middle slice.
    await page.evaluate((i) => (globalThis as unknown as PageGlobals).__annexViewer.goTo(i), lesionSlice);
    await page.locator('[data-label=diameter]').click();
    const r = lesion.radii[0];
    const [lr0, lc0] = pixelOf([lesion.center[0] - r, lesion.center[1]]);
    const [lr1, lc1] = pixelOf([lesion.center[0] + r, lesion.center[1]]);
    await drag(await toPage(lesionSlice, lr0, lc0), await toPage(lesionSlice, lr1, lc1));

    await expect
      .poll(() => page.locator('[data-testid=save-status]').textContent(), { timeout: 15_000 })
      .toBe('Saved');
    const latest = await site.deps.prisma.annotationRevision.findFirstOrThrow({
      orderBy: { revision: 'desc' },
    });
    const doc = latest.doc as SavedDoc;
    const sliceOf = sliceOfSop();
    const mask = doc.masks.find((m) => m.labelId === 'lesionmask')!;
    expect([mask.rows, mask.columns]).toEqual([256, 256]);
    const bySlice = decodedMask(doc, 'lesionmask');
    // Slices a..b and no others.
    expect([...bySlice.keys()].sort((x, y) => x - y)).toEqual(
      Array.from({ length: b - a + 1 }, (_, k) => a + k),
    );
    // The wand took exactly the lesion's cross-section (150 HU, ±50; the body around it is 40 HU).
    const truth = lesionTruth;
    const count = (m: Uint8Array) => m.reduce((n, v) => n + v, 0);
    const wandA = bySlice.get(a)!;
    expect(count(wandA)).toBeGreaterThan(400);
    expect([...wandA]).toEqual([...truth(a)]);
    expect([...bySlice.get(b)!]).toEqual([...truth(b)]);
    // Slices a and b are mirror images about the lesion's centre: their cross-sections are the
    // same disc, so shape-based interpolation gives that same disc on every slice between.
    for (let k = a + 1; k < b; k++) expect([...bySlice.get(k)!]).toEqual([...wandA]);

    const length = doc.shapes.find((s) => s.labelId === 'diameter')!;
    expect(length.kind).toBe('length');
    expect(sliceOf.get(length.image.sopInstanceUid)).toBe(lesionSlice);
    const [[x0, y0], [x1, y1]] = length.points as [[number, number], [number, number]];
    for (const [got, want] of [
      [x0, lc0],
      [y0, lr0],
      [x1, lc1],
      [y1, lr1],
    ] as const) {
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1.5);
    }
  });

  it('with 3D on, one wand click fills the lesion on every slice it crosses, and Shift+click takes it out again', async () => {
    const viewport = page.locator('[aria-label="image viewport"]');
    await viewport.hover();
    const lesion = ct.phantom.shapes.find((s) => s.name === 'lesion')!;
    const [cr, cc] = pixelOf([lesion.center[0], lesion.center[1]]);
    await page.locator('[data-label=lesionmask]').click();
    await page.locator('[data-brush=wand]').click();
    await page.getByLabel('wand 3D').check();
    await goToSlice(lesionSlice);
    const at = await toPage(lesionSlice, Math.round(cr), Math.round(cc));
    const truths = Array.from({ length: SLICES }, (_, k) => lesionTruth(k));
    const lesionSlices = truths.flatMap((t, k) => (t.some((v) => v === 1) ? [k] : []));
    // The sphere crosses the clicked slice's neighbours (and, 1.25 mm apart, every slice here).
    expect(lesionSlices).toContain(lesionSlice - 1);
    expect(lesionSlices).toContain(lesionSlice + 1);
    const lesionVoxels = truths.reduce((n, t) => n + t.reduce((m, v) => m + v, 0), 0);

    // Start from nothing: the previous test's wand + interpolated slices all lie inside the lesion,
    // so one 3D Shift+click takes every one of them out.
    const erase = async () => {
      await page.keyboard.down('Shift');
      await page.mouse.click(at.x, at.y);
      await page.keyboard.up('Shift');
      await expect
        .poll(() => page.locator('[data-testid=mask-notice]').textContent())
        .toBe(`Erased ${lesionVoxels} px on ${lesionSlices.length} slices`);
      await expect
        .poll(async () => decodedMask(await savedDoc(), 'lesionmask').size, { timeout: 15_000 })
        .toBe(0);
    };
    await erase();

    await page.mouse.click(at.x, at.y);
    await expect
      .poll(() => page.locator('[data-testid=mask-notice]').textContent())
      .toBe(`Added ${lesionVoxels} px on ${lesionSlices.length} slices`);
    await expect
      .poll(async () => decodedMask(await savedDoc(), 'lesionmask').size, { timeout: 15_000 })
      .toBe(lesionSlices.length);
    const filled = decodedMask(await savedDoc(), 'lesionmask');
    expect([...filled.keys()].sort((x, y) => x - y)).toEqual(lesionSlices);
    for (const k of lesionSlices) expect([...filled.get(k)!]).toEqual([...truths[k]!]);

    await erase();
    await page.getByLabel('wand 3D').uncheck();
  });

  it('draws an angle label with three clicks and the site has its three points', async () => {
    await page.locator('[aria-label="image viewport"]').hover();
    await goToSlice(lesionSlice);
    await page.locator('[data-label=bend]').click();
    const corners: [number, number][] = [pixelOf([-110, 30]), pixelOf([-70, 70]), pixelOf([-30, 30])];
    let last: { x: number; y: number } | undefined;
    for (const [row, col] of corners) {
      const to = await toPage(lesionSlice, row, col);
      if (last)
        for (let i = 1; i <= 6; i++)
          await page.mouse.move(last.x + ((to.x - last.x) * i) / 6, last.y + ((to.y - last.y) * i) / 6);
      await page.mouse.click(to.x, to.y);
      last = to;
    }
    const angleOf = (d: SavedDoc | undefined) => d?.shapes.filter((s) => s.labelId === 'bend') ?? [];
    await expect.poll(async () => angleOf(await savedDoc()).length, { timeout: 15_000 }).toBe(1);
    const angle = angleOf(await savedDoc())[0]!;
    expect(angle.kind).toBe('angle');
    expect(sliceOfSop().get(angle.image.sopInstanceUid)).toBe(lesionSlice);
    expect(angle.points).toHaveLength(3);
    angle.points.forEach(([x, y], k) => {
      const [row, col] = corners[k]!;
      expect(Math.abs(x - col)).toBeLessThanOrEqual(1.5);
      expect(Math.abs(y - row)).toBeLessThanOrEqual(1.5);
    });
  });

  it('draws an open polyline label by dragging, deletes it with Del, brings it back with Ctrl+Z, and the site follows', async () => {
    await page.locator('[aria-label="image viewport"]').hover();
    await goToSlice(lesionSlice);
    await page.locator('[data-label=route]').click();
    // A V: down-right, then up-right (an open path; the end is far from the start).
    const path: [number, number][] = [pixelOf([-40, -50]), pixelOf([0, -90]), pixelOf([40, -50])];
    const pagePts = await Promise.all(path.map(([row, col]) => toPage(lesionSlice, row, col)));
    await page.mouse.move(pagePts[0]!.x, pagePts[0]!.y);
    await page.mouse.down();
    for (let seg = 1; seg < pagePts.length; seg++) {
      const [a, b] = [pagePts[seg - 1]!, pagePts[seg]!];
      for (let i = 1; i <= 12; i++)
        await page.mouse.move(a.x + ((b.x - a.x) * i) / 12, a.y + ((b.y - a.y) * i) / 12);
    }
    await page.mouse.up();

    const routeOf = (d: SavedDoc | undefined) => d?.shapes.filter((s) => s.labelId === 'route') ?? [];
    await expect.poll(async () => routeOf(await savedDoc()).length, { timeout: 15_000 }).toBe(1);
    const route = routeOf(await savedDoc())[0]!;
    expect(route.kind).toBe('polyline');
    expect(sliceOfSop().get(route.image.sopInstanceUid)).toBe(lesionSlice);
    // Image (x, y) = (col, row) of the drawn corners.
    const [A, B, C] = path.map(([row, col]) => [col, row] as [number, number]) as [
      [number, number],
      [number, number],
      [number, number],
    ];
    expect(route.points.length).toBeGreaterThanOrEqual(3);
    const near = (p: [number, number], q: [number, number]) => Math.hypot(p[0] - q[0], p[1] - q[1]);
    expect(near(route.points[0]!, A)).toBeLessThanOrEqual(1.5);
    expect(near(route.points.at(-1)!, C)).toBeLessThanOrEqual(1.5);
    // It passes through the corner, and every saved point lies on the path drawn.
    expect(Math.min(...route.points.map((p) => near(p, B)))).toBeLessThanOrEqual(1.5);
    for (const p of route.points)
      expect(Math.min(toSegment(p, A, B), toSegment(p, B, C))).toBeLessThanOrEqual(1.5);

    // The drawn label is the selected one; Del removes it (and only it) from the next revision.
    await expect.poll(() => page.getByRole('heading', { name: /^Route/ }).count()).toBe(1);
    await page.locator('[aria-label="image viewport"]').hover();
    await page.keyboard.press('Delete');
    await expect.poll(async () => routeOf(await savedDoc()).length, { timeout: 15_000 }).toBe(0);
    const afterDelete = await savedDoc();
    expect(afterDelete!.shapes.filter((s) => s.labelId === 'bend')).toHaveLength(1);
    expect(afterDelete!.shapes.filter((s) => s.labelId === 'diameter')).toHaveLength(1);

    // Ctrl+Z brings it back, same id and same points.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => routeOf(await savedDoc()).length, { timeout: 15_000 }).toBe(1);
    const restored = routeOf(await savedDoc())[0]!;
    expect(restored.id).toBe(route.id);
    expect(restored.points).toEqual(route.points);
  });

  it('draws a box with its attribute, answers the study question, submits, and the site has it', async () => {
    await page.locator('[aria-label="image viewport"]').hover();
    await page.evaluate((i) => (globalThis as unknown as PageGlobals).__annexViewer.goTo(i), lesionSlice);
    await page.locator('[data-label=nodule]').click();
    const lesion = ct.phantom.shapes.find((s) => s.name === 'lesion')!;
    const r = lesion.radii[0];
    const [r0, c0] = pixelOf([lesion.center[0] - r, lesion.center[1] - r]);
    const [r1, c1] = pixelOf([lesion.center[0] + r, lesion.center[1] + r]);
    const from = await toPage(lesionSlice, r0, c0);
    const to = await toPage(lesionSlice, r1, c1);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++)
      await page.mouse.move(from.x + ((to.x - from.x) * i) / 8, from.y + ((to.y - from.y) * i) / 8);
    await page.mouse.up();
    await page.getByLabel('Solid *').check();
    await page.getByLabel('Image quality (study) *').selectOption('good');
    await expect
      .poll(() => page.locator('[data-testid=save-status]').textContent(), { timeout: 15_000 })
      .toBe('Saved');
    await page.getByRole('button', { name: 'Submit' }).click();

    await expect
      .poll(
        async () => (await site.deps.prisma.assignment.findFirst({ where: { status: 'submitted' } }))?.id,
        { timeout: 20_000 },
      )
      .toBeDefined();
    const submitted = await site.deps.prisma.assignment.findFirstOrThrow({ where: { status: 'submitted' } });
    const latest = await site.deps.prisma.annotationRevision.findFirstOrThrow({
      where: { assignmentRef: submitted.id },
      orderBy: { revision: 'desc' },
    });
    const doc = latest.doc as {
      shapes: {
        labelId: string;
        kind: string;
        image: { sopInstanceUid: string };
        points: number[][];
        attributes: Record<string, unknown>;
      }[];
      classifications: Record<string, Record<string, unknown>>;
    };
    const box = doc.shapes.find((s) => s.labelId === 'nodule')!;
    expect(box.kind).toBe('bbox');
    expect(box.attributes.solid).toBe(true);
    expect(box.image.sopInstanceUid).toBe(
      taskContextOf(site.app).ids.deidUid(ct.sopInstanceUids[lesionSlice]!),
    );
    const [[x0, y0], [x1, y1]] = box.points as [[number, number], [number, number]];
    for (const [got, want] of [
      [x0, c0],
      [y0, r0],
      [x1, c1],
      [y1, r1],
    ] as const) {
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1.5);
    }
    expect(Object.values(doc.classifications.quality ?? {})).toContain('good');
  });
});
