// QC dashboard performance on the seeded 10,000-task / 50-annotator project (issue 7 §7):
// largest contentful paint of the overview and the queue, and interaction latency (click → the
// answer drawn) for the queue filter, paging and opening a task, as p75 over repeated runs.
// Peers measured in the same run: LCP of the cloud's own Swagger UI page (/docs, a third-party
// page on the same server and browser), and the bare API round trip each interaction waits for.
// usage: npx tsx scripts/bench/dashboard/run.ts [--runs 15] [--skip-build]
// Bounded: the whole run stops after 8 minutes; Chromium, the cloud and the database are always removed.

import { fileURLToPath } from 'node:url';
import { createPrisma } from '@annex/cloud/db.ts';
import { createTestDatabase } from '@annex/platform/testing/postgres.ts';
import { launchChromium } from '@annex/web-site/test/chromium.ts';
import type { Page } from 'playwright-core';
import { buildDashboard } from '../../../web/cloud/test/build-app.ts';
import { startDashboardCloud } from '../../../web/cloud/test/cloud-server.ts';
import { seedCloudQc } from '../../seed/cloud-qc.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const RUNS = Math.max(3, Math.min(50, Number(arg('runs', '15'))));
const TASKS = Number(arg('tasks', '10000'));
const DEADLINE = Date.now() + 8 * 60_000;
const CLOUD_DIR = fileURLToPath(new URL('../../../services/cloud', import.meta.url));

const p = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
};
const ms = (v: number) => `${v.toFixed(0)} ms`;
const guard = () => {
  if (Date.now() > DEADLINE) throw new Error('benchmark ran past its 8-minute bound');
};

/** LCP of the page as loaded now, read from the buffered largest-contentful-paint entries. */
async function lcp(page: Page, ready: () => Promise<unknown>): Promise<number> {
  await ready();
  await page.waitForTimeout(300);
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          resolve(entries.at(-1)?.startTime ?? Number.NaN);
        }).observe({ type: 'largest-contentful-paint', buffered: true });
        setTimeout(() => resolve(Number.NaN), 2000);
      }),
  );
}

/** Click → the page shows the answer (checked by `done` in the page), timed inside the page. */
async function interaction(page: Page, selector: string, done: string): Promise<number> {
  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  const script = `new Promise((resolve, reject) => {
    const el = document.querySelector(${JSON.stringify(selector)});
    if (!el) return reject(new Error('no ' + ${JSON.stringify(selector)}));
    const check = () => { ${done} };
    const t0 = performance.now();
    el.click();
    const tick = () => {
      // The frame that shows the answer: resolve at the next paint opportunity after it is in the DOM.
      if (check()) requestAnimationFrame(() => resolve(performance.now() - t0));
      else if (performance.now() - t0 > 10000) reject(new Error('timed out waiting for the answer'));
      else requestAnimationFrame(tick);
    };
    tick();
  })`;
  return page.evaluate(script) as Promise<number>;
}

