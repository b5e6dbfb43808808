import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { waitForPage } from './page-wait.ts';
import { UiServer } from './ui-server.ts';

const STATUS = "document.querySelector('#agent-status')?.dataset.status";
const MESSAGE = "document.querySelector('#agent-message')?.textContent ?? ''";

/** The desk page signs in again by itself when it reconnects to a server that forgot its sign-in (issue 12). */
describe('agent desk: signing in again after a reconnection', () => {
  let ui: UiServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    ui = await UiServer.start();
    await ui.user('agent-1', 'agent');
    await ui.user('agent-2', 'agent');
  }, 60_000);

  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await ui?.close();
  }, 30_000);

  /** What a server restart without the stored sign-ins does: every desk's socket closed, the sign-in gone. */
  async function serverForgets(agentId: string): Promise<void> {
    for (const s of await ui.server.sockets.io.of('/agent').fetchSockets()) s.disconnect(true);
    expect(ui.server.callLayer.controller.signOut(agentId)).toBeUndefined();
  }

  const agentState = (id: string) => ui.server.callLayer.controller.agents().find((a) => a.agentId === id);

  it('signs in again once with its extension and skills and says so; a refusal shows its Chinese message and is not retried', async () => {
    // Given agent-1 signed in on extension 1001 from the desk page
    page = await browser.newPage();
    await page.goto(`${ui.url}/ui/agent`);
    await page.fill('#login-username', 'agent-1');
    await page.fill('#login-password', 'user-password-1');
    await page.click('#login-submit');
    await page.waitForSelector('#extension');
    await page.fill('#extension', '1001');
    await page.click('#sign-in-skills');
    await waitForPage(page, `${STATUS} === 'ready'`);
    const signIns: string[] = [];
    const controller = ui.server.callLayer.controller;
    const signIn = controller.signIn.bind(controller);
    controller.signIn = (agentId, opts) => {
      signIns.push(`${agentId} ${opts.extension} ${opts.skills.join(',')}`);
      return signIn(agentId, opts);
    };

    // When the server closes the desk's socket and forgets the sign-in
    await serverForgets('agent-1');
    // Then the page reconnects, signs in again on 1001 with its skill, and tells the agent
    await waitForPage(page, `${STATUS} === 'ready' && (${MESSAGE}).includes('自动重新签入')`);
    expect(await page.evaluate(MESSAGE)).toBe('连接恢复后已按原分机 1001 自动重新签入');
    expect(signIns).toEqual(['agent-1 1001 mandarin']);
    expect(agentState('agent-1')).toMatchObject({ status: 'ready', skills: ['mandarin'] });
    expect(agentState('agent-1')?.endpoint).toContain('1001');

    // When it happens again, but meanwhile agent-2 has signed in on extension 1001
    await serverForgets('agent-1');
    expect(controller.signIn('agent-2', { extension: '1001', skills: ['mandarin'] })).toBeUndefined();
    // Then the page's one attempt is refused, with the Chinese message, and the desk shows signed out
    await waitForPage(page, `(${MESSAGE}).includes('自动重新签入')  && (${MESSAGE}).startsWith('操作失败')`);
    expect(await page.evaluate(MESSAGE)).toContain('操作失败（自动重新签入）：该分机已被其他坐席签入');
    expect(await page.evaluate(STATUS)).toBe('signed-out');
    await new Promise((r) => setTimeout(r, 1500));
    expect(signIns.filter((s) => s.startsWith('agent-1'))).toEqual(['agent-1 1001 mandarin', 'agent-1 1001 mandarin']);
    expect(agentState('agent-1')?.status).toBe('signed-out');
    expect(await page.locator('#extension').count()).toBe(1);
  }, 120_000);
});
