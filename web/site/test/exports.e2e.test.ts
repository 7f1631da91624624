import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnnotationDoc } from '@annex/annotation-model';
import { makeCtSeries, makeStudy, type SyntheticSeries } from '@annex/dicom';
import { freePort } from '@annex/platform/testing/free-port.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobHandlers } from '../../../services/site/src/jobs/handlers.ts';
import { startWorkers } from '../../../services/site/src/jobs/queues.ts';
import { ingestContextOf } from '../../../services/site/src/modules/ingest/context.ts';
import { ingestInstance } from '../../../services/site/src/modules/ingest/service.ts';
import { taskContextOf } from '../../../services/site/src/modules/tasks/context.ts';
import { startTestSite, type TestSite } from '../../../services/site/test/app.ts';
import { type ClaimedTask, finalizeByConsensus } from '../../../services/site/test/final-label-set.ts';
import { squareRuns } from '../../../services/site/test/mask-runs.ts';
import { viewHref } from '../src/lib/route.ts';
import { buildApp } from './build-app.ts';
import { launchChromium } from './chromium.ts';

// A site administrator exports labels in the browser against the real site (embedded issuer, exports API,
// Postgres, Redis, S3) with the site's own job workers building the bundle: a refused request shows the
// server's reason, a queued export is cancelled and retried, and a SEG + NIfTI + DICOM export is followed to
// done and downloaded by the browser's download manager; the file is then checked with the system's tar.

const SLICES = 4;
const LESION_SLICES = [1, 2];
let site: TestSite;
let chromium: { browser: Browser; close: () => Promise<void> } | undefined;
let workers: { close: () => Promise<void> } | undefined;
let page: Page;
let url: string;
let dist: string;
let work: string;
let projectId: string;
const series: SyntheticSeries[] = [];
/** The extracted bundle of the downloaded export. */
let bundleRoot: string;
const taskIds: string[] = [];

const api = async (user: string, method: 'GET' | 'POST', path: string, payload?: object) =>
  site.app.inject({ method, url: path, headers: await site.auth(user), ...(payload ? { payload } : {}) });

/** A painted square on two slices of whichever of the seeded series the task is. */
function lesionDoc(task: ClaimedTask): AnnotationDoc {
  const deid = taskContextOf(site.app).ids.deidUid;
  const ct = series.find((s) => deid(s.seriesInstanceUid) === task.seriesUids[0]);
  if (!ct) throw new Error('the claimed task is none of the seeded series');
  return {
    shapes: [],
    masks: [
      {
        labelId: 'lesion',
        rows: ct.geometry.rows,
        columns: ct.geometry.columns,
        slices: LESION_SLICES.map((k) => ({
          image: { seriesUid: task.seriesUids[0]!, sopInstanceUid: deid(ct.sopInstanceUids[k]!), frame: 1 },
          runs: squareRuns(ct.geometry, 20, 24, 12, 10),
        })),
        attributes: {},
      },
    ],
    classifications: {},
  };
}

const exportsPage = () => page.locator('main.exports');
/** The row of one export, found by the short id the page shows (also part of the bundle's file name). */
const rowOf = (shortId: string) => page.getByRole('row').filter({ hasText: shortId });
const statusOf = (shortId: string) => rowOf(shortId).locator('td.status').textContent();

/** Requests what the form holds and returns the short id the page announces. */
async function requestExport(): Promise<string> {
  await page.getByRole('button', { name: 'Request export' }).click();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/requested/);
  const id = /Export ([0-9a-f]{8}) requested/.exec((await page.getByRole('status').textContent()) ?? '')?.[1];
  expect(id).toBeDefined();
  return id!;
}

async function chooseFormats(ids: string[]) {
  for (const [id, name] of [
    ['seg', /^DICOM SEG/],
    ['sr', /^DICOM SR/],
    ['nifti', /^NIfTI labels/],
    ['nifti-image', /^NIfTI images/],
    ['coco', /^COCO Boxes/],
    ['coco-png', /^COCO PNG/],
    ['dicom', /^De-identified DICOM/],
  ] as const)
    await page.getByRole('checkbox', { name }).setChecked(ids.includes(id));
}