async function main() {
  const db = await createTestDatabase(CLOUD_DIR, 'dashbench');
  let closeAll = async () => db.drop();
  try {
    const prisma = createPrisma(db.url);
    const t0 = Date.now();
    const seeded = await seedCloudQc(prisma, {
      tasks: TASKS,
      annotators: 50,
      siteId: 'bench-site',
      org: 'demo-hospital',
      decisions: 300,
      seed: 'dashboard-bench',
    });
    await prisma.$disconnect();
    console.log(
      `seeded ${seeded.taskIds.length} tasks, ${seeded.annotatorIds.length} annotators in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    const webRoot = process.argv.includes('--skip-build')
      ? fileURLToPath(new URL('../../../web/cloud/dist', import.meta.url))
      : await buildDashboard();
    const cloud = await startDashboardCloud({ webRoot, databaseUrl: db.url });
    const chromium = await launchChromium();
    closeAll = async () => {
      await chromium.close();
      await cloud.close();
      await db.drop();
    };
    const page = await (
      await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } })
    ).newPage();
    await page.goto(`${cloud.baseUrl}/`);
    await page.locator('input[name=username]').fill('quinn');
    await page.locator('input[name=password]').fill('quinn');
    await page.locator('button[type=submit]').click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 30_000 });

    const token = await cloud.token('quinn');
    const apiTime = async (path: string) => {
      const s = performance.now();
      const res = await fetch(`${cloud.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return performance.now() - s;
    };
    const charts =
      "return ['status-over-time','agreement-by-label','tasks-by-status'].every((id) => globalThis.__annexCharts?.get(id))";
    const r = {
      overviewLcp: [] as number[],
      chartsDrawn: [] as number[],
      queueLcp: [] as number[],
      docsLcp: [] as number[],
    };
    const i = { filter: [] as number[], next: [] as number[], openTask: [] as number[] };
    const api = {
      filter: [] as number[],
      next: [] as number[],
      task: [] as number[],
      overview: [] as number[],
    };
    const project = `/api/qc/projects/${seeded.siteId}/${seeded.projectId}`;
    const lowTotal = (
      (await (
        await fetch(
          `${cloud.baseUrl}/api/qc/tasks?projectId=${seeded.projectId}&flag=low_agreement&limit=1`,
          {
            headers: { authorization: `Bearer ${token}` },
          },
        )
      ).json()) as { total: number }
    ).total;

    for (let run = 0; run < RUNS; run++) {
      guard();
      // Overview, loaded as a returning user (tokens resumed from the tab's session storage).
      await page.goto(`${cloud.baseUrl}/#/overview/${seeded.siteId}/${seeded.projectId}`);
      await page.reload();
      r.overviewLcp.push(
        await lcp(page, () =>
          page.waitForFunction(new Function(charts) as () => boolean, null, { timeout: 30_000 }),
        ),
      );
      r.chartsDrawn.push(
        await page.evaluate(() =>
          Math.max(
            ...['status-over-time', 'agreement-by-label', 'tasks-by-status'].map(
              (id) => performance.getEntriesByName(`annex-chart:${id}`)[0]?.startTime ?? Number.NaN,
            ),
          ),
        ),
      );
      api.overview.push(await apiTime(`${project}/overview`));

      // The queue, loaded directly.
      await page.goto(`${cloud.baseUrl}/#/queue?projectId=${seeded.projectId}`);
      await page.reload();
      r.queueLcp.push(
        await lcp(page, () =>
          page.locator('table[aria-label=Tasks] tbody tr').first().waitFor({ timeout: 30_000 }),
        ),
      );

      // Interactions on the loaded queue; each is done when the new answer is in the page.
      i.filter.push(
        await interaction(
          page,
          'form.filters button[type=button]:last-of-type',
          `return document.querySelector('[data-total]')?.getAttribute('data-total') === '${lowTotal}' && !document.querySelector('[aria-live=polite]')?.textContent?.includes('updating')`,
        ),
      );
      api.filter.push(
        await apiTime(`/api/qc/tasks?projectId=${seeded.projectId}&flag=low_agreement&limit=50`),
      );
      const firstBefore = await page
        .locator('table[aria-label=Tasks] tbody tr')
        .first()
        .getAttribute('data-task');
      i.next.push(
        await interaction(
          page,
          'nav.pager button:last-of-type',
          `return document.querySelector('table[aria-label=Tasks] tbody tr')?.getAttribute('data-task') !== ${JSON.stringify(firstBefore)}`,
        ),
      );
      api.next.push(
        await apiTime(`/api/qc/tasks?projectId=${seeded.projectId}&flag=low_agreement&limit=50&offset=50`),
      );
      i.openTask.push(
        await interaction(
          page,
          'table[aria-label=Tasks] tbody tr th a',
          "return !!document.querySelector('table[aria-label=Annotators] tbody tr[data-annotator]')",
        ),
      );
      const taskId = page.url().split('/').at(-1);
      api.task.push(await apiTime(`/api/qc/tasks/${seeded.siteId}/${taskId}`));

      // Peer: the cloud's Swagger UI page in the same browser.
      await page.goto(`${cloud.baseUrl}/docs`);
      r.docsLcp.push(
        await lcp(page, () => page.locator('.swagger-ui .info').first().waitFor({ timeout: 30_000 })),
      );
    }

    const line = (name: string, xs: number[], peerName: string, peer: number[], budget: number) =>
      console.log(
        `${name.padEnd(34)} p75 ${ms(p(xs, 0.75)).padStart(8)}  (p50 ${ms(p(xs, 0.5))}, budget ${budget} ms)  vs ${peerName} p75 ${ms(p(peer, 0.75))}: ×${(p(xs, 0.75) / p(peer, 0.75)).toFixed(2)}`,
      );
    console.log(
      `\n${RUNS} runs on ${TASKS} tasks / 50 annotators, Chromium headless, load ${(await import('node:os')).loadavg()[0]?.toFixed(1)}`,
    );
    line('overview LCP', r.overviewLcp, 'Swagger UI /docs LCP', r.docsLcp, 2500);
    line('overview charts drawn (load→3 charts)', r.chartsDrawn, 'Swagger UI /docs LCP', r.docsLcp, 2500);
    line('queue LCP', r.queueLcp, 'Swagger UI /docs LCP', r.docsLcp, 2500);
    line('filter "low agreement" → rows', i.filter, 'bare API round trip', api.filter, 200);
    line('next page → rows', i.next, 'bare API round trip', api.next, 200);
    line('open task → task page drawn', i.openTask, 'bare API round trip', api.task, 200);
    console.log(`overview API p75 ${ms(p(api.overview, 0.75))}`);
  } finally {
    await closeAll();
  }
}

await main();
