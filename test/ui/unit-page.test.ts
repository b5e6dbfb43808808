import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { archiveCall } from '../audit-console/fixtures.ts';
import { type Harness, intakeBody, MASKED, PHONE, seedOrganisation, startHarness } from '../work-orders/helpers.ts';
import { launchChromium } from './browser.ts';

const SHOTS = process.env.UI_SCREENSHOT_DIR ?? '/tmp';
const PASSWORD = 'user-password-1';
const MIN = 60_000;
// A 1×1 PNG: the "photo" of the scene the unit attaches to its answer.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let browser: Browser;
let h: Harness;
let page: Page;
let errors: string[];

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  h = await startHarness();
  await seedOrganisation(h);
  for (const [username, role, unitId] of [
    ['chengban', 'unit_handler', 'u1'],
    ['jiaojing', 'unit_handler', 'u2'],
    ['huawu', 'agent', null],
    ['banzhang', 'supervisor', null],
  ] as const) {
    await h.server.auth.createUser({ username, password: PASSWORD, role, unitId });
  }
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  page = await ctx.newPage();
  errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The page's clock starts at the server's fake time and runs on its own; tests jump it with fastForward.
  await page.clock.install({ time: h.clock.now() });
}, 60_000);

afterEach(async () => {
  await page?.context().close();
  await h?.cleanup();
  // No page threw (a failed render would otherwise go unnoticed).
  expect(errors, errors.join('\n')).toEqual([]);
});

