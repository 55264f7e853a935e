import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openOfflinePage, skipBrowserTests } from './support/browser.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { waitFor } from './support/waitFor.ts';

/** The editor's or result pane's text with Monaco's non-breaking spaces and line breaks as single spaces. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe.skipIf(skipBrowserTests)('GraphiQL in Chromium, offline', () => {
  let server: TestServer;
  let browser: Browser | undefined;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  // Generous: the page is 9 MB, and its first request renders and compresses it on a busy machine.
  it('opens with the example, runs SubmitJob and shows the result, loading nothing from off the machine', { timeout: 120_000 }, async () => {
    // Launched in the test, not in beforeAll: where CI requires chromium and it is missing, this
    // test then fails (and is counted) instead of being reported skipped.
    browser = await launchChromium();
    const { page, offMachineRequests, consoleErrors } = await openOfflinePage(browser);
    await page.goto(server.url, { timeout: 90_000 });
    // By the load event the page's own scripts, styles and icon were requested: yoga's default page
    // fails here, naming what it wanted from unpkg.com (checked again at the end, for later requests).
    expect(offMachineRequests).toEqual([]);

    const editor = page.locator('.graphiql-query-editor');
    await editor.getByText('mutation SubmitJob').waitFor({ timeout: 60_000 });
    expect(flat(await editor.innerText())).toContain('query ListTasks($jobId: ID)');

    // Two operations in the document: the run button asks which one.
    await page.getByRole('button', { name: /^Execute query/ }).click();
    await page.getByRole('menuitem', { name: 'SubmitJob' }).click();
    const response = page.locator('.graphiql-response');
    const result = await waitFor(async () => flat(await response.innerText()), (text) => text.includes('"applied": true'), 30_000);
    expect(result).toContain('"applied": true');

    // It ran on this server: the job it shows is there.
    const jobId = /"id": "([^"]+)"/.exec(result)?.[1];
    expect(jobId).toBeDefined();
    const { job } = await server.gql<{ job: { name: string; taskCounts: { total: number } } | null }, { id: string }>(
      'query ($id: ID!) { job(id: $id) { name taskCounts { total } } }',
      { id: jobId! },
    );
    expect(job).toEqual({ name: 'render-frames', taskCounts: { total: 3 } });

    expect(offMachineRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
