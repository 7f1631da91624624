// Viewer performance in headless Chromium: first image, full series, cached and uncached slice
// changes for a 300-slice 512×512 CT, measured against Debian's Orthanc (always) and against the
// site (when SITE_URL is set) in the same run, with the ratio printed.
//
//   npx tsx scripts/bench/viewer/run.ts
//   SITE=local npx tsx scripts/bench/viewer/run.ts
//   SITE_URL=http://127.0.0.1:8080 SITE_TOKEN=… SITE_STOW=1 npx tsx scripts/bench/viewer/run.ts
//
// SITE=local starts the real site in a child process (site-server.ts: own database, S3, the
// built app, the embedded OIDC issuer), ingests the same series through the site's pipeline,
// makes a task on it for the annotator `ana`, signs in through the login form and opens the task.
// SITE_URL must serve the built app at `/` and DICOMweb at `/dicomweb`; SITE_STOW=1 uploads the
// same synthetic series there with STOW-RS first (SITE_USER/SITE_PASSWORD sign in when the app
// asks). SLICES/ROWS override the series size.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { makeCtSeries } from '@annex/dicom';
import type { Page } from 'playwright-core';
import { taskSchema } from '../../../web/site/src/lib/api/tasks.ts';
import { startAppServer } from '../../../web/site/test/app-server.ts';
import { buildApp } from '../../../web/site/test/build-app.ts';
import { launchChromium } from '../../../web/site/test/chromium.ts';
import { fakeTasksApi } from '../../../web/site/test/fake-tasks-api.ts';
import { startOrthanc } from '../../../web/site/test/orthanc.ts';

const SLICES = Number(process.env.SLICES ?? 300);
const ROWS = Number(process.env.ROWS ?? 512);
const CACHED_STEPS = 120;
const UNCACHED_STEPS = 20;
const DEADLINE_MS = (process.env.SITE ? 20 : 9) * 60_000;
const here = dirname(fileURLToPath(import.meta.url));
// Canvas size matters here: Chromium's software WebGL (SwiftShader) rasterises on the CPU.
const VIEW = Number(process.env.VIEWPORT ?? 1024);