beforeAll(async () => {
  // Its own build folder: other browser tests build the shared dist/ at the same time.
  dist = await mkdtemp(join(tmpdir(), 'annex-exports-e2e-'));
  work = await mkdtemp(join(tmpdir(), 'annex-exports-e2e-download-'));
  await buildApp(dist);
  const port = await freePort();
  site = await startTestSite({}, { webRoot: dist, port });
  url = `http://127.0.0.1:${port}`;
  const project = await api('admin', 'POST', '/api/projects', {
    slug: 'exports-e2e',
    name: 'Exports e2e',
    consensusSize: 1,
    goldRate: 0,
    goldWarmup: 0,
    instructions: {
      labels: [
        {
          id: 'lesion',
          name: 'Lesion',
          color: '#e6194b',
          tool: 'mask',
          code: { scheme: 'SCT', value: '52988006', meaning: 'Lesion' },
          category: { scheme: 'SCT', value: '49755003', meaning: 'Morphologically Altered Structure' },
        },
      ],
      classifications: [],
    },
  });
  expect(project.statusCode, project.body).toBe(201);
  projectId = project.json().id;
  const ingest = ingestContextOf(site.app);
  for (const n of [1, 2]) {
    const ct = makeCtSeries({ study: makeStudy(`exports-e2e-${n}`), slices: SLICES, rows: 64, cols: 64 });
    series.push(ct);
    for (const file of ct.files) await ingestInstance(ingest, file, { via: 'upload' });
    const added = await api('admin', 'POST', `/api/projects/${projectId}/tasks`, {
      studyInstanceUids: [ct.study.studyInstanceUid],
    });
    expect(added.statusCode, added.body).toBeLessThan(300);
  }
  // One annotator per task (consensus of one), then the QC decision that makes the final label set.
  for (const _ of series)
    taskIds.push(await finalizeByConsensus(site, projectId, [{ user: 'ana', doc: lesionDoc }]));
  chromium = await launchChromium();
  page = await (
    await chromium.browser.newContext({ viewport: { width: 1200, height: 900 }, acceptDownloads: true })
  ).newPage();
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await workers?.close();
  await site?.close();
  for (const dir of [dist, work]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a site administrator exports labels in the browser', () => {
  it('signs in as the administrator and opens the exports of the project', async () => {
    await page.goto(`${url}/#/exports`);
    await page.waitForSelector('input[name=username]', { timeout: 30_000 });
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'admin');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/realms/'), { timeout: 30_000 });
    await expect.poll(() => exportsPage().textContent(), { timeout: 30_000 }).toContain('No export yet.');
    expect(await page.getByRole('combobox', { name: 'Project' }).inputValue()).toBe(projectId);
  });

  it("shows the server's reason when the filter selects no task", async () => {
    await chooseFormats(['seg']);
    // Finalized since tomorrow: no final label set is that new.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
    await page.getByLabel('Finalized since').fill(day);
    await page.getByRole('button', { name: 'Request export' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 })
      .toContain('EXPORT_NOTHING_SELECTED');
    expect(await page.getByRole('alert').textContent()).toContain('there is nothing to export');
    expect(await exportsPage().textContent()).toContain('No export yet.');
    await page.getByLabel('Finalized since').fill('');
  });

  it('warns that an identified export holds original UIDs and is audited, and offers only SEG and SR for it', async () => {
    await page.getByRole('radio', { name: /^Identified/ }).check();
    const note = page.getByRole('note');
    expect(await note.textContent()).toMatch(/original study, series and instance UIDs[\s\S]*audit log/);
    expect(await page.getByRole('checkbox', { name: /^De-identified DICOM/ }).isDisabled()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /^DICOM SR/ }).isDisabled()).toBe(false);
    await page.getByRole('radio', { name: /^De-identified/ }).check();
    expect(await page.getByRole('note').count()).toBe(0);
  });

  let cancelled: string;
  it('cancels a queued export (no worker runs yet) and shows it cancelled', async () => {
    await chooseFormats(['seg']);
    cancelled = await requestExport();
    expect(await statusOf(cancelled)).toBe('queued');
    expect(await rowOf(cancelled).textContent()).toContain('0/2 tasks');
    await page.getByRole('button', { name: `Cancel export ${cancelled}` }).click();
    await expect.poll(() => statusOf(cancelled)).toBe('cancelled');
    expect(await page.getByRole('status').textContent()).toBe(`Export ${cancelled} cancelled.`);
    expect(await page.getByRole('button', { name: `Cancel export ${cancelled}` }).count()).toBe(0);
    expect(await page.getByRole('button', { name: `Retry export ${cancelled}` }).count()).toBe(1);
  });

  let done: string;
  it('follows a SEG + NIfTI + DICOM export built by the workers until it is done', async () => {
    workers = startWorkers(site.deps.redis, site.config.QUEUE_PREFIX, createJobHandlers(site.app));
    await chooseFormats(['seg', 'nifti', 'dicom']);
    done = await requestExport();
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const s = (await statusOf(done)) ?? '';
          seen.add(s);
          return s;
        },
        { timeout: 60_000, interval: 200 },
      )
      .toBe('succeeded');
    // The cancelled one was not built behind our back.
    expect(await statusOf(cancelled)).toBe('cancelled');
    const row = rowOf(done);
    expect(
      await row.getByRole('progressbar', { name: `Progress of export ${done}` }).getAttribute('value'),
    ).toBe('100');
    expect(await row.textContent()).toContain('2/2 tasks');
    const view = (await api('admin', 'GET', `/api/exports?projectId=${projectId}`))
      .json()
      .items.find((e: { id: string }) => e.id.startsWith(done));
    expect(view).toMatchObject({ status: 'succeeded', formats: ['seg', 'nifti', 'dicom'], itemsDone: 2 });
    expect(await row.textContent()).toContain(`${view.fileCount} files`);
    expect(await row.textContent()).toContain('kept until');
    expect(await page.getByRole('button', { name: `Cancel export ${done}` }).count()).toBe(0);
    expect([...seen].every((s) => ['queued', 'running', 'succeeded'].includes(s))).toBe(true);
  });

  it('downloads the bundle through the browser: a tar whose manifest checksums match its files', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.getByRole('button', { name: `Download export ${done}` }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^annex-exports-e2e-\\d{4}-\\d{2}-\\d{2}-${done}\\.tar$`),
    );
    // The signed link, not a bearer token: the page never held the bytes.
    expect(new URL(download.url()).searchParams.get('sig')).toBeTruthy();
    const file = join(work, download.suggestedFilename());
    await download.saveAs(file);
    const view = (await api('admin', 'GET', `/api/exports?projectId=${projectId}`))
      .json()
      .items.find((e: { id: string }) => e.id.startsWith(done));
    const bytes = await readFile(file);
    expect(bytes.length).toBe(view.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(view.sha256);

    const listing = spawnSync('tar', ['-tf', file], { encoding: 'utf8' });
    expect(listing.status, listing.stderr).toBe(0);
    const out = join(work, 'x');
    await mkdir(out);
    const untar = spawnSync('tar', ['-xf', file, '-C', out], { encoding: 'utf8' });
    expect(untar.status, untar.stderr).toBe(0);
    const [top] = await readdir(out);
    const root = join(out, top!);
    bundleRoot = root;
    const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')) as {
      files: { path: string; size: number; sha256: string }[];
      tasks: unknown[];
    };
    const members = listing.stdout
      .split('\n')
      .filter((l) => l && !l.endsWith('/'))
      .map((l) => l.slice(top!.length + 1));
    expect(new Set(members)).toEqual(
      new Set([...manifest.files.map((f) => f.path), 'manifest.json', 'README.md']),
    );
    expect(manifest.tasks).toHaveLength(2);
    for (const f of manifest.files) {
      const content = await readFile(join(root, f.path));
      expect(content.length, f.path).toBe(f.size);
      expect(createHash('sha256').update(content).digest('hex'), f.path).toBe(f.sha256);
    }
    const paths = manifest.files.map((f) => f.path);
    expect(paths.filter((p) => p.endsWith('.seg.dcm'))).toHaveLength(2);
    expect(paths.filter((p) => p.endsWith('_labels.nii.gz'))).toHaveLength(2);
    expect(paths.filter((p) => p.startsWith('dicom/') && p.endsWith('.dcm'))).toHaveLength(2 * SLICES);
    expect(view.fileCount).toBe(manifest.files.length + 2);

    const audit = await site.deps.prisma.auditEvent.findMany({ where: { action: 'export.download' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ via: 'link' });
  });

  it('retries the cancelled export, which the workers then build', async () => {
    await page.getByRole('button', { name: `Retry export ${cancelled}` }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe(`Export ${cancelled} queued again.`);
    await expect.poll(() => statusOf(cancelled), { timeout: 60_000 }).toBe('succeeded');
    expect(await rowOf(cancelled).textContent()).toContain('2/2 tasks');
    expect(await page.getByRole('button', { name: `Download export ${cancelled}` }).count()).toBe(1);
  });

  it('opens an exported SEG over its series in the viewer, read back through dcmjs, on the painted pixels', async () => {
    // The administrator (a PHI viewer) sees the original images: the identified SEG, the one for the PACS,
    // names them. The de-identified SEG of the bundle names the annotators' UIDs, which are not on screen.
    const ct = series[0]!;
    const identified = await api('admin', 'GET', `/api/tasks/${taskIds[0]}/export/seg?variant=identified`);
    expect(identified.statusCode, identified.body.slice(0, 300)).toBe(200);
    const manifest = JSON.parse(await readFile(join(bundleRoot, 'manifest.json'), 'utf8')) as {
      files: { path: string }[];
    };
    const deidSeg = manifest.files.map((f) => f.path).find((p) => p.endsWith('.seg.dcm'))!;
    const someImage = manifest.files.map((f) => f.path).find((p) => p.startsWith('dicom/'))!;
    // In the same signed-in page, as a user following a link inside the app.
    await page.evaluate(
      (hash) => {
        location.hash = hash;
      },
      viewHref(ct.study.studyInstanceUid, ct.seriesInstanceUid),
    );
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as { __annexViewer?: { state(): { loaded: number } } }).__annexViewer?.state()
          .loaded === n,
      SLICES,
      { timeout: 30_000 },
    );
    const open = (name: string, buffer: Buffer) =>
      page.getByLabel('Open a DICOM SEG').setInputFiles({ name, mimeType: 'application/dicom', buffer });
    await open('identified.seg.dcm', identified.rawPayload);
    const status = page.getByRole('status', { name: 'SEG overlay' });
    // The label set painted a 12 × 10 square on each of two slices.
    await expect
      .poll(() => status.textContent(), { timeout: 15_000 })
      .toContain('Lesion: 240 pixels on 2 images');
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as { __annexSegOverlay: () => number }).__annexSegOverlay(),
      ),
    ).toBe(240);
    await page.getByRole('button', { name: 'Close SEG' }).click();
    // A SEG of other images is refused rather than drawn at the wrong place; a file that is no SEG too.
    await open('deidentified.seg.dcm', await readFile(join(bundleRoot, deidSeg)));
    await expect.poll(() => status.textContent()).toContain('SEG_OTHER_SERIES');
    await open('image.dcm', await readFile(join(bundleRoot, someImage)));
    await expect.poll(() => status.textContent()).toContain('SEG_NOT_A_SEGMENTATION');
  });
});
