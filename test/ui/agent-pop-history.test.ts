import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf } from '../../src/auth/permissions.ts';
import { launchChromium } from './browser.ts';
import { UiServer } from './ui-server.ts';

const CALLER = '13712340000';
const waitPrompt = (media: string) => ({ kind: 'awaitPrompt' as const, media });

/**
 * Issue 12: the screen-pop goes out with the history read when the call arrived; an order made since then reaches
 * the desk page as `pop-history`, and the page shows it in the pop and in the untouched order form.
 */
describe('agent desk: the history that follows the pop', () => {
  let ui: UiServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    ui = await UiServer.start();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
  }, 30_000);

  it('given a caller whose first order is taken on another channel while they wait, when the call is offered, then the desk shows that order in the history, the draft and the merge suggestion', {
    timeout: 120_000,
  }, async () => {
    const who = await ui.user('li.na', 'agent');
    ui.sim.control.setPhone('1001', { answerAfterMs: 2000 });
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${ui.url}/ui/agent`);
    await page.fill('#login-username', who.username);
    await page.fill('#login-password', who.password);
    await page.click('#login-submit');
    await page.waitForSelector('#extension');

    // Given a first-time caller waiting in the queue, their history already read (none)
    const placed = ui.sim.control.placeCall({
      from: CALLER,
      to: '12345',
      script: [
        waitPrompt('sound:hotline/desk-choice'),
        { kind: 'dtmf', digits: '1' },
        waitPrompt('sound:hotline/emergency-advice'),
        { kind: 'dtmf', digits: '0' },
      ],
    });
    const live = () => [...ui.server.callLayer.controller.liveCalls().values()].find((c) => c.callerNumber === CALLER);
    await ui.until(
      'the caller waits, their history read',
      async () => live()?.record?.queuedAt !== undefined && live()?.history !== undefined,
      {
        maxMs: 30_000,
      },
    );
    expect(live()!.history).toEqual([]);
    // and an order taken for them on the website meanwhile
    const taker = { id: '9', role: 'agent' as const, unitId: null, permissions: permissionsOf('agent') };
    const made = await ui.server.workOrders.orders.intake(
      {
        channel: 'website',
        type: 'complaint',
        requesterPhone: CALLER,
        content: '楼下餐馆油烟扰民\n每天中午和晚上',
        category: 'environment.noise',
      },
      taker,
    );
    const id = String(made.order.id);
    await page.fill('#extension', '1001');
    await page.click('#sign-in-skills');

    // When the call is offered to the agent
    await ui.until('the screen-pop', async () => (await page.locator('#caller-number').count()) > 0, {
      maxMs: 30_000,
    });

    // Then the history read beside the pop reaches the page
    await ui.until(
      'the history on the page',
      async () => (await page.locator('#history .history-summary').count()) > 0,
      {
        stepMs: 20,
        maxMs: 30_000,
      },
    );
    expect(await page.locator('#history .history-summary').first().textContent()).toBe('楼下餐馆油烟扰民');
    expect(await page.locator('#history .history-category').first().textContent()).toBe('噪声扰民');
    expect(await page.inputValue('#draft-repeat-of')).toBe(id);
    expect(await page.inputValue('#of-merge-target')).toBe(id);
    expect(await page.textContent('#repeat')).toContain('是');
    await ui.until('answered', async () => (await page.getAttribute('#call-state', 'data-state')) === 'answered', {
      maxMs: 30_000,
    });
    expect(errors).toEqual([]);

    ui.sim.control.hangupCall(placed.callerChannelId);
    await ui.until('the call over', async () => ui.server.callLayer.controller.liveCalls().size === 0, {
      stepMs: 20,
      maxMs: 10_000,
    });
    await ctx.close();
    // (the bridge goes after its last channel: under load a moment later)
    await ui.until('the PBX drained', async () => ui.sim.leaks().ok, { stepMs: 20, maxMs: 5000 });
    expect(ui.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  });
});
