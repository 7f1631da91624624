import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeCtSeries, type SyntheticSeries } from '@annex/dicom';
import { freePort } from '@annex/platform/testing/free-port.ts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRuns } from '../src/lib/annotate/mask-rle.ts';
import { type Task, taskSchema } from '../src/lib/api/tasks.ts';
import { type AppServer, startAppServer } from './app-server.ts';
import { buildApp, siteRoot } from './build-app.ts';
import { launchChromium } from './chromium.ts';
import { fakeTasksApi } from './fake-tasks-api.ts';
import { type RunningOrthanc, startOrthanc } from './orthanc.ts';
import type { PageGlobals } from './page-globals.ts';
import { viewerGeometry } from './viewer-geometry.ts';

const TOKEN = 'annotate-token';
const SLICES = 30;
const lesionSlice = Math.round((SLICES - 1) / 2);

let orthanc: RunningOrthanc | undefined;
let app: AppServer | undefined;
let chromium: { browser: Browser; close: () => Promise<void> } | undefined;
let context: BrowserContext;
let page: Page;
let ct: SyntheticSeries;
const { toPage, pixelOf, drag } = viewerGeometry(
  () => page,
  () => ct,
);
let api: ReturnType<typeof fakeTasksApi>;
let task: Task;

const status = () => page.locator('[data-testid=save-status]').textContent();

