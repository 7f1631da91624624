import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { QcTestSite } from '@annex/cloud/modules/qc/qc-test-site.ts';
import { createOrganization, registerSite } from '@annex/cloud/modules/sites/service.ts';
import { exportPublicKeyPem, generateKeyPair } from '@annex/protocol';
import { launchChromium } from '@annex/web-site/test/chromium.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, dashboardRoot } from './build-app.ts';
import { type DashboardCloud, startDashboardCloud } from './cloud-server.ts';
import { pid, type SeededTask, seedProject } from './seed-qc.ts';

// The dashboard end to end: the built app served by the real cloud, PKCE login against the
// embedded issuer, data seeded through the cloud's inbox handlers, a site connected over the real
// signed hub that answers the decision, and Debian's Chromium driving it all.

const SITE_A = 'e2e-a';
const SITE_B = 'e2e-b';
const SHOTS = join(dashboardRoot, 'test-results');
let cloud: DashboardCloud | undefined;
let site: QcTestSite | undefined;
let chromium: { browser: Browser; close: () => Promise<void> } | undefined;
let tasksA: SeededTask[] = [];

beforeAll(async () => {
  // Its own build folder: services/cloud's tests may be serving web/cloud/dist at the same time.
  const webRoot = await buildDashboard(join(SHOTS, 'dist'));
  cloud = await startDashboardCloud({
    webRoot,
    siteViewers: `${SITE_A}=https://annex.demo-hospital.internal/`,
  });
  // Site A is connected over the signed channel (it answers commands); site B is only registered.
  site = await QcTestSite.connect(
    cloud as unknown as Parameters<typeof QcTestSite.connect>[0],
    SITE_A,
    'demo-hospital',
  );
  await createOrganization(cloud.prisma, 'other-hospital', 'Other hospital');
  await registerSite(cloud.prisma, {
    siteId: SITE_B,
    name: SITE_B,
    orgSlug: 'other-hospital',
    publicKey: exportPublicKeyPem(generateKeyPair().publicKey),
  });
  tasksA = await seedProject(cloud.prisma, {
    siteId: SITE_A,
    project: 'liver-a',
    tasks: 60,
    annotators: 6,
    goldEvery: 5,
    names: { 0: 'Dr. Ana Müller' },
  });
  await seedProject(cloud.prisma, { siteId: SITE_B, project: 'lung-b', tasks: 12, annotators: 3 });
  chromium = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await chromium?.close();
  site?.close();
  await cloud?.close();
});

const api = async (user: string, path: string) => {
  const res = await fetch(`${cloud!.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${await cloud!.token(user)}` },
  });
  return res.json();
};

