import { makeCtSeries, makeMultiframe, pixelToPatient, type SyntheticSeries } from '@annex/dicom';
import { freePort } from '@annex/platform/testing/free-port.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayGray } from '../src/lib/viewer/window-level.ts';
import { type AppServer, startAppServer } from './app-server.ts';
import { buildApp } from './build-app.ts';
import { launchChromium } from './chromium.ts';
import { type RunningOrthanc, startOrthanc } from './orthanc.ts';
import type { PageGlobals } from './page-globals.ts';

// Transfer syntaxes and object shapes the site stores must display: the same phantom written
// uncompressed and RLE must give the same canvas, and a multi-frame object scrolls by frame.

const SLICES = 12;
// Enough 2.5 mm frames that the 18 mm lesion (centred in the stack) misses the first one.
const FRAMES = 16;
let orthanc: RunningOrthanc | undefined;
let app: AppServer | undefined;
let chromium: { browser: Browser; close: () => Promise<void> } | undefined;
let page: Page;
const series: Record<'explicit' | 'rle' | 'multiframe', SyntheticSeries> = {} as never;

async function open(s: SyntheticSeries, count: number): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`${app!.url}/#/view/${s.study.studyInstanceUid}/${s.seriesInstanceUid}`);
  await page.waitForFunction(
    (n) => (globalThis as unknown as PageGlobals).__annexViewer?.state().loaded === n,
    count,
    { timeout: 30_000 },
  );
}

/** Grays along a horizontal line through the canvas middle, after the slice index settles. */
async function grays(index: number): Promise<number[]> {
  await page.evaluate((i) => (globalThis as unknown as PageGlobals).__annexViewer.goTo(i), index);
  return page.evaluate(
    () =>
      new Promise<number[]>((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const v = (globalThis as unknown as PageGlobals).__annexViewer;
            const canvas = v.element.querySelector('canvas') as HTMLCanvasElement;
            const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
            const y = Math.round(canvas.height * 0.62);
            const d = ctx.getImageData(0, y, canvas.width, 1).data;
            resolve(Array.from({ length: canvas.width }, (_, x) => d[x * 4] as number));
          }),
        ),
      ),
  );
}

beforeAll(async () => {
  const distDir = await buildApp();
  const geometry = { rows: 128, cols: 128, pixelSpacing: 2.8 };
  series.explicit = makeCtSeries({ slices: SLICES, ...geometry, seed: 'fmt-explicit' });
  series.rle = makeCtSeries({ slices: SLICES, ...geometry, seed: 'fmt-rle', transferSyntax: 'rle' });
  series.multiframe = makeMultiframe({ frames: FRAMES, rows: 128, cols: 128, seed: 'fmt-mf' });
  orthanc = await startOrthanc({ httpPort: await freePort(), dicomPort: await freePort() });
  await orthanc.store([...series.explicit.files, ...series.rle.files, ...series.multiframe.files]);
  app = await startAppServer({ distDir, dicomwebUpstream: orthanc.dicomweb });
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 600, height: 560 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

afterAll(async () => {
  await chromium?.close();
  await app?.close();
  await orthanc?.stop();
});

describe('stored formats', () => {
  it('shows an RLE-compressed series with exactly the pixels of the uncompressed one', async () => {
    const mid = Math.round((SLICES - 1) / 2);
    await open(series.explicit, SLICES);
    const plain = await grays(mid);
    await open(series.rle, SLICES);
    const rle = await grays(mid);
    expect(series.rle.transferSyntaxUid).toBe('1.2.840.10008.1.2.5');
    expect(new Set(plain).size).toBeGreaterThan(2);
    expect(rle).toEqual(plain);
  });

  it('expands a multi-frame object into one image per frame and shows the lesion on its middle frame', async () => {
    expect(series.multiframe.files).toHaveLength(1);
    await open(series.multiframe, FRAMES);
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).__annexViewer.state().count),
    ).toBe(FRAMES);
    const mf = series.multiframe;
    const lesion = mf.phantom.shapes.find((x) => x.name === 'lesion')!;
    const [x0, y0] = mf.geometry.positions[0] as [number, number, number];
    const [sr, sc] = mf.geometry.pixelSpacing;
    const row = (lesion.center[1] - y0) / sr;
    const col = (lesion.center[0] - x0) / sc;
    const grayAt = async (frame: number) => {
      await grays(frame);
      const world = pixelToPatient(mf.geometry, frame, row, col);
      return page.evaluate((w) => {
        const v = (globalThis as unknown as PageGlobals).__annexViewer;
        const [x, y] = v.viewport.worldToCanvas(w as [number, number, number]);
        const canvas = v.element.querySelector('canvas') as HTMLCanvasElement;
        const d = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
          Math.round(x),
          Math.round(y),
          1,
          1,
        ).data;
        return d[0] as number;
      }, world);
    };
    const wl = { width: mf.windowWidth, center: mf.windowCenter };
    const mid = Math.round((FRAMES - 1) / 2);
    expect(Math.abs((await grayAt(mid)) - displayGray(150, wl))).toBeLessThanOrEqual(3);
    expect(Math.abs((await grayAt(0)) - displayGray(40, wl))).toBeLessThanOrEqual(3);
  });
});