beforeAll(async () => {
  const distDir = await buildApp();
  ct = makeCtSeries({ slices: SLICES, rows: 256, cols: 256, pixelSpacing: 1.4, seed: 'annotate-e2e' });
  task = taskSchema.parse({
    id: 'task-1',
    projectId: 'p1',
    projectName: 'Lung nodules',
    status: 'todo',
    studyUid: ct.study.studyInstanceUid,
    seriesUids: [ct.seriesInstanceUid],
    instructions: {
      text: 'Box every nodule; paint the soft tissue around it.',
      labels: [
        {
          id: 'nodule',
          name: 'Nodule',
          color: '#ff3030',
          tool: 'bbox',
          required: true,
          attributes: [{ id: 'solid', label: 'Solid', type: 'boolean', required: true }],
        },
        { id: 'tissue', name: 'Soft tissue', color: '#30ff30', tool: 'mask', threshold: [0, 100] },
        { id: 'marker', name: 'Marker', color: '#3030ff', tool: 'point' },
        { id: 'region', name: 'Region', color: '#ffff30', tool: 'polygon' },
      ],
      classifications: [
        {
          id: 'quality',
          label: 'Image quality',
          type: 'select',
          options: ['good', 'poor'],
          level: 'study',
          required: true,
        },
      ],
    },
  });
  api = fakeTasksApi([task], TOKEN);
  orthanc = await startOrthanc({ httpPort: await freePort(), dicomPort: await freePort() });
  await orthanc.store(ct.files);
  app = await startAppServer({
    distDir,
    dicomwebUpstream: orthanc.dicomweb,
    token: TOKEN,
    config: { dicomwebUrl: '/dicomweb', apiUrl: '/api', auth: { kind: 'static', token: TOKEN } },
    extra: (req, res) => api.handle(req, res),
  });
  chromium = await launchChromium();
  context = await chromium.browser.newContext({
    viewport: { width: 1100, height: 700 },
    deviceScaleFactor: 1,
  });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

afterAll(async () => {
  await chromium?.close();
  await app?.close();
  await orthanc?.stop();
});

describe('annotating a task', () => {
  it('opens the next task from the worklist with the keyboard', async () => {
    await page.goto(`${app!.url}/#/tasks`);
    await expect.poll(() => page.locator('main').textContent()).toContain('Lung nodules');
    await page.keyboard.press('n');
    await page.waitForFunction(
      (n) => (globalThis as unknown as PageGlobals).__annexViewer?.state().loaded === n,
      SLICES,
      {
        timeout: 30_000,
      },
    );
    await expect.poll(status, { timeout: 10_000 }).toBe('Saved');
    await page.locator('[aria-label="image viewport"]').hover();
    await page.evaluate((i) => (globalThis as unknown as PageGlobals).__annexViewer.goTo(i), lesionSlice);
  });

  it('draws a bounding box that is saved in image pixels around the lesion, with its attribute', async () => {
    await page.locator('[data-label=nodule]').click();
    const lesion = ct.phantom.shapes.find((s) => s.name === 'lesion')!;
    const r = lesion.radii[0];
    const [r0, c0] = pixelOf([lesion.center[0] - r, lesion.center[1] - r]);
    const [r1, c1] = pixelOf([lesion.center[0] + r, lesion.center[1] + r]);
    await drag(await toPage(lesionSlice, r0, c0), await toPage(lesionSlice, r1, c1));
    await page.getByLabel('Solid *').check();
    await expect.poll(() => api.latest(task.id)?.shapes[0]?.attributes.solid, { timeout: 10_000 }).toBe(true);
    const box = api.latest(task.id)!.shapes[0]!;
    expect(box.labelId).toBe('nodule');
    expect(box.kind).toBe('bbox');
    expect(box.image.sopInstanceUid).toBe(ct.sopInstanceUids[lesionSlice]);
    const [[x0, y0], [x1, y1]] = box.points as [[number, number], [number, number]];
    for (const [got, want] of [
      [x0, c0],
      [y0, r0],
      [x1, c1],
      [y1, r1],
    ] as const) {
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1.5);
    }
    await expect.poll(status).toBe('Saved');
  });

  it('draws a polygon by clicks, and undo/redo remove and restore it in the saved document', async () => {
    await page.locator('[data-label=region]').click();
    const corners: Array<[number, number]> = [
      [-40, -40],
      [40, -40],
      [40, 30],
      [-40, 30],
    ];
    const pixels = corners.map((c) => pixelOf(c));
    for (const [r, c] of [...pixels, pixels[0]!]) {
      const p = await toPage(lesionSlice, r, c);
      await page.mouse.click(p.x, p.y);
    }
    const polygon = () => api.latest(task.id)?.shapes.find((s) => s.kind === 'polygon');
    await expect.poll(() => polygon()?.labelId, { timeout: 10_000 }).toBe('region');
    const got = polygon()!.points;
    expect(got.length).toBeGreaterThanOrEqual(4);
    pixels.forEach(([r, c], i) => {
      expect(Math.abs(got[i]![0] - c) + Math.abs(got[i]![1] - r)).toBeLessThanOrEqual(3);
    });
    // Undo steps back click by click (as drawing went), until the polygon is gone; redo replays them.
    let steps = 0;
    while (polygon() && steps < 8) {
      await page.keyboard.press('Control+z');
      steps++;
      await expect.poll(status).toBe('Saved');
    }
    expect(polygon()).toBeUndefined();
    for (let i = 0; i < steps; i++) await page.keyboard.press('Control+y');
    await expect.poll(() => polygon()?.points.length, { timeout: 10_000 }).toBe(got.length);
    await expect.poll(status).toBe('Saved');
  });

  it('paints a mask with the threshold brush only where HU is in range', async () => {
    // By keyboard: Alt+2 picks the second label (the mask), T the threshold brush.
    await page.locator('[aria-label="image viewport"]').hover();
    await page.keyboard.press('Alt+2');
    await expect.poll(() => page.locator('[data-brush=paint]').count()).toBe(1);
    await page.keyboard.press('t');
    await expect.poll(() => page.locator('[data-brush=threshold]').getAttribute('aria-pressed')).toBe('true');
    // A stroke across the body edge: soft tissue (40 HU) is in [0, 100], air outside is not.
    const [rb, cb] = pixelOf([0, -100]);
    const [ra, ca] = pixelOf([0, -125]);
    await drag(await toPage(lesionSlice, rb, cb), await toPage(lesionSlice, ra, ca));
    await expect.poll(() => api.latest(task.id)?.masks.length, { timeout: 10_000 }).toBe(1);
    const mask = api.latest(task.id)!.masks[0]!;
    expect(mask.labelId).toBe('tissue');
    const slice = mask.slices.find((s) => s.image.sopInstanceUid === ct.sopInstanceUids[lesionSlice])!;
    const px = new Uint8Array(mask.rows * mask.columns);
    expect(decodeRuns(slice.runs, 1, px)).toBeGreaterThan(0);
    expect(px[Math.round(rb) * mask.columns + Math.round(cb)]).toBe(1);
    expect(px[Math.round(ra) * mask.columns + Math.round(ca)]).toBe(0);
    await mkdir(join(siteRoot, 'reports'), { recursive: true });
    await page.screenshot({ path: join(siteRoot, 'reports', 'e2e-annotate.png') });
  });

  it('keeps working offline and replays the edits when the network returns', async () => {
    await context.setOffline(true);
    await page.locator('[data-label=marker]').click();
    const [rp, cp] = pixelOf([0, 0]);
    const p = await toPage(lesionSlice, rp, cp);
    await page.mouse.click(p.x, p.y);
    await expect.poll(status, { timeout: 15_000 }).toContain('Offline');
    expect(api.latest(task.id)!.shapes.some((s) => s.kind === 'point')).toBe(false);
    await context.setOffline(false);
    await expect.poll(status, { timeout: 15_000 }).toBe('Saved');
    const point = api.latest(task.id)!.shapes.find((s) => s.kind === 'point')!;
    expect(point.labelId).toBe('marker');
    expect(Math.abs(point.points[0]![0] - cp)).toBeLessThanOrEqual(1.5);
  });

  it('refuses to submit until the required classification is answered, then submits', async () => {
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Image quality');
    expect(api.state.submitted.has(task.id)).toBe(false);
    await page.getByLabel('Image quality (study) *').selectOption('good');
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => api.state.submitted.has(task.id), { timeout: 10_000 }).toBe(true);
    expect(api.latest(task.id)!.classifications.quality).toEqual({ [ct.study.studyInstanceUid]: 'good' });
    await expect.poll(() => page.url()).toContain('#/tasks');
  });

  it('draws a saved revision back when the task is reopened, so a later edit keeps everything', async () => {
    const before = api.latest(task.id)!;
    await page.goto('about:blank');
    await page.goto(
      `${app!.url}/#/view/${ct.study.studyInstanceUid}/${ct.seriesInstanceUid}?task=${task.id}`,
    );
    await page.waitForFunction(
      (n) => (globalThis as unknown as PageGlobals).__annexViewer?.state().loaded === n,
      SLICES,
      { timeout: 30_000 },
    );
    await expect.poll(status, { timeout: 10_000 }).toBe('Saved');
    await page.getByLabel('Image quality (study) *').selectOption('poor');
    await expect
      .poll(() => api.latest(task.id)?.classifications.quality?.[ct.study.studyInstanceUid], {
        timeout: 10_000,
      })
      .toBe('poor');
    const after = api.latest(task.id)!;
    expect(after.shapes.map((s) => [s.id, s.labelId, s.kind, s.attributes])).toEqual(
      before.shapes.map((s) => [s.id, s.labelId, s.kind, s.attributes]),
    );
    after.shapes.forEach((s, i) => {
      s.points.forEach(([x, y], k) => {
        const [bx, by] = before.shapes[i]!.points[k]!;
        expect(Math.abs(x - bx) + Math.abs(y - by)).toBeLessThan(0.05);
      });
    });
    expect(after.masks).toEqual(before.masks);
  });
});
