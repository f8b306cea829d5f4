import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createTestStores, startTestApp, type TestApp, type TestStores } from './app.js';

/** Debian's Chromium (`apt-get install chromium`); no browser is downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium. `hostRules` maps made-up host names to this machine, so that a page can
 * be opened from a host that is not localhost (browsers treat localhost as secure).
 */
export async function launchChromium(hostRules: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      // Root in a container: Chromium's sandbox needs user namespaces it does not get.
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(hostRules.length ? [`--host-resolver-rules=${hostRules.join(',')}`] : []),
    ],
  });
}

export interface BrowserFixture {
  stores: TestStores;
  app: TestApp;
  browser: Browser;
  /** The app's address under a host name that is not localhost, over plain HTTP. */
  base: string;
}

/**
 * A test app and Chromium for the file's tests, set up before them and closed after; the
 * app is reached as `api.subforge.test`. Read the fields inside tests, not at collection.
 */
export function appInBrowser(): BrowserFixture {
  const fixture = {} as BrowserFixture;
  beforeAll(async () => {
    fixture.stores = await createTestStores();
    fixture.app = await startTestApp(fixture.stores);
    fixture.browser = await launchChromium(['MAP api.subforge.test 127.0.0.1']);
    fixture.base = `http://api.subforge.test:${new URL(fixture.app.url).port}`;
  });
  afterAll(async () => {
    await fixture.browser?.close();
    await fixture.app?.close();
    await fixture.stores?.drop();
  });
  return fixture;
}

/** Console errors, uncaught page errors and failed requests of a page, as they happen. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
  return problems;
}
