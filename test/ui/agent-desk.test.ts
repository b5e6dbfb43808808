import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogOnlySmsGateway } from '../../src/sms/log-only-gateway.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { launchChromium } from './browser.ts';
import { UiServer } from './ui-server.ts';

const CALLER = '13712345678';
const MASKED = '137****5678';
const SHOTS = process.env.UI_SCREENSHOT_DIR ?? '/tmp';
const waitPrompt = (media: string) => ({ kind: 'awaitPrompt' as const, media });

async function signIn(page: Page, url: string, who: { username: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.fill('#login-username', who.username);
  await page.fill('#login-password', who.password);
  await page.click('#login-submit');
}

const text = async (page: Page, sel: string): Promise<string> =>
  (await page.locator(sel).count()) > 0 ? ((await page.locator(sel).first().textContent()) ?? '') : '';

/** The agent desk as an agent works it (issue 9): take a call, search the knowledge base, fill the form, finish it. */
describe('agent desk: a call becomes a work order in the browser', () => {
  let ui: UiServer;
  let browser: Browser;
  const password = 'user-password-1';

  beforeAll(async () => {
    browser = await launchChromium();
    ui = await UiServer.start();
    // Given handling units and a knowledge entry, made by an administrator and a unit's staff.
    const admin = { username: 'admin-1', password };
    await ui.server.auth.createUser({ ...admin, role: 'admin', unitId: null });
    const token = async (who: { username: string; password: string }) =>
      ((await ui.server.app.inject({ method: 'POST', url: '/auth/login', payload: who })).json() as { token: string })
        .token;
    const adminToken = await token(admin);
    for (const u of [
      { id: 'gx', kind: 'region', name: '广西壮族自治区', parentId: null },
      { id: 'nn', kind: 'city', name: '南宁市', parentId: 'gx' },
      {
        id: 'u1',
        kind: 'handling_unit',
        name: '市城管局',
        parentId: 'nn',
        contacts: [{ name: '张三', phone: '13900000001' }],
      },
      {
        id: 'u2',
        kind: 'handling_unit',
        name: '市住建局',
        parentId: 'nn',
        contacts: [{ name: '李四', phone: '13900000002' }],
      },
    ]) {
      const r = await ui.server.app.inject({
        method: 'POST',
        url: '/organisation/units',
        headers: { authorization: `Bearer ${adminToken}` },
        payload: u,
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const staff = { username: 'u1-staff', password };
    await ui.server.auth.createUser({ ...staff, role: 'unit_handler', unitId: 'u1' });
    const kb = await ui.server.app.inject({
      method: 'POST',
      url: '/knowledge/entries',
      headers: { authorization: `Bearer ${await token(staff)}` },
      payload: { title: '夜间施工噪音投诉处理', body: '夜间22时至次日6时禁止产生噪声的建筑施工，可向城管部门投诉。' },
    });
    expect(kb.statusCode, kb.body).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
  }, 30_000);

  /** A caller presses 1 (Mandarin) then 0 (a person); the agent's phone answers after 2 s. */
  function call(from: string) {
    return ui.sim.control.placeCall({
      from,
      to: '12345',
      script: [
        waitPrompt('sound:hotline/desk-choice'),
        { kind: 'dtmf', digits: '1' },
        waitPrompt('sound:hotline/emergency-advice'),
        { kind: 'dtmf', digits: '0' },
      ],
    });
  }

  async function takeCall(agent: Page, from: string): Promise<string> {
    const previous = await text(agent, '#call-id');
    call(from);
    await ui.until('the screen-pop of the new call', async () => (await text(agent, '#call-id')) !== previous, {
      maxMs: 30_000,
    });
    await ui.until('answered', async () => (await agent.getAttribute('#call-state', 'data-state')) === 'answered', {
      maxMs: 5000,
    });
    return text(agent, '#call-id');
  }

  /** Hangs up, picks the wrap-up code (事后处理) and goes ready; the code lands on the call's record. */
  async function hangUpAndReady(agent: Page, code: string): Promise<void> {
    const callId = await text(agent, '#call-id');
    await agent.click('#hangup');
    await ui.until('ended', async () => (await agent.getAttribute('#call-state', 'data-state')) === 'ended', {
      stepMs: 20,
      maxMs: 5000,
    });
    await ui.until('wrap-up', async () => (await agent.getAttribute('#agent-status', 'data-status')) === 'wrap-up', {
      stepMs: 20,
      maxMs: 5000,
    });
    await agent.waitForSelector('#wrap-up');
    await agent.selectOption('#wrap-up-code', code);
    await agent.click('#wrap-up-set');
    await agent.waitForSelector('#wrap-up-chosen:has-text("已选")');
    await agent.click('#ready');
    await agent.waitForSelector('#agent-status[data-status="ready"]');
    await ui.until(
      'the wrap-up code on the call',
      async () => new CallsRepo(ui.server.store.db).getCall(callId)?.wrapUpCode === code,
      {
        stepMs: 20,
        maxMs: 2000,
      },
    );
  }

  it('an agent takes a call, searches the knowledge base, fills the form and dispatches; a supervisor sees the full number; the next call from that number shows it in Chinese', {
    timeout: 180_000,
  }, async () => {
    const agentUser = await ui.user('wang.fang', 'agent');
    const lead = await ui.user('zuzhang', 'supervisor');
    ui.sim.control.setPhone('1001', { answerAfterMs: 2000 });
    const errors: string[] = [];
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    const agent = await ctx.newPage();
    agent.on('pageerror', (e) => errors.push(e.message));

    await signIn(agent, `${ui.url}/ui/agent`, agentUser);
    await agent.fill('#extension', '1001');
    await agent.click('#sign-in-skills');
    await agent.waitForSelector('#agent-status[data-status="ready"]');
    const idleTitle = await agent.title();

    // When the phone rings: the tab title flashes the masked number and the desk flashes (ringing cues).
    call(CALLER);
    await ui.until('the screen-pop', async () => (await agent.locator('#caller-number').count()) > 0, {
      maxMs: 30_000,
    });
    expect(await agent.getAttribute('#call-state', 'data-state')).toBe('ringing');
    expect(await agent.evaluate('document.body.dataset.ringing')).toBe('true');
    await ui.until('the flashing title', async () => (await agent.title()).includes(`【来电】${MASKED}`), {
      stepMs: 50,
      maxMs: 2000,
    });
    expect(await agent.inputValue('#of-phone')).toBe(MASKED);
    await ui.until('answered', async () => (await agent.getAttribute('#call-state', 'data-state')) === 'answered', {
      maxMs: 5000,
    });
    // Answered: the cues stop and the talk timer runs.
    expect(await agent.evaluate('document.body.dataset.ringing ?? null')).toBeNull();
    expect(await agent.title()).toBe(idleTitle);
    await ui.until('the talk timer', async () => /^\d\d:\d\d$/.test(await text(agent, '#talk-time')), {
      stepMs: 20,
      maxMs: 3000,
    });
    const callId = await text(agent, '#call-id');

    // The knowledge base beside the form.
    await agent.fill('#kb-query', '施工噪音');
    await agent.click('#kb-search');
    await agent.waitForSelector('#kb-results li');
    expect(await text(agent, '#kb-results li')).toContain('夜间施工噪音投诉处理');

    // Saving with nothing filled: the errors show next to their fields, in Chinese.
    await agent.selectOption('#of-outcome', 'dispatch');
    await agent.click('#of-submit');
    expect(await text(agent, '#of-err-content')).toBe('请填写诉求内容');
    expect(await text(agent, '#of-err-leadUnitId')).toBe('请选择主办单位');

    // The form: type, category by its Chinese name, area region → city → district, content, then dispatch.
    await agent.selectOption('#of-type', 'complaint');
    await agent.fill('#of-category-search', '噪声');
    await agent.selectOption('#of-category', 'environment.noise');
    await agent.selectOption('#of-area-city', '450100');
    await agent.selectOption('#of-area-county', '450103');
    await agent.fill('#of-location', '民族大道100号');
    await agent.fill('#of-content', '小区旁工地夜间施工\n噪音持续到凌晨两点');
    await agent.fill('#of-name', '陈先生');
    await agent.selectOption('#of-lead', 'u1');
    await agent.check('#of-assist input[value="u2"]');
    expect(await text(agent, '#of-dispatch-due')).toContain('24 小时');
    expect(await text(agent, '#of-err-content')).toBe('');
    await agent.screenshot({ path: `${SHOTS}/ui-agent-desk-form.png` });
    await agent.click('#of-submit');
    await agent.waitForSelector('#of-result.ok');
    expect(await text(agent, '#of-result')).toContain('已派单');
    const orderId = await agent.getAttribute('#of-result', 'data-order-id');
    expect(orderId).toMatch(/^[1-9]\d*$/);

    // The order: the caller's number in full, from the call; linked to the call; the area and units recorded.
    const stored = await ui.server.workOrders.repo.get(Number(orderId));
    expect(stored).toMatchObject({
      status: 'dispatched',
      requester: { phone: CALLER, name: '陈先生' },
      area: '450103',
      callId,
      category: { code: 'environment.noise' },
    });
    expect(stored?.assignments.at(-1)).toMatchObject({ leadUnitId: 'u1', assistingUnitIds: ['u2'] });
    const links = new CallsRepo(ui.server.store.db);
    await ui.until('the order linked to the call', async () => links.workOrdersOf(callId).includes(orderId!), {
      stepMs: 20,
      maxMs: 2000,
    });

    // A supervisor's view of the order shows the caller's full number.
    const supCtx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    const sup = await supCtx.newPage();
    sup.on('pageerror', (e) => errors.push(e.message));
    await signIn(sup, `${ui.url}/ui/agent#order=${orderId}`, lead);
    await sup.waitForSelector('#order-view dd');
    expect(await text(sup, '#order-view')).toContain(`陈先生 ${CALLER}`);
    await supCtx.close();

    // Wrap-up: ready is refused until a wrap-up code is chosen (in Chinese); the time left can be extended.
    await agent.click('#hangup');
    await agent.waitForSelector('#wrap-up');
    await agent.click('#ready');
    await agent.waitForSelector('#agent-message.error');
    expect(await text(agent, '#agent-message')).toBe('操作失败：请先选择话后处理代码，再置为就绪');
    expect(await agent.getAttribute('#agent-status', 'data-status')).toBe('wrap-up');
    expect(await text(agent, '#wrap-up-left')).toMatch(/^剩余 00:(0\d|1[0-5])$/);
    await agent.click('#wrap-up-extend');
    // 15 s more: the countdown shows more than 15 s left.
    await ui.until(
      'the extended wrap-up time',
      async () => /^剩余 00:(2\d|30)$/.test(await text(agent, '#wrap-up-left')),
      {
        stepMs: 20,
        maxMs: 3000,
      },
    );
    await agent.selectOption('#wrap-up-code', 'order-taken');
    await agent.click('#wrap-up-set');
    await agent.click('#ready');
    await agent.waitForSelector('#agent-status[data-status="ready"]');
    expect(new CallsRepo(ui.server.store.db).getCall(callId)?.wrapUpCode).toBe('order-taken');

    // A second call from that number pops the order in the history with its Chinese category name.
    await takeCall(agent, CALLER);
    const row = agent.locator(`#history tbody tr[data-number="${orderId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-open')).toBe('true');
    expect(await row.locator('.history-category').textContent()).toBe('噪声扰民');
    expect(await row.locator('.history-summary').textContent()).toBe('小区旁工地夜间施工');
    expect(await row.locator('.history-unit').textContent()).toBe('市城管局');
    expect(await row.textContent()).toContain('未办结 · 已派单');
    expect(await text(agent, '#repeat')).toContain('是');
    await agent.evaluate('window.scrollTo(0, 0)');
    await agent.screenshot({ path: `${SHOTS}/ui-agent-desk.png` });
    // One click opens it read-only; the agent sees the number masked.
    await row.click();
    await agent.waitForSelector('#order-view dd');
    expect(await text(agent, '#order-view-content')).toContain('噪音持续到凌晨两点');
    expect(await text(agent, '#order-view')).toContain(MASKED);
    expect(await text(agent, '#order-view')).not.toContain(CALLER);
    await agent.click('#order-view-close');

    // The agent answers this one directly: the order closes and the satisfaction survey SMS goes out.
    const sms = ui.server.workOrders.smsGateway as LogOnlySmsGateway;
    const before = sms.sent.length;
    await agent.fill('#kb-query', '施工噪音');
    await agent.click('#kb-search');
    await agent.waitForSelector('#kb-results li .kb-use');
    await agent.fill('#of-category-search', '政策');
    await agent.selectOption('#of-category', 'government.policy');
    await agent.selectOption('#of-type', 'consultation');
    await agent.fill('#of-content', '咨询建筑工地允许施工的时间规定');
    await agent.click('#kb-results li .kb-use');
    expect(await agent.inputValue('#of-outcome')).toBe('answer');
    expect(await agent.inputValue('#of-answer')).toContain('夜间22时至次日6时');
    await agent.click('#of-submit');
    await agent.waitForSelector('#of-result.ok');
    expect(await text(agent, '#of-result')).toContain('满意度回访短信已发送');
    const answered = Number(await agent.getAttribute('#of-result', 'data-order-id'));
    expect(await ui.server.workOrders.repo.get(answered)).toMatchObject({
      status: 'closed',
      requester: { phone: CALLER },
    });
    await ui.until('the survey SMS', async () => sms.sent.length > before, { stepMs: 10, maxMs: 1000 });
    expect(sms.sent.at(-1)?.to).toBe(CALLER);
    await hangUpAndReady(agent, 'answered');

    expect(errors).toEqual([]);
    await ctx.close();
    await ui.until('the PBX drained', async () => ui.sim.control.state().channels.length === 0, {
      stepMs: 20,
      maxMs: 5000,
    });
    expect(ui.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  });
});
