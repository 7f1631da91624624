import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCtSeries, makeStudy } from '@annex/dicom';
import { freePort } from '@annex/platform/testing/free-port.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestContextOf } from '../../../services/site/src/modules/ingest/context.ts';
import { ingestInstance } from '../../../services/site/src/modules/ingest/service.ts';
import { taskContextOf } from '../../../services/site/src/modules/tasks/context.ts';
import { startTestSite, type TestSite } from '../../../services/site/test/app.ts';
import { buildApp } from './build-app.ts';
import { launchChromium } from './chromium.ts';

// A reviewer works the review queue in the browser against the real site (its embedded issuer,
// the review API, Postgres, Redis, S3): sends an annotator's work back with a comment, then
// approves the resubmission. The annotator's side goes through the API.

let site: TestSite;
let chromium: { browser: Browser; close: () => Promise<void> } | undefined;
let page: Page;
let url: string;
let dist: string;
let taskId: string;

const api = async (user: string, method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) =>
  site.app.inject({ method, url: path, headers: await site.auth(user), ...(payload ? { payload } : {}) });

beforeAll(async () => {
  // Its own build folder: other browser tests build the shared dist/ at the same time.
  dist = await mkdtemp(join(tmpdir(), 'annex-review-e2e-'));
  await buildApp(dist);
  const port = await freePort();
  site = await startTestSite({}, { webRoot: dist, port });
  url = `http://127.0.0.1:${port}`;
  const project = await api('admin', 'POST', '/api/projects', {
    slug: 'review-e2e',
    name: 'Review e2e',
    consensusSize: 1,
    goldRate: 0,
    goldWarmup: 0,
    reviewStage: true,
    instructions: {
      labels: [{ id: 'nodule', name: 'Nodule', color: '#ff3030', tool: 'bbox' }],
      classifications: [],
    },
  });
  expect(project.statusCode).toBe(201);
  const ct = makeCtSeries({ study: makeStudy('review-e2e'), slices: 2, rows: 32, cols: 32 });
  const ingest = ingestContextOf(site.app);
  for (const file of ct.files) await ingestInstance(ingest, file, { via: 'upload' });
  const added = await api('admin', 'POST', `/api/projects/${project.json().id}/tasks`, {
    studyInstanceUids: [ct.study.studyInstanceUid],
  });
  taskId = added.json().taskIds[0];
  const ids = taskContextOf(site.app).ids;
  expect((await api('ana', 'POST', '/api/tasks/next', {})).json().id).toBe(taskId);
  const box = {
    id: 'b1',
    labelId: 'nodule',
    kind: 'bbox',
    image: {
      seriesUid: ids.deidUid(ct.seriesInstanceUid),
      sopInstanceUid: ids.deidUid(ct.sopInstanceUids[0]!),
      frame: 1,
    },
    points: [
      [2, 2],
      [9, 9],
    ],
    attributes: {},
  };
  await api('ana', 'PUT', `/api/tasks/${taskId}/annotation`, {
    clientRevisionId: 'ana-e2e-0001',
    baseRevision: 0,
    doc: { shapes: [box], masks: [], classifications: {} },
  });
  expect((await api('ana', 'POST', `/api/tasks/${taskId}/submit`, {})).statusCode).toBe(204);
  chromium = await launchChromium();
  page = await (await chromium.browser.newContext({ viewport: { width: 1100, height: 700 } })).newPage();
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await site?.close();
  if (dist) await rm(dist, { recursive: true, force: true });
});

describe('a reviewer works the review queue in the browser', () => {
  it('signs in as the reviewer and sees the submitted work in the queue', async () => {
    await page.goto(`${url}/#/review`);
    await page.waitForSelector('input[name=username]', { timeout: 30_000 });
    await page.fill('input[name=username]', 'rita');
    await page.fill('input[name=password]', 'rita');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/realms/'), { timeout: 30_000 });
    await expect.poll(() => page.locator('main.review').textContent(), { timeout: 30_000 }).toContain(taskId);
  });

  it('opens the work read-only and sends it back with a comment the annotator then sees', async () => {
    await page.getByRole('cell', { name: taskId }).click();
    const work = page.getByRole('region', { name: 'Work under review' });
    await expect.poll(() => work.textContent(), { timeout: 15_000 }).toContain('Nodule1 bbox');
    await page.getByLabel('Comment for the annotator').fill('Include the whole nodule.');
    await page.getByRole('button', { name: 'Send back for rework' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Sent back for rework.');
    await expect
      .poll(() => page.locator('main.review').textContent())
      .toContain('Nothing is waiting for review.');
    const view = (await api('ana', 'GET', `/api/tasks/${taskId}`)).json();
    expect(view).toMatchObject({ status: 'rejected', reworkComment: 'Include the whole nodule.' });
  });

  it('approves the resubmission, which completes the task', async () => {
    expect((await api('ana', 'POST', `/api/tasks/${taskId}/submit`, {})).statusCode).toBe(204);
    await page.reload();
    await expect.poll(() => page.locator('main.review').textContent(), { timeout: 30_000 }).toContain(taskId);
    const row = page.getByRole('row', { name: new RegExp(taskId) });
    expect(await row.textContent()).toMatch(/1$/);
    await row.click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('Approved: the task is complete and goes to quality.');
    const task = await site.deps.prisma.task.findUniqueOrThrow({ where: { id: taskId } });
    expect(task.status).toBe('submitted');
    const audit = await site.deps.prisma.auditEvent.findMany({
      where: { action: { startsWith: 'review.' } },
    });
    expect(new Set(audit.map((a) => a.action))).toEqual(
      new Set(['review.queue', 'review.open', 'review.rework', 'review.approve']),
    );
  });
});