async function signIn(user: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await chromium!.browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${cloud!.baseUrl}/`);
  await page.waitForURL((u) => u.pathname.endsWith('/protocol/openid-connect/auth'), { timeout: 15_000 });
  await page.locator('input[name=username]').fill(user);
  await page.locator('input[name=password]').fill(user);
  await page.locator('button[type=submit]').click();
  await page.waitForURL((u) => u.origin === cloud!.baseUrl && u.pathname === '/', { timeout: 15_000 });
  await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 15_000 });
  return page;
}

type ChartPeek = {
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
  painted: number;
};
const peekChart = (page: Page, id: string) =>
  page.evaluate((chartId) => {
    const charts = (globalThis as unknown as { __annexCharts: Map<string, any> }).__annexCharts;
    const c = charts?.get(chartId);
    if (!c) return null;
    const ctx = (c.canvas as HTMLCanvasElement).getContext('2d')!;
    const px = ctx.getImageData(0, 0, c.canvas.width, c.canvas.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if ((px[i] as number) > 0) painted++;
    return {
      labels: c.data.labels as string[],
      datasets: c.data.datasets.map((d: any) => ({ label: d.label, data: d.data })),
      painted,
    } satisfies ChartPeek;
  }, id);

describe('a QC manager', () => {
  let page: Page;

  it('signs in with the authorization code flow and PKCE and sees the no-patient-data statement', async () => {
    page = await signIn('quinn');
    expect(page.url()).not.toContain('code=');
    await expect.poll(() => page.getByRole('note').textContent()).toContain('never shows patient data');
    // Keyboard first: the first Tab lands on "Skip to content", then the main navigation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Overview');
  });

  it('sees the overview charts drawn with the API’s numbers, each number one hover away', async () => {
    const overview = await api('quinn', `/api/qc/projects/${SITE_A}/${pid('prj', 'liver-a')}/overview`);
    await expect
      .poll(() => peekChart(page, 'agreement-by-label').then((c) => c?.painted ?? 0), { timeout: 15_000 })
      .toBeGreaterThan(500);
    const agreement = (await peekChart(page, 'agreement-by-label'))!;
    expect(agreement.labels).toEqual(overview.labels.map((l: { labelId: string }) => l.labelId));
    expect(agreement.datasets.find((d: { label: string }) => d.label === 'median agreement')?.data).toEqual(
      overview.labels.map((l: { medianAgreement: number }) => l.medianAgreement),
    );
    const status = (await peekChart(page, 'tasks-by-status'))!;
    expect(Object.fromEntries(status.labels.map((l, i) => [l, status.datasets[0]?.data[i]]))).toEqual(
      overview.tasksByStatus,
    );
    for (const id of ['status-over-time', 'throughput', 'flags', 'site-lag']) {
      expect((await peekChart(page, id))?.painted, id).toBeGreaterThan(200);
    }
    expect(await page.locator('[data-kpi=tasks]').textContent()).toBe(String(overview.tasks));

    // Hover the first bar of "tasks by state now": the tooltip shows that bar's number.
    await page.locator('[data-chart=tasks-by-status]').scrollIntoViewIfNeeded();
    const bar = await page.evaluate(() => {
      const c = (globalThis as unknown as { __annexCharts: Map<string, any> }).__annexCharts.get(
        'tasks-by-status',
      );
      const el = c.getDatasetMeta(0).data[0];
      return { x: el.x as number, y: ((el.y as number) + (el.base as number)) / 2 };
    });
    const box = (await page.locator('[data-chart=tasks-by-status] canvas').boundingBox())!;
    await page.mouse.move(box.x + bar.x, box.y + bar.y);
    const tip = await page.evaluate(() => {
      const c = (globalThis as unknown as { __annexCharts: Map<string, any> }).__annexCharts.get(
        'tasks-by-status',
      );
      return c.tooltip.getActiveElements().length
        ? c.tooltip.dataPoints.map((p: any) => [p.label, p.raw])
        : [];
    });
    expect(tip).toEqual([[status.labels[0], status.datasets[0]?.data[0]]]);
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
  });

  it('filters the queue to low agreement, opens a task, accepts one annotator’s version and sees it applied at the site', async () => {
    await page.getByRole('link', { name: 'Review queue' }).click();
    expect(await page.locator('select[name=flag] option[value=time_outlier]').textContent()).toBe(
      'time outlier',
    );
    await page.getByRole('button', { name: 'Low agreement only' }).click();
    await page.waitForURL((u) => u.hash.includes('flag=low_agreement'));
    const expected = await api('quinn', '/api/qc/tasks?flag=low_agreement&limit=1');
    expect(expected.total).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('[data-total]').getAttribute('data-total'))
      .toBe(String(expected.total));
    const rows = page.locator('table[aria-label=Tasks] tbody tr');
    await expect.poll(() => rows.count()).toBe(Math.min(50, expected.total));
    const flags = await rows.locator('td:nth-child(10)').allTextContents();
    expect(flags.every((f) => f.includes('low agreement'))).toBe(true);
    const agreements = (await rows.locator('td:nth-child(6)').allTextContents()).map(Number);
    expect(agreements).toEqual([...agreements].sort((a, b) => a - b));

    await page.screenshot({ path: join(SHOTS, 'queue.png'), fullPage: true });
    const taskId = (await rows.first().getAttribute('data-task'))!;
    // By keyboard: the task link takes focus and Enter opens it.
    await rows.first().getByRole('link').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Task / }).waitFor();
    const seeded = tasksA.find((t) => t.taskId === taskId)!;
    const chosen = seeded.annotatorIds[1]!;
    // The pairwise matrix shows each pair's number; each annotator's active time and revisions.
    const [first, second] = seeded.annotatorIds as [string, string];
    await expect
      .poll(() => page.locator(`table[data-matrix=liver] td[data-pair="${first} ${second}"]`).textContent())
      .toBe(seeded.firstPairDice.toFixed(2));
    expect(
      await page
        .locator(`tr[data-annotator="${first}"] td[data-active-seconds]`)
        .getAttribute('data-active-seconds'),
    ).toBe(String(seeded.activeSeconds[0]));
    expect(await page.locator(`tr[data-annotator="${first}"] td[data-revisions]`).textContent()).toMatch(
      /^\d+$/,
    );
    const link = page.getByRole('link', { name: 'Open in the site viewer' });
    expect(await link.getAttribute('href')).toBe(`https://annex.demo-hospital.internal/#/qc-task/${taskId}`);
    await page
      .locator(`tr[data-annotator="${chosen}"]`)
      .getByRole('button', { name: /Accept this version/ })
      .click();
    const decisionRow = page.locator('table[aria-label=Decisions] tbody tr[data-decision]').first();
    await expect
      .poll(() => decisionRow.locator('[data-state]').textContent(), { timeout: 10_000 })
      .toBe('sent');
    expect(await decisionRow.textContent()).toContain('quinn');

    // The site receives the signed command and reports it applied; the page follows by itself.
    const cmd = await site!.command(
      'qc.decision',
      (e) => e.type === 'qc.decision' && e.body.taskId === taskId,
    );
    expect(cmd.body.verdict).toEqual({ kind: 'accept-annotator', annotatorId: chosen });
    await site!.send({
      type: 'command.result',
      body: { status: 'applied', commandSeq: cmd.seq, commandType: 'qc.decision' },
    });
    await expect
      .poll(() => decisionRow.locator('[data-state]').textContent(), { timeout: 10_000 })
      .toBe('applied');
    expect(await decisionRow.textContent()).toContain('applied at site');
    await page.screenshot({ path: join(SHOTS, 'task.png'), fullPage: true });
  });

  it('compares annotators over time and exports their performance as CSV', async () => {
    await page.goto(`${cloud!.baseUrl}/#/annotators/${SITE_A}/${pid('prj', 'liver-a')}`);
    const rows = page.locator('table[aria-label=Annotators] tbody tr');
    await expect.poll(() => rows.count()).toBe(6);
    await expect
      .poll(() => peekChart(page, 'gold-accuracy-over-time').then((c) => c?.datasets.length ?? 0))
      .toBe(3);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /Export CSV/ }).click(),
    ]);
    const csv = await new Response((await download.createReadStream()) as unknown as ReadableStream).text();
    expect(csv.split('\r\n')[0]).toMatch(
      /^annotator_id,display_name,day,tasks,.*,mean_active_seconds,rework_rate$/,
    );
    expect(csv).toContain('Dr. Ana Müller');
    // Display names where the site sends them, active time per task and rework rate per annotator.
    const named = page.locator('table[aria-label=Annotators] tbody th', { hasText: 'Dr. Ana Müller' });
    expect(await named.count()).toBe(1);
    const times = await page.locator('[data-active-per-task]').allTextContents();
    expect(times.every((t) => /^\d+ min$/.test(t))).toBe(true);
    const rates = await page.locator('[data-rework-rate]').allTextContents();
    expect(rates.every((t) => /^\d+\.\d %$/.test(t))).toBe(true);
    expect(csv).toContain(pid('usr', 'liver-a/a0'));
  });

  it('changes the project settings and sees when they took effect at the site', async () => {
    await page.goto(`${cloud!.baseUrl}/#/settings/${SITE_A}/${pid('prj', 'liver-a')}`);
    await page.getByLabel('Flag when Dice below').fill('0.8');
    await page.getByRole('button', { name: 'Send to the site' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Revision 1 sent to the site');
    const cmd = await site!.command('project.settings');
    expect(cmd.body.flagThresholds.diceBelow).toBe(0.8);
    await site!.send({
      type: 'command.result',
      body: { status: 'applied', commandSeq: cmd.seq, commandType: 'project.settings' },
    });
    await page.reload();
    await expect
      .poll(() => page.locator('[data-in-effect]').textContent(), { timeout: 10_000 })
      .toContain('In effect at the site: revision 1');
  });

  it('stays readable at 200 % zoom: nothing scrolls sideways but the wide tables', async () => {
    const zoomed = await signIn('quinn', { width: 640, height: 450 });
    const overflow = await zoomed.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await zoomed.screenshot({ path: join(SHOTS, 'overview-200-percent.png') });
    await zoomed.context().close();
  });
});

