import { type Browser, chromium } from 'playwright-core';

// Debian's Chromium driven by playwright-core (never `playwright install`), flags from PLATFORM.md.
// Playwright gives every launch a fresh temporary profile and deletes it on close.
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: async () => {
      // Bounded: a hung browser must not hang the suite.
      await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
    },
  };
}
