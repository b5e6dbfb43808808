import type { Page } from 'playwright-core';

/**
 * Waits until a browser-side expression is true. playwright's waitForFunction compiles its predicate inside the
 * page when it has to poll, which the pages' Content-Security-Policy (no 'unsafe-eval') refuses; page.evaluate
 * goes through the DevTools protocol, which the policy does not govern, so the polling happens here instead.
 */
export async function waitForPage(page: Page, expression: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > end) throw new Error(`timed out waiting in the page for: ${expression}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
