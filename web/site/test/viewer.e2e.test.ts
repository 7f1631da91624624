import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeCtSeries, pixelToPatient, type SyntheticSeries } from '@annex/dicom';
import { freePort } from '@annex/platform/testing/free-port.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayGray } from '../src/lib/viewer/window-level.ts';
import { type AppServer, startAppServer } from './app-server.ts';
import { buildApp, siteRoot } from './build-app.ts';
import { launchChromium } from './chromium.ts';
import { type RunningOrthanc, startOrthanc } from './orthanc.ts';
import type { PageGlobals } from './page-globals.ts';

const TOKEN = 'e2e-token';
const SLICES = 40;

let orthanc: RunningOrthanc | undefined;
let app: AppServer | undefined;
let chromium: { browser: Browser; close: () => Promise<void> } | undefined;
let page: Page;
let ct: SyntheticSeries;
const lesionSlice = Math.round((SLICES - 1) / 2);

/** Canvas gray at the image pixel (row, col) of `slice`, located through the viewport's own geometry. */
async function grayAt(slice: number, row: number, col: number): Promise<number> {
  const world = pixelToPatient(ct.geometry, slice, row, col);
  return page.evaluate((w) => {
    const v = (globalThis as unknown as PageGlobals).__annexViewer;
    const [x, y] = v.viewport.worldToCanvas(w as [number, number, number]);
    const canvas = v.element.querySelector('canvas') as HTMLCanvasElement;
    const dpr = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    const d = ctx.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
    return d[0] as number;
  }, world);
}

/** Image pixel (row, col) of a patient-space point on a slice of the synthetic series. */
function pixelOf(point: [number, number]): [number, number] {
  const [x0, y0] = ct.geometry.positions[0] as [number, number, number];
  const [sr, sc] = ct.geometry.pixelSpacing;
  return [Math.round((point[1] - y0) / sr), Math.round((point[0] - x0) / sc)];
}

async function renderedSlice(): Promise<number> {
  // Two frames after the index settles, so the canvas holds what the state says.
  return page.evaluate(
    () =>
      new Promise<number>((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() =>
            resolve((globalThis as unknown as PageGlobals).__annexViewer.state().index),
          ),
        ),
      ),
  );
}

