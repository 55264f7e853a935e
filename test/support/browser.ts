import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`): the browser tests never download one. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const hasChromium = existsSync(CHROMIUM_PATH);

/** In CI (`.ci/run` sets TASKLANE_REQUIRE_BROWSER=1) a missing chromium fails the browser tests. */
const browserRequired = process.env.TASKLANE_REQUIRE_BROWSER === '1' || process.env.CI === 'true';

/**
 * For `describe.skipIf(skipBrowserTests)`: skip only where chromium is missing and not required.
 * Where it is required and missing, the tests run and fail in `launchChromium`, which says why; call
 * it in a test, not in beforeAll (vitest reports the tests of a failed beforeAll as skipped).
 */
export const skipBrowserTests = !hasChromium && !browserRequired;

/** The message the suite prints once when it skips the browser tests (test/support/globalSetup.ts). */
export const BROWSER_SKIP_NOTICE = `browser tests skipped: ${CHROMIUM_PATH} not found (apt-get install chromium)`;

export async function launchChromium(): Promise<Browser> {
  if (!hasChromium) {
    throw new Error(`${CHROMIUM_PATH} not found, and CI requires the browser tests to run (apt-get install chromium)`);
  }
  // Imported here: the suite's global setup reads `skipBrowserTests` without loading playwright.
  const { chromium } = await import('playwright-core');
  // playwright gives the browser a new, empty profile directory of its own and deletes it on close.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A URL the browser may load without leaving this machine. */
export function isLocalUrl(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

export interface OfflinePage {
  context: BrowserContext;
  page: Page;
  /** Every request that would have left the machine (each refused): the test asserts it stays empty. */
  offMachineRequests: string[];
  /** Console errors and uncaught page errors, in order. */
  consoleErrors: string[];
}

/**
 * A page in a fresh context that behaves as on a machine without internet: every request goes through
 * a route, anything not local is aborted and recorded. The `request` event is recorded too, so a
 * request that did not pass the route (a worker's, say) is not missed.
 */
export async function openOfflinePage(browser: Browser): Promise<OfflinePage> {
  const context = await browser.newContext();
  const offMachineRequests: string[] = [];
  const consoleErrors: string[] = [];
  const note = (url: string) => {
    if (!isLocalUrl(url) && !offMachineRequests.includes(url)) offMachineRequests.push(url);
  };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocalUrl(url)) return route.continue();
    note(url);
    return route.abort('internetdisconnected');
  });
  context.on('request', (request) => note(request.url()));
  context.on('weberror', (error) => consoleErrors.push(`page error: ${error.error().message}`));
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`console: ${message.text()}`);
  });
  return { context, page, offMachineRequests, consoleErrors };
}