async function signIn(url: string, username: string): Promise<void> {
  await page.goto(`${h.server.url}${url}`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
}

async function newOrder(over: Record<string, unknown> = {}, role: 'agent' | 'supervisor' = 'agent'): Promise<number> {
  const r = await h.req('POST', '/work-orders', await h.as(role), intakeBody(over));
  expect(r.status).toBe(201);
  return r.body.order.id as number;
}

async function dispatch(id: number, leadUnitId: string): Promise<void> {
  const r = await h.req('POST', `/work-orders/${id}/dispatch`, await h.as('supervisor'), { leadUnitId });
  expect(r.status).toBe(200);
}

const row = (id: number) => `#inbox tr[data-id="${id}"]`;
/** Waits (without evaluating strings: the pages' CSP forbids eval) until `sel`'s text matches. */
const waitText = (sel: string, text: RegExp) => page.locator(sel, { hasText: text }).waitFor();
const textOf = async (sel: string) => (await page.locator(sel).first().textContent()) ?? '';

describe('unit inbox (/ui/unit) and order detail (/ui/order) in headless Chromium', () => {
  it('a unit handler signs, asks for an extension and replies with a photo; a new order appears live; the detail shows the timeline', {
    timeout: 120_000,
  }, async () => {
    // Given an order dispatched to u1 (市城管局).
    const id = await newOrder();
    await dispatch(id, 'u1');

    // When its handler opens the inbox: the order is listed with its sign clock, the requester masked.
    await signIn('/ui/unit', 'chengban');
    await page.waitForSelector(row(id));
    expect(await textOf('#unit-name')).toBe('市城管局');
    expect(await textOf(row(id))).toContain('签收时限');
    expect(await textOf(row(id))).toContain('投诉');
    await page.click(row(id));
    await page.waitForSelector('#act-sign');
    expect(await textOf('#detail')).toContain(MASKED);
    expect(await textOf('#detail')).not.toMatch(/null|undefined/);
    expect(await page.content()).not.toContain(PHONE);

    // Signs.
    await page.click('#act-sign');
    await waitText('#action-message', /^已签收$/);
    expect(await textOf('#clock-sign')).toContain('已于');

    // Asks for 2 more working days.
    await page.fill('#ext-extra', '2');
    await page.fill('#ext-reason', '需协调住建部门现场勘查');
    await page.click('#act-extension');
    await waitText('#action-message', /^延期申请已提交/);
    // A second request while the first is pending is refused, in Chinese.
    await page.fill('#ext-reason', '再延一次');
    await page.click('#act-extension');
    await waitText('#action-error', /./);
    expect(await textOf('#action-error')).toBe('已有延期申请在审批中，请等待审批结果');

    // Replies with a photo of the scene.
    await page.fill('#reply-content', '已责令施工方夜间停工，并现场复查。');
    await page.setInputFiles('#reply-files', { name: 'scene.png', mimeType: 'image/png', buffer: PNG });
    await page.click('#act-reply');
    await waitText('#action-message', /^答复已提交$/);

    // Then the server holds the signing, the pending extension and the answer with the photo, byte for byte.
    const order = (await h.req('GET', `/work-orders/${id}`, await h.as('supervisor'))).body;
    const a = order.assignments[0];
    expect(order.status).toBe('replied');
    expect(a.signedAt).toBeTypeOf('number');
    expect(a.extensions).toMatchObject([{ extra: 2, reason: '需协调住建部门现场勘查' }]);
    expect(a.extensions[0].decision).toBeUndefined();
    expect(a.reply.content).toBe('已责令施工方夜间停工，并现场复查。');
    expect(a.reply.attachments).toMatchObject([{ fileName: 'scene.png', mimeType: 'image/png' }]);
    const file = await h.server.app.inject({
      method: 'GET',
      url: `/work-orders/${id}/attachments/${a.reply.attachments[0].id}`,
      headers: await h.as('supervisor'),
    });
    expect(file.rawPayload.equals(PNG)).toBe(true);

    // When an emergency order is dispatched to u1 and another to u2, with the page open.
    const live = await newOrder({
      channel: 'website',
      callId: undefined,
      content: '路面塌陷',
      category: 'other',
      emergency: true,
    });
    const other = await newOrder({ channel: 'website', callId: undefined, content: '信号灯故障', category: 'other' });
    await dispatch(other, 'u2');
    await dispatch(live, 'u1');
    // Then u1's emergency order appears at the top (due first) and the live note names it; u2's never shows.
    await page.waitForSelector(row(live));
    expect(await textOf('#live-note')).toContain(`新工单 #${live} 已派至本单位（主办），紧急工单请在 30 分钟内签收`);
    expect(await page.getAttribute('#inbox tbody tr:first-child', 'data-id')).toBe(String(live));
    expect(await page.locator(row(other)).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/ui-unit.png` });

    // The order detail: timeline from the audit trail, clocks, the reply, masked phone, no play button.
    await page.click(row(id));
    await page.click('#open-detail');
    await page.waitForSelector('#timeline li');
    const steps = await page
      .locator('#timeline li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-action')));
    expect(steps).toEqual(['intake', 'dispatch', 'sign', 'request-extension', 'reply']);
    const texts = await page.locator('#timeline li').allTextContents();
    expect(texts[2]).toContain('签收');
    expect(texts[2]).toContain('已派单 → 已签收');
    expect(texts[3]).toContain('需协调住建部门现场勘查');
    expect(await textOf('#requester-phone')).toBe(MASKED);
    expect(await textOf('#app')).not.toMatch(/null|undefined|\[object/);
    expect(await textOf('#extensions')).toContain('申请延长 2 个工作日');
    expect(await textOf('#reply-attachments')).toContain('scene.png');
    expect(await textOf('#calls')).toContain('call-1');
    expect(await page.locator('button.play').count()).toBe(0);
    expect(await page.isVisible('#no-playback')).toBe(true);
    await page.screenshot({ path: `${SHOTS}/ui-order.png` });
  });

  it('an emergency order shows its 30-minute sign clock turning amber, then red; the yellow card arrives live', {
    timeout: 90_000,
  }, async () => {
    // Given an emergency order dispatched to u1 now (server and page clocks agree).
    const id = await newOrder({ emergency: true, type: 'help', content: '燃气泄漏味道很重', category: 'safety' });
    await dispatch(id, 'u1');
    await signIn('/ui/unit', 'chengban');
    await page.waitForSelector(`${row(id)} span.clock`);
    // The row's clock, and the detail's, which also knows when the clock started (so it can turn amber).
    const clock = `${row(id)} span.clock`;
    const detail = '#clock-sign span.clock';
    await page.click(row(id));
    await page.waitForSelector(detail);
    expect(await page.getAttribute(clock, 'data-state')).toBe('ok');
    expect(await page.getAttribute(detail, 'data-state')).toBe('ok');
    expect(await textOf(clock)).toMatch(/^还剩 (29|30) 分/);

    // When 23 minutes pass (under a quarter of the 30 minutes left): the detail's clock turns amber.
    await page.clock.fastForward(23 * MIN);
    await page.waitForSelector(`${detail}[data-state="near"]`);
    expect(await textOf(detail)).toMatch(/^还剩 [67] 分/);
    expect(await page.getAttribute(clock, 'data-state')).toBe('ok');

    // When the 30 minutes are over: both turn red, counting the time overdue.
    await page.clock.fastForward(8 * MIN);
    await page.waitForSelector(`${clock}[data-state="overdue"]`);
    await page.waitForSelector(`${detail}[data-state="overdue"]`);
    expect(await textOf(clock)).toMatch(/^已超时 [01] 分/);
    // (Browser-side code typed by hand: the tests compile without the DOM library.)
    const background = (e: unknown) =>
      (globalThis as unknown as { getComputedStyle(x: unknown): { backgroundColor: string } }).getComputedStyle(e)
        .backgroundColor;
    expect(await page.locator(clock).evaluate(background)).toBe('rgb(198, 40, 40)');

    // And when the server's supervision scanner issues the yellow card, the row shows it without a reload.
    await h.clock.advanceAsync(31 * MIN);
    await h.module.scanner.scanOnce();
    await page.waitForSelector(`${row(id)} .badge.sup[data-level="yellow-card"]`);
    expect(await textOf('#live-note')).toBe(`工单 #${id} 收到黄牌督办（签收时限）`);
    await page.screenshot({ path: `${SHOTS}/ui-unit-overdue.png` });
  });

  it('the order detail shows the full number and a play button to a supervisor, and says in Chinese why others may not look', {
    timeout: 90_000,
  }, async () => {
    // Given a recorded call and the order taken on it, dispatched to u1; and a confidential order.
    archiveCall(h.server, {
      callId: 'rec-call',
      name: 'rec-rec-call',
      callerNumber: PHONE,
      agentId: 'huawu',
      arrivedAt: h.clock.now() - 10 * MIN,
      durationMs: 3_000,
    });
    // Taken by the supervisor: an agent may only record orders for calls they answered themselves (issue 9).
    const id = await newOrder({ callId: 'rec-call' }, 'supervisor');
    await dispatch(id, 'u1');
    const secret = await newOrder({
      confidential: true,
      content: '举报某单位违规收费',
      type: 'report',
      category: 'other',
    });

    // A supervisor (phone:see-full, recordings:read) sees the number in full and plays the call.
    await signIn(`/ui/order?id=${id}`, 'banzhang');
    await page.waitForSelector('#timeline li');
    expect(await textOf('#requester-phone')).toBe(PHONE);
    await page.click('button.play');
    await page.waitForSelector('#audio[src*="/stream?ticket="]');
    expect(await textOf('#play-error')).toBe('');

    // An agent sees it masked, without a play button; a confidential order is refused in Chinese.
    await page.evaluate('sessionStorage.clear()');
    await signIn(`/ui/order?id=${id}`, 'huawu');
    await page.waitForSelector('#timeline li');
    expect(await textOf('#requester-phone')).toBe(MASKED);
    expect(await page.locator('button.play').count()).toBe(0);
    await page.goto(`${h.server.url}/ui/order?id=${secret}`);
    await page.waitForSelector('#fatal');
    expect(await textOf('#fatal')).toBe('该工单为保密工单，当前账号无权查看');
    expect(await page.getAttribute('#fatal', 'data-status')).toBe('403');
    await page.goto(`${h.server.url}/ui/order?id=999999`);
    await page.waitForSelector('#fatal');
    expect(await textOf('#fatal')).toBe('工单不存在（编号有误或已被删除）');
    expect(await page.getAttribute('#fatal', 'data-status')).toBe('404');
    await page.goto(`${h.server.url}/ui/order?id=abc`);
    await page.waitForSelector('#fatal');
    expect(await textOf('#fatal')).toBe('地址中的工单编号无效');

    // Another unit's handler is refused, in Chinese.
    await page.evaluate('sessionStorage.clear()');
    await signIn(`/ui/order?id=${id}`, 'jiaojing');
    await page.waitForSelector('#fatal');
    expect(await textOf('#fatal')).toBe('该工单未派给本单位，无权查看或办理');
  });

  it('a county workstation signs and forwards to a unit below it, which sees it live; an assisting unit gives its opinion', {
    timeout: 120_000,
  }, async () => {
    // Given a unit under the workstation nn-ws-1, its handler and the workstation's.
    const admin = await h.as('admin');
    const town = { id: 'ws-town', kind: 'handling_unit', name: '青秀区南湖街道办', parentId: 'nn-ws-1' };
    expect((await h.req('POST', '/organisation/units', admin, town)).status).toBe(201);
    await h.server.auth.createUser({
      username: 'gongzuozhan',
      password: PASSWORD,
      role: 'unit_handler',
      unitId: 'nn-ws-1',
    });
    await h.server.auth.createUser({ username: 'jiedao', password: PASSWORD, role: 'unit_handler', unitId: 'ws-town' });
    // And an order dispatched to the workstation with u2 assisting.
    const id = await newOrder();
    const r = await h.req('POST', `/work-orders/${id}/dispatch`, await h.as('supervisor'), {
      leadUnitId: 'nn-ws-1',
      assistingUnitIds: ['u2'],
    });
    expect(r.status).toBe(200);

    // When u2's handler opens the order: only the opinion form is offered (no signing: u2 assists).
    await signIn('/ui/unit', 'jiaojing');
    await page.click(row(id));
    await page.waitForSelector('#act-opinion');
    expect(await page.locator('#act-sign').count()).toBe(0);
    await page.fill('#opinion-text', '该路段夜间施工许可由交警支队核发，建议核查许可时段');
    await page.click('#act-opinion');
    await waitText('#action-message', /^协办意见已提交$/);

    // When the workstation's handler signs; the forward form lists the unit below it.
    const town2 = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    const below = await town2.newPage();
    below.on('pageerror', (e) => errors.push(e.message));
    await below.clock.install({ time: h.clock.now() });
    await page.evaluate('sessionStorage.clear()');
    await signIn('/ui/unit', 'gongzuozhan');
    await page.click(row(id));
    await page.click('#act-sign');
    await waitText('#action-message', /^已签收$/);
    expect(await page.locator('#forward-unit option').allTextContents()).toEqual(['青秀区南湖街道办']);
    // And the town's handler is watching its (empty) inbox.
    await below.goto(`${h.server.url}/ui/unit`);
    await below.fill('#login-username', 'jiedao');
    await below.fill('#login-password', PASSWORD);
    await below.click('#login-submit');
    await below.waitForSelector('#inbox-empty');
    await below.waitForSelector('#connection.up');
    await page.fill('#forward-reason', '属街道职责，转南湖街道办理');
    await page.click('#act-forward');
    await waitText('#action-message', /^已转派$/);
    // The workstation's row now says it forwarded the order, with no clock of its own to watch.
    await page.locator(`${row(id)} td:nth-child(4)`, { hasText: '已转派' }).waitFor();
    expect(await page.getAttribute(row(id), 'class')).toContain('done');
    expect(await page.locator(`${row(id)} span.clock`).count()).toBe(0);

    // Then the town sees the order appear, to sign; the server holds the opinion and the forward.
    await below.waitForSelector(row(id));
    expect(await below.locator('#live-note').textContent()).toContain(`新工单 #${id} 已派至本单位（主办）`);
    const order = (await h.req('GET', `/work-orders/${id}`, await h.as('supervisor'))).body;
    expect(order.status).toBe('dispatched');
    expect(order.assignments.at(-1)).toMatchObject({ leadUnitId: 'ws-town', forwardedFrom: 'nn-ws-1' });
    expect(order.assignments[0].opinions).toMatchObject([
      { unitId: 'u2', opinion: '该路段夜间施工许可由交警支队核发，建议核查许可时段' },
    ]);
    await town2.close();
  });

  it('an action on an order returned meanwhile is refused in Chinese; reloaded, the order shows as returned', {
    timeout: 90_000,
  }, async () => {
    // Given an order signed by u1.
    const id = await newOrder();
    await dispatch(id, 'u1');
    await signIn('/ui/unit', 'chengban');
    await page.click(row(id));
    await page.click('#act-sign');
    await waitText('#action-message', /^已签收$/);
    // When the order changes status behind the page's back (the handler returns it from another tab)…
    const other = await h.req('POST', `/work-orders/${id}/return`, await h.as('unit_handler', 'u1'), {
      reason: '不属本单位职责',
    });
    expect(other.status).toBe(200);
    // …then a return from the stale page is refused by the state machine, in Chinese.
    await page.fill('#return-reason', '不属本单位职责');
    await page.click('#act-return');
    await waitText('#action-error', /./);
    expect(await page.locator('#action-error').textContent()).toBe('工单当前状态不允许此操作，请刷新后重试');
    // And reloaded, the order shows as returned with nothing left to do.
    await page.click('#refresh');
    await page.click(row(id));
    await page.waitForSelector('#no-actions');
    expect(await textOf(`${row(id)} td:nth-child(3)`)).toBe('已退单');
  });

  it('an overdue order comes first with its red card; the unit states why it is late', {
    timeout: 90_000,
  }, async () => {
    // Given two signed orders of u1, one of them 20 days old and past its completion deadline.
    const late = await newOrder();
    await dispatch(late, 'u1');
    expect((await h.req('POST', `/work-orders/${late}/sign`, await h.as('unit_handler', 'u1'), {})).status).toBe(200);
    await h.clock.advanceAsync(20 * 86_400_000);
    const fresh = await newOrder({ channel: 'website', callId: undefined, content: '井盖缺失', category: 'other' });
    await dispatch(fresh, 'u1');
    // And the scanner has carded the late one.
    await h.module.scanner.scanOnce();
    await page.clock.setSystemTime(h.clock.now());

    // When the handler opens the inbox: the overdue order is first, red, with its card.
    await signIn('/ui/unit', 'chengban');
    await page.waitForSelector(row(fresh));
    expect(await page.getAttribute('#inbox tbody tr:first-child', 'data-id')).toBe(String(late));
    expect(await page.getAttribute(`${row(late)} span.clock`, 'data-state')).toBe('overdue');
    expect(await textOf(`${row(late)} .badge.sup`)).toBe('红牌督办');

    // Then it offers the overdue explanation (and no extension: the deadline has passed), and records it.
    await page.click(row(late));
    await page.waitForSelector('#form-overdue');
    expect(await page.locator('#form-extension').count()).toBe(0);
    await page.fill('#overdue-reason', '涉及多个部门，协调时间较长');
    await page.click('#act-overdue');
    await waitText('#action-message', /^超期原因已提交$/);
    const order = (await h.req('GET', `/work-orders/${late}`, await h.as('supervisor'))).body;
    expect(order.assignments[0].overdueExplanations).toMatchObject([{ reason: '涉及多个部门，协调时间较长' }]);
  });

  it('refuses the inbox to a role other than unit handler, in Chinese', { timeout: 60_000 }, async () => {
    await signIn('/ui/unit', 'huawu');
    await page.waitForSelector('#fatal');
    expect(await textOf('#fatal')).toBe('当前账号不是承办单位账号，不能使用承办单位工作台。');
  });
});