describe('a manager of another organization', () => {
  it('sees none of the first organization’s projects, tasks or decisions', async () => {
    const page = await signIn('olga');
    await expect.poll(() => page.locator('table tbody tr').first().textContent()).toContain(SITE_B);
    expect(await page.content()).not.toContain(SITE_A);
    await page.goto(`${cloud!.baseUrl}/#/queue`);
    await expect.poll(() => page.locator('[data-total]').getAttribute('data-total')).toBe('12');
    expect(await page.locator('table[aria-label=Tasks]').textContent()).not.toContain(SITE_A);
    // A bulk decision over her filtered set: one command per task, each shown on its way.
    await page.goto(`${cloud!.baseUrl}/#/queue?status=submitted`);
    const n = (await api('olga', '/api/qc/tasks?status=submitted&limit=1')).total as number;
    expect(n).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-total]').getAttribute('data-total')).toBe(String(n));
    await page.getByRole('checkbox', { name: /I checked the filter/ }).check();
    await page.getByRole('button', { name: `Send ${n} decisions` }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`${n} decisions sent`);
    await page.goto(`${cloud!.baseUrl}/#/decisions?state=sent`);
    await expect
      .poll(() => page.locator('table[aria-label=Decisions] tbody tr [data-state=sent]').count())
      .toBe(n);
    expect(await page.locator('table[aria-label=Decisions]').textContent()).not.toContain(SITE_A);
    await page.goto(`${cloud!.baseUrl}/#/task/${SITE_A}/${tasksA[0]!.taskId}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('No such task');
    // Quinn's decision (above) is not among hers, on the page or in the API.
    await page.goto(`${cloud!.baseUrl}/#/decisions`);
    await expect.poll(() => page.locator('table[aria-label=Decisions] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('table[aria-label=Decisions]').textContent()).not.toContain('quinn');
    const hers = await api('olga', '/api/qc/decisions?limit=500');
    expect(hers.decisions.every((d: { siteId: string }) => d.siteId === SITE_B)).toBe(true);
    await page.context().close();
  });
});