interface Result {
  /** The same requests the viewer makes (series metadata, then every frame over 6 connections), from Node. */
  rawFetchMs: number;
  firstImageMs: number;
  fullSeriesMs: number;
  cachedP50: number;
  cachedP95: number;
  uncachedP50: number;
  uncachedP95: number;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

async function stow(base: string, token: string | undefined, files: Buffer[]): Promise<void> {
  const boundary = 'annex-bench-boundary';
  for (let i = 0; i < files.length; i += 20) {
    const parts: Buffer[] = [];
    for (const f of files.slice(i, i + 20)) {
      parts.push(
        Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
        f,
        Buffer.from('\r\n'),
      );
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    const res = await fetch(`${base}/dicomweb/studies`, {
      method: 'POST',
      headers: {
        'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: new Uint8Array(Buffer.concat(parts)),
    });
    if (!res.ok) throw new Error(`STOW-RS to the site failed: HTTP ${res.status}`);
  }
}

/** The server's share: what fetching the series costs with no browser, decoding or rendering. */
async function rawFetch(dicomweb: string, token: string | undefined, studyUid: string, seriesUid: string) {
  const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const base = `${dicomweb}/studies/${studyUid}/series/${seriesUid}`;
  const t = performance.now();
  const meta = await fetch(`${base}/metadata`, { headers: { Accept: 'application/dicom+json', ...auth } });
  if (!meta.ok) throw new Error(`series metadata: HTTP ${meta.status}`);
  // The SOP Instance UIDs as this server names them (a site shows annotators pseudonyms).
  const sops = ((await meta.json()) as Array<Record<string, { Value?: string[] }>>).map(
    (m) => m['00080018']?.Value?.[0] as string,
  );
  let next = 0;
  const worker = async () => {
    while (next < sops.length) {
      const sop = sops[next++];
      const res = await fetch(`${base}/instances/${sop}/frames/1`, {
        headers: { Accept: 'multipart/related; type=application/octet-stream; transfer-syntax=*', ...auth },
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`frame: HTTP ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return performance.now() - t;
}

/** Signs in through the issuer's form when the app sends the browser there (OIDC sites). */
async function signIn(page: Page, user: string, password: string): Promise<void> {
  const form = await page
    .waitForSelector('input[name=username]', { timeout: 5_000 })
    .then(() => true)
    .catch(() => false);
  if (!form) return;
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/realms/'), { timeout: 30_000 });
}

/**
 * One target, fresh page: the app is loaded first (bundle cached and parsed, signed in), then the
 * task's series is opened.
 */
async function measure(
  page: Page,
  appUrl: string,
  open: { studyUid: string; seriesUid: string; taskId: string },
  raw: () => Promise<number>,
  login?: { user: string; password: string },
): Promise<Result> {
  const { studyUid, seriesUid, taskId } = open;
  const rawFetchMs = await raw();
  // tsx (esbuild keepNames) wraps functions handed to page.evaluate in __name(); give the page one.
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await page.goto(`${appUrl}/#/`);
  if (login) await signIn(page, login.user, login.password);
  // The shell preloads the viewer chunk at startup; wait until it is there so we time pixels, not JS.
  await page.waitForLoadState('networkidle');
  const { firstImageMs, fullSeriesMs } = await page.evaluate(
    ({ hash, n }) =>
      new Promise<{ firstImageMs: number; fullSeriesMs: number }>((resolve, reject) => {
        const g = globalThis as unknown as { __annexViewer?: { state(): { loaded: number; count: number } } };
        const t0 = performance.now();
        let first = 0;
        const onRendered = () => {
          if (!first) first = performance.now() - t0;
        };
        window.addEventListener('CORNERSTONE_IMAGE_RENDERED', onRendered, { capture: true });
        const timeout = setTimeout(() => reject(new Error('series did not load in 60 s')), 60_000);
        const poll = () => {
          const s = g.__annexViewer?.state();
          if (first && s && s.count === n && s.loaded === n) {
            clearTimeout(timeout);
            window.removeEventListener('CORNERSTONE_IMAGE_RENDERED', onRendered, { capture: true });
            resolve({ firstImageMs: first, fullSeriesMs: performance.now() - t0 });
          } else setTimeout(poll, 5);
        };
        location.hash = hash;
        poll();
      }),
    {
      hash: `#/view/${studyUid}/${seriesUid}${taskId ? `?task=${encodeURIComponent(taskId)}` : ''}`,
      n: SLICES,
    },
  );

  // Slice change = setImageIdIndex until the viewport has rendered the new image.
  const timeSteps = (indices: number[], purge: boolean) =>
    page.evaluate(
      async ({ indices, purge }) => {
        type V = {
          element: HTMLElement;
          viewport: { setImageIdIndex(i: number): Promise<string> };
          setPrefetch(on: boolean): void;
          purgeCache(): void;
        };
        const v = (globalThis as unknown as { __annexViewer: V }).__annexViewer;
        const out: number[] = [];
        if (purge) v.setPrefetch(false);
        for (const i of indices) {
          if (purge) v.purgeCache();
          await new Promise((r) => requestAnimationFrame(r));
          const rendered = new Promise<void>((r) =>
            v.element.addEventListener('CORNERSTONE_IMAGE_RENDERED', () => r(), { once: true }),
          );
          const t = performance.now();
          await v.viewport.setImageIdIndex(i);
          await rendered;
          out.push(performance.now() - t);
        }
        return out;
      },
      { indices, purge },
    );
  const cachedIdx = Array.from({ length: CACHED_STEPS }, (_, k) => (k * 7 + 1) % SLICES);
  const cached = await timeSteps(cachedIdx, false);
  const uncachedIdx = Array.from({ length: UNCACHED_STEPS }, (_, k) => (k * 37 + 11) % SLICES);
  const uncached = await timeSteps(uncachedIdx, true);
  return {
    rawFetchMs,
    firstImageMs,
    fullSeriesMs,
    cachedP50: pct(cached, 50),
    cachedP95: pct(cached, 95),
    uncachedP50: pct(uncached, 50),
    uncachedP95: pct(uncached, 95),
  };
}

/**
 * Brush stroke to screen: from each pointer move over the viewport (timestamped in the page) to
 * the next render of that viewport, painting a mask label. Client-only, so measured once.
 */
async function brushLatency(
  page: Page,
  appUrl: string,
  studyUid: string,
  seriesUid: string,
): Promise<number[]> {
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await page.goto(`${appUrl}/#/view/${studyUid}/${seriesUid}?task=bench`);
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { __annexViewer?: { state(): { count: number } } }).__annexViewer?.state()
        .count,
    undefined,
    { timeout: 60_000 },
  );
  await page.locator('[data-label=mask]').click();
  const box = await page.locator('[aria-label="image viewport"]').boundingBox();
  if (!box) throw new Error('viewport not visible');
  await page.evaluate(() => {
    const g = globalThis as unknown as { __annexViewer: { element: HTMLElement }; __lat: number[] };
    g.__lat = [];
    const el = g.__annexViewer.element;
    let pending: number[] = [];
    el.addEventListener('pointermove', () => pending.push(performance.now()), { capture: true });
    el.addEventListener('CORNERSTONE_IMAGE_RENDERED', () => {
      const now = performance.now();
      for (const t of pending) g.__lat.push(now - t);
      pending = [];
    });
  });
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  for (let stroke = 0; stroke < 4; stroke++) {
    const y = cy - 60 + stroke * 40;
    await page.mouse.move(cx - 100, y);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) {
      await page.mouse.move(cx - 100 + i * 10, y);
      await page.waitForTimeout(20);
    }
    await page.mouse.up();
    await page.waitForTimeout(100);
  }
  return page.evaluate(() => (globalThis as unknown as { __lat: number[] }).__lat);
}

const TARGETS: Array<[keyof Result, string, number]> = [
  ['rawFetchMs', 'server only: metadata + all frames', Number.POSITIVE_INFINITY],
  ['firstImageMs', 'first image after opening', 300],
  ['fullSeriesMs', 'full series loaded', 2000],
  ['cachedP50', 'cached slice change p50', 16],
  ['cachedP95', 'cached slice change p95', 33],
  ['uncachedP50', 'uncached slice change p50', 100],
  ['uncachedP95', 'uncached slice change p95', Number.POSITIVE_INFINITY],
];

function print(results: Record<string, Result>): void {
  const names = Object.keys(results);
  const head = ['metric (ms)', ...names, ...(names.length > 1 ? [`${names[1]}/${names[0]}`] : []), 'target'];
  const rows = TARGETS.map(([k, label, target]) => {
    const vals = names.map((n) => (results[n] as Result)[k]);
    const ratio = vals.length > 1 ? [((vals[1] as number) / (vals[0] as number)).toFixed(2)] : [];
    return [label, ...vals.map((v) => v.toFixed(1)), ...ratio, Number.isFinite(target) ? `≤${target}` : ''];
  });
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => String(r[i]).length)));
  for (const r of [head, ...rows])
    console.log(r.map((c, i) => String(c).padEnd(widths[i] as number)).join('  '));
  // The viewer's own cost: how much longer the full series takes in the browser than bare HTTP.
  for (const n of names) {
    const r = results[n] as Result;
    console.log(
      `${n}: full series in the viewer / server-only fetch = ${(r.fullSeriesMs / r.rawFetchMs).toFixed(2)}`,
    );
  }
}

async function main(): Promise<void> {
  const killer = setTimeout(() => {
    console.error('benchmark exceeded its time budget');
    process.exit(2);
  }, DEADLINE_MS);
  const distDir = await buildApp();
  const t = performance.now();
  const ct = makeCtSeries({ slices: SLICES, rows: ROWS, cols: ROWS, seed: 'viewer-bench' });
  console.log(
    `series: ${SLICES} slices ${ROWS}×${ROWS} generated in ${(performance.now() - t).toFixed(0)} ms`,
  );
  let siteChild: ChildProcess | undefined;
  let local:
    | { url: string; ingestMs: number; taskId: string; studyUid: string; seriesUid: string; token: string }
    | undefined;
  if (process.env.SITE === 'local') {
    const dir = mkdtempSync(join(tmpdir(), 'annex-bench-viewer-'));
    for (const [i, f] of ct.files.entries()) writeFileSync(join(dir, `${String(i).padStart(5, '0')}.dcm`), f);
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'site-server.ts'), dir, distDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    siteChild = child;
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the site child exited with ${code}`)));
    });
    rmSync(dir, { recursive: true, force: true });
    local = JSON.parse(line) as NonNullable<typeof local>;
    console.log(`site started, series ingested through its pipeline in ${local.ingestMs.toFixed(0)} ms`);
  }
  const port = 18900 + Math.floor(Math.random() * 90);
  const orthanc = await startOrthanc({ httpPort: port, dicomPort: port + 1000 });
  const task = taskSchema.parse({
    id: 'bench',
    projectId: 'bench',
    status: 'todo',
    studyUid: ct.study.studyInstanceUid,
    seriesUids: [ct.seriesInstanceUid],
    instructions: { labels: [{ id: 'mask', name: 'Mask', color: '#00ff00', tool: 'mask' }] },
  });
  const tasksApi = fakeTasksApi([task]);
  const app = await startAppServer({
    distDir,
    dicomwebUpstream: orthanc.dicomweb,
    extra: (req, res) => tasksApi.handle(req, res),
  });
  const chromium = await launchChromium();
  try {
    const t1 = performance.now();
    await orthanc.store(ct.files);
    console.log(`stored in Orthanc in ${(performance.now() - t1).toFixed(0)} ms`);
    const siteUrl = local?.url ?? process.env.SITE_URL?.replace(/\/$/, '');
    const siteToken = local?.token ?? process.env.SITE_TOKEN;
    if (siteUrl && !local && process.env.SITE_STOW === '1') await stow(siteUrl, siteToken, ct.files);
    const results: Record<string, Result> = {};
    const ctx = await chromium.browser.newContext({ viewport: { width: VIEW, height: VIEW } });
    const study = ct.study.studyInstanceUid;
    const seriesUid = ct.seriesInstanceUid;
    results.orthanc = await measure(
      await ctx.newPage(),
      app.url,
      { studyUid: study, seriesUid, taskId: 'bench' },
      () => rawFetch(`${app.url}/dicomweb`, undefined, study, seriesUid),
    );
    await ctx.close();
    const brushCtx = await chromium.browser.newContext({ viewport: { width: VIEW, height: VIEW } });
    const brush = await brushLatency(await brushCtx.newPage(), app.url, study, seriesUid);
    await brushCtx.close();
    if (siteUrl) {
      // The site's own config.json says how the app gets its token.
      const siteCtx = await chromium.browser.newContext({ viewport: { width: VIEW, height: VIEW } });
      // A site shows the annotator the task's pseudonymous UIDs; an external one is opened by the originals.
      const open = local ?? { studyUid: study, seriesUid, taskId: process.env.SITE_TASK ?? '' };
      results.site = await measure(
        await siteCtx.newPage(),
        siteUrl,
        open,
        () => rawFetch(`${siteUrl}/dicomweb`, siteToken, open.studyUid, open.seriesUid),
        local
          ? { user: 'ana', password: 'ana' }
          : process.env.SITE_USER
            ? { user: process.env.SITE_USER, password: process.env.SITE_PASSWORD ?? '' }
            : undefined,
      );
      await siteCtx.close();
    }
    console.log(
      `\nheadless Chromium (SwiftShader WebGL), loopback, ${SLICES}×${ROWS}×${ROWS} CT, ${VIEW}×${VIEW} page; Orthanc behind a same-origin proxy`,
    );
    print(results);
    console.log(
      `brush stroke to screen (client only, ${brush.length} moves): p50 ${pct(brush, 50).toFixed(1)} ms, p95 ${pct(brush, 95).toFixed(1)} ms (target ≤16)`,
    );
  } finally {
    clearTimeout(killer);
    await chromium.close();
    await app.close();
    await orthanc.stop();
    siteChild?.kill('SIGTERM');
  }
}

await main();
