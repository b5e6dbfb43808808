import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { launchChromium } from './browser.ts';
import { UiServer } from './ui-server.ts';

const CALLER = '13812341234';
const MASKED = '138****1234';
const waitPrompt = (media: string) => ({ kind: 'awaitPrompt' as const, media });
const SHOTS = process.env.UI_SCREENSHOT_DIR ?? '/tmp';

async function signIn(page: Page, url: string, who: { username: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.fill('#login-username', who.username);
  await page.fill('#login-password', who.password);
  await page.click('#login-submit');
}

const text = async (page: Page, sel: string): Promise<string> =>
  (await page.locator(sel).count()) > 0 ? ((await page.locator(sel).first().textContent()) ?? '') : '';

describe('agent desktop and supervisor wallboard in headless Chromium', () => {
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

  it('screen-pop with the masked number and IVR choices, answered state, reload, live figures and an alert', {
    timeout: 120_000,
  }, async () => {
    const agentUser = await ui.user('zhang.wei', 'agent');
    const lead = await ui.user('banzhang', 'supervisor');
    ui.sim.control.setPhone('1001', { answerAfterMs: 3000 });

    // An open work order from this caller, taken on an earlier call, so the pop shows the caller's history.
    const earlier = ui.server.clock.now() - 86_400_000;
    new CallsRepo(ui.server.store.db).insertCall({
      id: 'earlier-call-1',
      callerChannelId: 'ch-earlier',
      callerNumber: CALLER,
      status: 'ended',
      phase: 'ended',
      arrivedAt: earlier,
      endedAt: earlier + 60_000,
    });
    const login = await ui.server.app.inject({ method: 'POST', url: '/auth/login', payload: agentUser });
    const token = (login.json() as { token: string }).token;
    const order = await ui.server.app.inject({
      method: 'POST',
      url: '/work-orders',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        channel: 'phone',
        callId: 'earlier-call-1',
        type: 'complaint',
        requesterPhone: CALLER,
        content: '小区门口夜间施工噪音扰民',
        category: 'environment.noise',
      },
    });
    expect(order.statusCode, order.body).toBe(201);
    const orderId = String((order.json() as { order: { id: number } }).order.id);

    const errors: string[] = [];
    const agentCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const supCtx = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'zh-CN' });
    const agent = await agentCtx.newPage();
    const sup = await supCtx.newPage();
    for (const p of [agent, sup]) p.on('pageerror', (e) => errors.push(e.message));
    // socket.io must reach the server over a WebSocket under the pages' CSP (connect-src 'self'), not
    // fall back to polling because the policy blocked it.
    const webSockets: string[] = [];
    const cspViolations: string[] = [];
    for (const p of [agent, sup]) {
      p.on('websocket', (ws) => webSockets.push(new URL(ws.url()).pathname));
      p.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      });
    }

    // Agent: sign in to the page, then to the Mandarin desk at extension 1001; then pause, so the call waits.
    await signIn(agent, `${ui.url}/ui/agent`, agentUser);
    await agent.waitForSelector('#skills-form');
    expect(await agent.evaluate('sessionStorage.getItem("hotline.token")')).toMatch(/^v1\./);
    await agent.fill('#extension', '1001');
    await agent.click('#sign-in-skills');
    await agent.waitForSelector('#agent-status[data-status="ready"]');
    await agent.selectOption('#pause-reason', 'BREAK');
    await agent.click('#pause');
    await agent.waitForSelector('#agent-status[data-status="paused"]');
    expect(await text(agent, '#agent-status')).toContain('小休');

    // Supervisor: the wallboard shows the figures pushed on connection.
    await signIn(sup, `${ui.url}/ui/supervisor`, lead);
    await sup.waitForSelector('#waiting-total');
    expect(await text(sup, '#waiting-total')).toBe('0');
    expect(await text(sup, '#formulas')).toContain('20 秒内接通数 ÷ 呼入数');
    expect(await text(sup, '#formulas')).toContain('20 秒内接通数 ÷ 接通数');

    // A caller presses 1 (Mandarin), then 0 (a person) in the emergency-advice menu.
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
    await ui.until('the wallboard shows one call in the voice menu', async () => (await text(sup, '#in-ivr')) === '1', {
      maxMs: 30_000,
    });
    await ui.until('the wallboard shows one waiting call', async () => (await text(sup, '#waiting-total')) === '1');
    expect(await text(sup, '#waiting-mandarin')).toBe('1');
    expect(await text(sup, '#in-ivr')).toBe('0');
    expect(await text(sup, '#agent-list tr[data-agent="zhang.wei"]')).toContain('暂停 · 小休');
    expect(await text(sup, '#agents-by-state [data-status="paused"] b')).toBe('1');

    // Nobody is ready: 15 s after the IVR exit the pre-warning reaches the wallboard as it happens.
    await ui.until(
      'the pre-warning alert on the wallboard',
      async () => (await sup.locator('#alerts li[data-kind="answer-prewarning"]').count()) === 1,
      { maxMs: 20_000 },
    );
    expect(await text(sup, '#alerts li[data-kind="answer-prewarning"]')).toContain('接通预警');
    expect(await sup.locator('#alerts li[data-kind="answer-breach"]').count()).toBe(0);
    expect(Number.parseFloat(await text(sup, '#longest-wait'))).toBeGreaterThanOrEqual(15);
    expect(Number.parseFloat(await text(sup, '#longest-mandarin'))).toBeGreaterThanOrEqual(15);

    // The agent becomes ready: the phone rings and the screen-pop shows while it rings.
    await agent.click('#ready');
    await ui.until('the screen-pop', async () => (await agent.locator('#caller-number').count()) > 0, {
      stepMs: 10,
      maxMs: 4000,
    });
    expect(await agent.getAttribute('#call-state', 'data-state')).toBe('ringing');
    expect(await text(agent, '#caller-number')).toBe(MASKED);
    expect(await agent.content()).not.toContain(CALLER);
    const choices = await agent.locator('#ivr-choices li').allTextContents();
    expect(choices).toEqual(['服务台选择：按 1 · 普通话', '紧急情况提示：按 0 · 人工服务']);
    expect(await text(agent, '#call-skill')).toBe('普通话');
    expect(await text(agent, '#waited')).toMatch(/^1[5-9]\.\d 秒/);
    const history = agent.locator('#history tbody tr');
    expect(await history.count()).toBe(1);
    expect(await history.first().getAttribute('data-open')).toBe('true');
    expect(await history.first().getAttribute('data-number')).toBe(orderId);
    expect(await text(agent, '#history tbody tr')).toContain('未办结 · 已登记');
    expect(await agent.inputValue('#draft-requester-phone')).toBe(MASKED);
    expect(await agent.inputValue('#draft-repeat-of')).toBe(orderId);
    expect(await agent.inputValue('#draft-ivr')).toBe('普通话、人工服务');
    const callId = await text(agent, '#call-id');
    expect(await agent.inputValue('#draft-call-id')).toBe(callId);

    // The phone answers after 3 s (about 18 s after the IVR exit, within the 20 s target): the desktop shows the call as answered, the wallboard's queue empties.
    await ui.until(
      'answered on the desktop',
      async () => (await agent.getAttribute('#call-state', 'data-state')) === 'answered',
    );
    expect(await agent.getAttribute('#agent-status', 'data-status')).toBe('on-call');
    await ui.until('the waiting count back to 0', async () => (await text(sup, '#waiting-total')) === '0');
    expect(await text(sup, '#today-answered')).toBe('1');
    expect(await sup.locator('#agents-by-state [data-status="on-call"] b').textContent()).toBe('1');
    expect(await text(sup, '#agent-list tr[data-agent="zhang.wei"]')).toContain('通话中');
    expect(await text(sup, '#longest-wait')).toBe('0.0 秒');

    await agent.screenshot({ path: `${SHOTS}/ui-agent.png`, fullPage: true });

    // A reload (new socket) shows the current call again, from the token kept in sessionStorage.
    await agent.reload();
    await agent.waitForSelector('#caller-number');
    expect(await text(agent, '#call-id')).toBe(callId);
    expect(await agent.getAttribute('#call-state', 'data-state')).toBe('answered');
    expect(await text(agent, '#caller-number')).toBe(MASKED);
    expect(await agent.locator('#login-form').count()).toBe(0);

    // The server closes the desktop's socket (as on a restart): the page connects again by itself.
    const agentSockets = () => ui.server.sockets.io.of('/agent').sockets.size;
    expect(agentSockets()).toBe(1);
    ui.server.sockets.io.of('/agent').disconnectSockets(true);
    await agent.waitForSelector('#connection.down');
    await agent.waitForSelector('#connection.up', { timeout: 10_000 });
    expect(agentSockets()).toBe(1);
    expect(await text(agent, '#call-id')).toBe(callId);

    // Hold and resume, then hang up from the page.
    await agent.click('#hold');
    await ui.until('held', async () => (await agent.getAttribute('#call-state', 'data-state')) === 'held', {
      stepMs: 20,
      maxMs: 5000,
    });
    await agent.click('#unhold');
    await ui.until('resumed', async () => (await agent.getAttribute('#call-state', 'data-state')) === 'resumed', {
      stepMs: 20,
      maxMs: 5000,
    });
    await ui.clock.advanceAsync(1000);
    await agent.click('#hangup');
    await ui.until('ended', async () => (await agent.getAttribute('#call-state', 'data-state')) === 'ended', {
      stepMs: 20,
      maxMs: 5000,
    });
    await ui.until(
      'the agent in wrap-up',
      async () => (await agent.getAttribute('#agent-status', 'data-status')) === 'wrap-up',
      { stepMs: 20, maxMs: 5000 },
    );
    expect(ui.sim.control.state().channels.some((c) => c.id === placed.callerChannelId)).toBe(false);

    // A second caller gives up in the queue while the agent is paused: the wallboard's callback list
    // shows it (in full: supervisors hold phone:see-full) and the supervisor records the outcome.
    await agent.selectOption('#pause-reason', 'ADMIN');
    await agent.click('#pause');
    await agent.waitForSelector('#agent-status[data-status="paused"]');
    ui.sim.control.placeCall({
      from: '13900001111',
      to: '12345',
      script: [
        waitPrompt('sound:hotline/desk-choice'),
        { kind: 'dtmf', digits: '1' },
        waitPrompt('sound:hotline/emergency-advice'),
        { kind: 'dtmf', digits: '0' },
        { kind: 'wait', ms: 5000 },
        { kind: 'hangup' },
      ],
    });
    await ui.until('the second call waiting', async () => (await text(sup, '#waiting-total')) === '1', {
      maxMs: 30_000,
    });
    await ui.until(
      'the callback on the wallboard',
      async () => (await sup.locator('#callback-table tbody tr').count()) === 1,
      { maxMs: 10_000 },
    );
    expect(await text(sup, '#waiting-total')).toBe('0');
    const row = sup.locator('#callback-table tbody tr').first();
    expect(await row.textContent()).toContain('13900001111');
    expect(await row.textContent()).toContain('排队中放弃');
    expect(await text(sup, '#today-abandoned')).toBe('1');
    expect(await text(sup, '#today-ivr-arrived')).toBe('2');
    expect(await text(sup, '#today-offered')).toBe('2');
    expect(await text(sup, '#today-regulator')).toBe('50.0%');
    expect(await text(sup, '#today-service-level')).toBe('100.0%');
    await sup.screenshot({ path: `${SHOTS}/ui-supervisor.png`, fullPage: true });
    await row.locator('select').selectOption('reached');
    await row.locator('button').click();
    await sup.waitForSelector('#no-callbacks');
    const supLogin = await ui.server.app.inject({ method: 'POST', url: '/auth/login', payload: lead });
    const done = await ui.server.app.inject({
      method: 'GET',
      url: '/callbacks?status=done',
      headers: { authorization: `Bearer ${(supLogin.json() as { token: string }).token}` },
    });
    expect(done.json()).toEqual([
      expect.objectContaining({ number: '13900001111', outcome: 'reached', handledBy: 'banzhang' }),
    ]);
    expect(errors).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(webSockets.filter((path) => path === '/socket.io/').length).toBeGreaterThanOrEqual(2);
    await agentCtx.close();
    await supCtx.close();
  });

  it('a wrong password is refused on the page; a role without the permission is told so', {
    timeout: 60_000,
  }, async () => {
    const auditor = await ui.user('shenji', 'auditor');
    const agentOnly = await ui.user('li.na', 'agent');
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await signIn(page, `${ui.url}/ui/agent`, { username: auditor.username, password: 'wrong-password-1' });
    await page.waitForSelector('#login-error:not(:empty)');
    expect(await text(page, '#login-error')).toBe('用户名或密码错误');
    expect(await page.evaluate('sessionStorage.getItem("hotline.token")')).toBeNull();
    await page.fill('#login-password', auditor.password);
    await page.click('#login-submit');
    await page.waitForSelector('#fatal');
    expect(await text(page, '#fatal')).toContain('不能接听电话');
    await ctx.close();

    const ctx2 = await browser.newContext({ locale: 'zh-CN' });
    const page2 = await ctx2.newPage();
    await signIn(page2, `${ui.url}/ui/supervisor`, agentOnly);
    await page2.waitForSelector('#fatal');
    expect(await text(page2, '#fatal')).toContain('不能查看监控大屏');
    await ctx2.close();
  });
});