beforeAll(async () => {
  const distDir = await buildApp();
  ct = makeCtSeries({ slices: SLICES, rows: 256, cols: 256, pixelSpacing: 1.4, seed: 'viewer-e2e' });
  orthanc = await startOrthanc({ httpPort: await freePort(), dicomPort: await freePort() });
  await orthanc.store(ct.files);
  app = await startAppServer({
    distDir,
    dicomwebUpstream: orthanc.dicomweb,
    token: TOKEN,
    config: { dicomwebUrl: '/dicomweb', auth: { kind: 'static', token: TOKEN } },
  });
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

afterAll(async () => {
  await chromium?.close();
  await app?.close();
  await orthanc?.stop();
});

describe('viewer against Orthanc-served synthetic CT', () => {
  it('opens the series from the study list and shows the first slice', async () => {
    await page.goto(`${app!.url}/`);
    await page.getByRole('button').first().click();
    await page.locator('a[data-series]').first().click();
    await page.waitForFunction(
      (n) => (globalThis as unknown as PageGlobals).__annexViewer?.state().count === n,
      SLICES,
      {
        timeout: 30_000,
      },
    );
    await expect
      .poll(() => page.locator('[data-testid=slice-info]').textContent())
      .toContain(`Im 1 / ${SLICES}`);
    expect(page.url()).toContain(`#/view/${ct.study.studyInstanceUid}/${ct.seriesInstanceUid}`);
  });

  it('shows radiological orientation markers for an axial slice', async () => {
    expect(await page.locator('[data-testid=marker-right]').textContent()).toBe('L');
    expect(await page.locator('[data-testid=marker-left]').textContent()).toBe('R');
    expect(await page.locator('[data-testid=marker-top]').textContent()).toBe('A');
    expect(await page.locator('[data-testid=marker-bottom]').textContent()).toBe('P');
  });

  it('scrolls with the keyboard and the wheel to the lesion slice', async () => {
    await page.locator('[aria-label="image viewport"]').hover();
    for (let i = 0; i < lesionSlice - 3; i++) await page.keyboard.press('ArrowDown');
    await page.mouse.wheel(0, 120);
    await page.mouse.wheel(0, 120);
    await page.mouse.wheel(0, 120);
    await expect.poll(renderedSlice, { timeout: 10_000 }).toBe(lesionSlice);
    expect(await page.locator('[data-testid=slice-info]').textContent()).toContain(
      `Im ${lesionSlice + 1} / ${SLICES}`,
    );
  });

  it('applies the abdomen preset and draws the lesion, body and air at the grays the window implies', async () => {
    await page.locator('[data-preset=abdomen]').click();
    await expect.poll(() => page.locator('[data-testid=wl]').textContent()).toBe('W 400 L 40');
    const wl = { width: 400, center: 40 };
    const lesion = ct.phantom.shapes.find((s) => s.name === 'lesion')!;
    const [lr, lc] = pixelOf([lesion.center[0], lesion.center[1]]);
    const [br, bc] = pixelOf([0, 40]);
    const [ar, ac] = pixelOf([0, -130]);
    await expect
      .poll(() => grayAt(lesionSlice, lr, lc), { timeout: 10_000 })
      .toBeCloseTo(displayGray(150, wl), -1);
    expect(Math.abs((await grayAt(lesionSlice, lr, lc)) - displayGray(150, wl))).toBeLessThanOrEqual(3);
    expect(Math.abs((await grayAt(lesionSlice, br, bc)) - displayGray(40, wl))).toBeLessThanOrEqual(3);
    expect(await grayAt(lesionSlice, ar, ac)).toBeLessThanOrEqual(3);
    await mkdir(join(siteRoot, 'reports'), { recursive: true });
    await page.screenshot({ path: join(siteRoot, 'reports', 'e2e-abdomen-lesion.png') });
  });

  it('changes pixels with the lung preset and with invert', async () => {
    await page.keyboard.press('1');
    await expect.poll(() => page.locator('[data-testid=wl]').textContent()).toBe('W 1500 L -600');
    const lung = { width: 1500, center: -600 };
    const [rr, rc] = pixelOf([-75, -15]);
    await expect
      .poll(async () => Math.abs((await grayAt(lesionSlice, rr, rc)) - displayGray(-850, lung)), {
        timeout: 10_000,
      })
      .toBeLessThanOrEqual(3);
    await page.keyboard.press('i');
    await expect
      .poll(async () => Math.abs((await grayAt(lesionSlice, rr, rc)) - (255 - displayGray(-850, lung))), {
        timeout: 10_000,
      })
      .toBeLessThanOrEqual(3);
    await page.keyboard.press('i');
  });

  it('shows body, not lesion, at the lesion position on a slice far from it', async () => {
    await page.keyboard.press('Home');
    await page.keyboard.press('3');
    await expect.poll(renderedSlice).toBe(0);
    const lesion = ct.phantom.shapes.find((s) => s.name === 'lesion')!;
    const [lr, lc] = pixelOf([lesion.center[0], lesion.center[1]]);
    await expect
      .poll(async () => Math.abs((await grayAt(0, lr, lc)) - displayGray(40, { width: 400, center: 40 })), {
        timeout: 10_000,
      })
      .toBeLessThanOrEqual(3);
  });

  it('loads the whole series with the bearer token on every DICOMweb request', async () => {
    await page.waitForFunction(
      (n) => (globalThis as unknown as PageGlobals).__annexViewer.state().loaded === n,
      SLICES,
      {
        timeout: 30_000,
      },
    );
    expect(app!.seen.refused).toBe(0);
    expect(app!.seen.authorized).toBeGreaterThanOrEqual(SLICES + 1);
  });

  it('lists the header of the current instance and the shortcuts in the help overlay', async () => {
    await page.keyboard.press('h');
    const header = page.getByRole('complementary', { name: 'DICOM header' });
    await expect.poll(() => header.textContent()).toContain('SOPInstanceUID');
    expect(await header.textContent()).toContain(ct.seriesInstanceUid);
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(await help.textContent()).toContain('Invert');
    await page.keyboard.press('Escape');
  });

  it('measures ROI statistics in HU and lengths in mm', async () => {
    await page.keyboard.press('End');
    await page.evaluate((i) => (globalThis as unknown as PageGlobals).__annexViewer.goTo(i), lesionSlice);
    await expect.poll(renderedSlice).toBe(lesionSlice);
    const lesion = ct.phantom.shapes.find((s) => s.name === 'lesion')!;
    const toPage = async (x: number, y: number) => {
      const [r, c] = pixelOf([x, y]);
      const world = pixelToPatient(ct.geometry, lesionSlice, r, c);
      return page.evaluate((w) => {
        const v = (globalThis as unknown as PageGlobals).__annexViewer;
        const [cx, cy] = v.viewport.worldToCanvas(w as [number, number, number]);
        const b = v.element.getBoundingClientRect();
        return { x: b.left + cx, y: b.top + cy };
      }, world);
    };
    const dragBetween = async (a: { x: number; y: number }, b: { x: number; y: number }) => {
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      for (let i = 1; i <= 6; i++)
        await page.mouse.move(a.x + ((b.x - a.x) * i) / 6, a.y + ((b.y - a.y) * i) / 6);
      await page.mouse.up();
    };
    // An ellipse well inside the 18 mm lesion (dragged from its centre out to 8 mm): all 150 HU.
    await page.keyboard.press('o');
    await dragBetween(
      await toPage(lesion.center[0], lesion.center[1]),
      await toPage(lesion.center[0] + 8, lesion.center[1] + 8),
    );
    const svgText = () => page.locator('[aria-label="image viewport"] svg').textContent();
    await expect.poll(svgText, { timeout: 10_000 }).toMatch(/Mean:\s*150(\.0+)? HU/);
    expect(await svgText()).toMatch(/Std Dev:\s*0(\.0+)? HU/);
    // A 60 mm line along x inside the body.
    await page.keyboard.press('l');
    await dragBetween(await toPage(-30, 20), await toPage(30, 20));
    await expect.poll(svgText, { timeout: 10_000 }).toMatch(/6\d\.\d+ mm|60 mm/);
    const mm = Number((await svgText())?.match(/(\d+\.\d+) mm/)?.[1]);
    expect(Math.abs(mm - 60)).toBeLessThanOrEqual(1.5);
    await page.keyboard.press('w');
    await page.screenshot({ path: join(siteRoot, 'reports', 'e2e-measurements.png') });
  });

  it('reformats the series into axial, sagittal and coronal views of the same volume', async () => {
    await page.keyboard.press('m');
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).__annexMpr?.loaded === true,
      undefined,
      {
        timeout: 30_000,
      },
    );
    const lesion = ct.phantom.shapes.find((s) => s.name === 'lesion')!;
    const wl = { width: ct.windowWidth, center: ct.windowCenter };
    // Gray on a reformat at a patient point (the reformats start at the volume's centre, where the lesion is).
    const mprGray = (o: 'axial' | 'sagittal' | 'coronal', p: number[]) =>
      page.evaluate(
        ({ o, p }) =>
          new Promise<number>((resolve) =>
            requestAnimationFrame(() => {
              const vp = (globalThis as unknown as PageGlobals).__annexMpr!.viewport(o);
              const [x, y] = vp.worldToCanvas(p as [number, number, number]);
              const canvas = vp.element.querySelector('canvas') as HTMLCanvasElement;
              const dpr = canvas.width / canvas.clientWidth;
              const d = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
                Math.round(x * dpr),
                Math.round(y * dpr),
                1,
                1,
              ).data;
              resolve(d[0] as number);
            }),
          ),
        { o, p },
      );
    const z = lesion.center[2];
    await expect
      .poll(
        async () =>
          Math.abs((await mprGray('axial', [lesion.center[0], lesion.center[1], z])) - displayGray(150, wl)),
        {
          timeout: 15_000,
        },
      )
      .toBeLessThanOrEqual(4);
    // Coronal plane through y = centre: lung at x = +75, body at x = 0.
    const cy = (await page.evaluate(
      () =>
        (globalThis as unknown as PageGlobals).__annexMpr!.viewport('coronal').getCamera().focalPoint?.[1],
    )) as number;
    expect(Math.abs((await mprGray('coronal', [0, cy, z])) - displayGray(40, wl))).toBeLessThanOrEqual(4);
    if (cy > -75 && cy < 45) expect(await mprGray('coronal', [75, cy, z])).toBeLessThanOrEqual(4);
    const sx = (await page.evaluate(
      () =>
        (globalThis as unknown as PageGlobals).__annexMpr!.viewport('sagittal').getCamera().focalPoint?.[0],
    )) as number;
    expect(Math.abs((await mprGray('sagittal', [sx, 0, z])) - displayGray(40, wl))).toBeLessThanOrEqual(4);
    await page.screenshot({ path: join(siteRoot, 'reports', 'e2e-mpr.png') });
    await page.keyboard.press('m');
  });
});
