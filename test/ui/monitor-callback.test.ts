import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { launchChromium } from './browser.ts';
import { UiServer } from './ui-server.ts';

/**
 * Issue 10 in headless Chromium: listen starts and stops from the wallboard (public/ui/supervisor-monitor.js),
 * and a callback is taken, dialled and given an outcome from the desk (public/ui/agent-callbacks.js).
 */

const CALLER = '13812341234';
const CITIZEN = '13912345678';
const waitPrompt = (media: string) => ({ kind: 'awaitPrompt' as const, media });

async function signIn(page: Page, url: string, who: { username: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.fill('#login-username', who.username);
  await page.fill('#login-password', who.password);
  await page.click('#login-submit');
}

async function deskSignedIn(page: Page, ui: UiServer, who: { username: string; password: string }, ext: string) {
  await signIn(page, `${ui.url}/ui/agent`, who);
  await page.waitForSelector('#skills-form');
  await page.fill('#extension', ext);
  await page.click('#sign-in-skills');
  await page.waitForSelector('#agent-status[data-status="ready"]');
}

describe('supervisor monitor and desk callbacks in headless Chromium', () => {
  let ui: UiServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    // The test runs whatever the time of day: quiet hours are tested on the fake clock in test/calls.
    ui = await UiServer.start({ CALLBACK_QUIET_HOURS: 'off' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
  }, 30_000);

  it('listen starts from the agent row of the wallboard and stops from the monitor panel', {
    timeout: 120_000,
  }, async () => {
    const agentUser = await ui.user('li.na', 'agent');
    const lead = await ui.user('banzhang.li', 'supervisor');
    ui.sim.control.setPhone('1002', { answerAfterMs: 500 });
    ui.sim.control.setPhone('2001', { answerAfterMs: 500 });
    const agent = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const sup = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await deskSignedIn(agent, ui, agentUser, '1002');

    // Given a caller talking with li.na
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
    await ui.until(
      'li.na on the call',
      async () => (await agent.locator('#agent-status[data-status="on-call"]').count()) === 1,
      {
        maxMs: 60_000,
      },
    );
    await ui.until('caller and agent bridged', async () =>
      ui.sim.engine.hears(placed.callerChannelId).includes('1002'),
    );

    // When the supervisor gives their extension and presses 监听 on li.na's row of the wallboard
    await signIn(sup, `${ui.url}/ui/supervisor`, lead);
    await sup.waitForSelector('#monitor-panel');
    await sup.fill('#monitor-extension', '2001');
    const rowButton = sup.locator('.monitor-start[data-agent-id="li.na"]');
    await ui.until('li.na on the wallboard', async () => (await rowButton.count()) === 1);
    await rowButton.click();

    // Then the supervisor's phone rings, and once answered they hear the caller and the agent, unheard
    await ui.until(
      'listening',
      async () => (await sup.locator('#monitor-state[data-state="active"][data-mode="listen"]').count()) === 1,
    );
    await ui.until('supervisor hears the call', async () => ui.sim.engine.hears('2001').length === 2);
    expect(ui.sim.engine.hears('2001')).toEqual(['1002', placed.callerChannelId].sort());
    expect(ui.sim.engine.hears(placed.callerChannelId)).toEqual(['1002']);
    expect(ui.sim.engine.hears('1002')).toEqual([placed.callerChannelId]);
    expect(await sup.locator('#monitor-state').textContent()).toContain('监听中：坐席 li.na');

    // When they press 结束监听
    await sup.click('#monitor-stop');
    await ui.until('monitor ended', async () => (await sup.locator('#monitor-state[data-state="idle"]').count()) === 1);
    await ui.until('supervisor off the line', async () => ui.sim.engine.hears('2001').length === 0);
    expect(await sup.locator('#monitor-state').textContent()).toContain('监听已结束');

    ui.sim.control.hangupCall(placed.callerChannelId);
    await ui.until('call over', async () => ui.sim.control.state().channels.length === 0);
    await agent.close();
    await sup.close();
  });

  it('a callback is taken, dialled and given an outcome from the desk', { timeout: 120_000 }, async () => {
    const agentUser = await ui.user('wang.fang', 'agent');
    ui.sim.control.setPhone('1003', { answerAfterMs: 500 });
    ui.sim.control.setExternal(CITIZEN, { answerAfterMs: 1000, hangupAfterMs: 6000 });
    // Given a missed call on the callback list
    const calls = new CallsRepo(ui.server.store.db);
    const at = ui.server.clock.now() - 600_000;
    calls.insertCall({
      id: 'missed-ui-1',
      callerChannelId: 'ch-missed',
      callerNumber: CITIZEN,
      status: 'ended',
      phase: 'ended',
      arrivedAt: at,
      endedAt: at + 30_000,
      outcome: 'abandoned_queue',
    });
    const cb = calls.addCallback({
      callId: 'missed-ui-1',
      number: CITIZEN,
      reason: 'abandoned_queue',
      createdAt: at + 30_000,
      waitedMs: 30_000,
    });
    const desk = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await deskSignedIn(desk, ui, agentUser, '1003');

    // The list shows it masked, with no try yet
    const row = desk.locator(`#callback-list tr[data-callback-id="${cb.id}"]`);
    await desk.waitForSelector(`#callback-list tr[data-callback-id="${cb.id}"]`);
    expect(await row.textContent()).toContain('139****5678');

    // When the agent presses 回拨
    await row.locator('.callback-dial').click();
    // Then their phone rings, the citizen is dialled and answers, and the call is recorded
    await ui.until(
      'in the call',
      async () => (await desk.locator('#callback-active[data-state="in-call"]').count()) === 1,
    );
    await ui.until('citizen answered and bridged with the desk', async () =>
      ui.sim.engine.hears('1003').includes(CITIZEN),
    );
    expect(ui.sim.engine.hears('1003')).toEqual([CITIZEN]);
    // The outcome can only be chosen once the call is over, and nothing is preselected
    expect(await desk.locator('#callback-outcome').count()).toBe(0);
    await ui.until(
      'call ended',
      async () => (await desk.locator('#callback-active[data-state="ended"]').count()) === 1,
      {
        maxMs: 30_000,
      },
    );
    expect(await desk.locator('#callback-outcome').inputValue()).toBe('');
    expect(await desk.locator('#callback-outcome-submit').isDisabled()).toBe(true);
    expect(calls.getCallback(cb.id)).toMatchObject({ status: 'pending', outcome: null, diallingBy: 'wang.fang' });

    // When the agent chooses 已接通
    await desk.selectOption('#callback-outcome', 'reached');
    await desk.click('#callback-outcome-submit');
    await ui.until('callback closed', async () => calls.getCallback(cb.id)?.status === 'done');
    expect(calls.getCallback(cb.id)).toMatchObject({
      outcome: 'reached',
      tries: 1,
      handledBy: 'wang.fang',
      diallingBy: null,
    });
    await desk.waitForSelector(`#callback-list tr[data-callback-id="${cb.id}"]`, { state: 'detached' });
    const callId = calls.getCallback(cb.id)!.lastCallId!;
    expect(new RecordingsRepo(ui.server.store.db).byCall(callId)).toHaveLength(1);
    await desk.close();
  });
});
