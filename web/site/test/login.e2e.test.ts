import { makeCtSeries, type SyntheticSeries } from '@annex/dicom';
import { freePort } from '@annex/platform/testing/free-port.ts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, startAppServer } from './app-server.ts';
import { buildApp } from './build-app.ts';
import { launchChromium } from './chromium.ts';
import { type RunningIssuer, startIssuer } from './oidc-issuer.ts';
import { type RunningOrthanc, startOrthanc } from './orthanc.ts';
import type { PageGlobals } from './page-globals.ts';

const SLICES = 8;
const ACCESS_TOKEN_TTL_S = 8;

let orthanc: RunningOrthanc | undefined;
let app: AppServer | undefined;
let issuer: RunningIssuer | undefined;
let chromium: { browser: Browser; close: () => Promise<void> } | undefined;
let context: BrowserContext;
let page: Page;
let ct: SyntheticSeries;

/** Goes through oidc-provider's dev login and consent pages, whichever it shows. */
async function signIn(p: Page, user: string): Promise<void> {
  for (let step = 0; step < 3; step++) {
    await p.waitForLoadState('domcontentloaded');
    const url = new URL(p.url());
    if (!url.pathname.startsWith('/interaction/')) return;
    const login = p.locator('input[name=login]');
    if (await login.count()) {
      await login.fill(user);
      await p.locator('input[name=password]').fill('any');
    }
    await Promise.all([p.waitForNavigation(), p.locator('button[type=submit]').first().click()]);
  }
}

beforeAll(async () => {
  const distDir = await buildApp();
  ct = makeCtSeries({ slices: SLICES, rows: 128, cols: 128, pixelSpacing: 2.8, seed: 'login-e2e' });
  orthanc = await startOrthanc({ httpPort: await freePort(), dicomPort: await freePort() });
  await orthanc.store(ct.files);
  // The app's config names the issuer, and the issuer needs the app's redirect URI: fill in after start.
  const config: { dicomwebUrl: string; auth: unknown } = { dicomwebUrl: '/dicomweb', auth: { kind: 'none' } };
  app = await startAppServer({
    distDir,
    dicomwebUpstream: orthanc.dicomweb,
    token: (t) => issuer?.isValid(t) ?? Promise.resolve(false),
    config,
  });
  issuer = await startIssuer({ redirectUri: `${app.url}/`, accessTokenTtl: ACCESS_TOKEN_TTL_S });
  config.auth = { kind: 'oidc', issuer: issuer.issuer, clientId: 'annex-viewer' };
  chromium = await launchChromium();
  context = await chromium.browser.newContext({ viewport: { width: 900, height: 600 } });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

afterAll(async () => {
  await chromium?.close();
  await app?.close();
  await issuer?.close();
  await orthanc?.stop();
});

describe('login with OIDC authorization code + PKCE', () => {
  it('sends an anonymous visitor to the issuer and comes back signed in, with the token on DICOMweb', async () => {
    await page.goto(`${app!.url}/#/`);
    await page.waitForURL((u) => u.pathname.startsWith('/interaction/'), { timeout: 15_000 });
    await signIn(page, 'annotator1');
    await page.waitForURL((u) => u.origin === app!.url, { timeout: 15_000 });
    await expect.poll(() => page.locator('main').textContent(), { timeout: 15_000 }).toContain('Studies');
    await expect.poll(() => page.getByRole('button').count()).toBeGreaterThan(0);
    expect(issuer!.grants.authorization_code).toBe(1);
    expect(app!.seen.authorized).toBeGreaterThanOrEqual(1);
    expect(app!.seen.refused).toBe(0);
    // The code and state are removed from the address bar.
    expect(page.url()).not.toContain('code=');
  });

  it('refreshes the token before it expires, so requests long after the first token died still pass', async () => {
    await page.waitForTimeout((ACCESS_TOKEN_TTL_S + 2) * 1000);
    expect(issuer!.grants.refresh_token).toBeGreaterThanOrEqual(1);
    await page.goto(`${app!.url}/#/view/${ct.study.studyInstanceUid}/${ct.seriesInstanceUid}`);
    await page.waitForFunction(
      (n) => (globalThis as unknown as PageGlobals).__annexViewer?.state().loaded === n,
      SLICES,
      { timeout: 30_000 },
    );
    expect(app!.seen.refused).toBe(0);
  });

  it('asks to log in again in a popup when the session ends, without reloading the page', async () => {
    await page.evaluate(() => {
      (globalThis as unknown as { __marker: number }).__marker = 42;
    });
    // End the SSO session: revoke the refresh token the app holds.
    const stored = await page.evaluate(() => sessionStorage.getItem('annex.tokens'));
    await issuer!.revoke((JSON.parse(stored ?? '{}') as { refreshToken: string }).refreshToken);
    const banner = page.getByRole('alert').filter({ hasText: 'session has expired' });
    await expect.poll(() => banner.count(), { timeout: ACCESS_TOKEN_TTL_S * 2000 }).toBe(1);
    const [popup] = await Promise.all([context.waitForEvent('page'), banner.getByRole('button').click()]);
    await signIn(popup, 'annotator1');
    await expect.poll(() => banner.count(), { timeout: 15_000 }).toBe(0);
    expect(issuer!.grants.authorization_code).toBe(2);
    expect(await page.evaluate(() => (globalThis as unknown as { __marker?: number }).__marker)).toBe(42);
  });
});
