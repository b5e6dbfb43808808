import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { UiServer } from './ui-server.ts';

const SHOTS = process.env.UI_SCREENSHOT_DIR ?? '/tmp';
const waitPrompt = (media: string) => ({ kind: 'awaitPrompt' as const, media });
const text = async (page: Page, sel: string): Promise<string> =>
  (await page.locator(sel).count()) > 0 ? ((await page.locator(sel).first().textContent()) ?? '') : '';
/** "1:05" → 65 */
const secondsOf = (s: string): number => s.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);

describe('the wallboard at 1920×1080 in headless Chromium', () => {
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

  it('waiting callers tick, alerts and callbacks sit above the fold, agents by name with durations, leaders on duty, a forced state, figures by hour and agent', {
    timeout: 120_000,
  }, async () => {
    const auth = ui.server.auth;
    await auth.createUser({
      username: 'zhang.wei',
      password: 'user-password-1',
      role: 'agent',
      unitId: null,
      displayName: '张伟',
    });
    await auth.createUser({
      username: 'li.zhuren',
      password: 'user-password-1',
      role: 'supervisor',
      unitId: null,
      displayName: '李主任',
    });
    await auth.createUser({ username: 'root', password: 'user-password-1', role: 'admin', unitId: null });
    const lead = await ui.user('banzhang', 'supervisor');
    const token = async (username: string) =>
      (
        (
          await ui.server.app.inject({
            method: 'POST',
            url: '/auth/login',
            payload: { username, password: 'user-password-1' },
          })
        ).json() as { token: string }
      ).token;
    const call = async (who: string, method: 'POST' | 'GET' | 'DELETE', url: string, payload?: object) =>
      ui.server.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${await token(who)}` },
        ...(payload ? { payload } : {}),
      });

    // The admin puts 李主任 on today's rota (Asia/Shanghai), all day, at seat 8001.
    const today = new Date(ui.server.clock.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const entry = { date: today, startTime: '00:00', endTime: '24:00', username: 'li.zhuren', seat: '8001' };
    expect((await call('banzhang', 'POST', '/rota', entry)).statusCode).toBe(403);
    const bad = await call('root', 'POST', '/rota', { ...entry, skill: 'klingon' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'unknown-skill' });
    const added = await call('root', 'POST', '/rota', entry);
    expect(added.statusCode, added.body).toBe(201);
    expect((await call('root', 'POST', '/rota', { ...entry, startTime: '08:00', endTime: '09:00' })).statusCode).toBe(
      409,
    );
    expect((await call('banzhang', 'GET', `/rota?from=${today}&to=${today}`)).json()).toEqual([
      expect.objectContaining({ username: 'li.zhuren', seat: '8001', skill: null }),
    ]);

    // 张伟 signs in at 1001 and pauses, so the next caller waits.
    ui.sim.control.setPhone('1001', { answerAfterMs: 2000 });
    expect(
      (await call('zhang.wei', 'POST', '/agents/me/sign-in', { extension: '1001', skills: ['mandarin'] })).statusCode,
    ).toBe(204);
    expect((await call('zhang.wei', 'POST', '/agents/me/pause', { reason: 'BREAK' })).statusCode).toBe(204);

    const errors: string[] = [];
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
    const sup = await ctx.newPage();
    sup.on('pageerror', (e) => errors.push(e.message));
    await sup.goto(`${ui.url}/ui/supervisor`);
    await sup.fill('#login-username', lead.username);
    await sup.fill('#login-password', lead.password);
    await sup.click('#login-submit');

    // Agents by display name, with the time in their state as a duration (not a clock time).
    await sup.waitForSelector('#agent-list tr[data-agent-id="zhang.wei"]');
    const row = '#agent-list tr[data-agent-id="zhang.wei"]';
    expect(await text(sup, `${row} .agent-name`)).toBe('张伟');
    expect(await text(sup, row)).toContain('暂停 · 小休');
    expect(await text(sup, `${row} .state-time`)).toMatch(/^\d+:\d{2}$/);
    expect(await sup.locator(`${row} .agent-actions`).count()).toBe(1);
    // Who is on duty, and that they have not signed in.
    expect(await text(sup, '#rota-list li[data-agent-id="li.zhuren"]')).toContain('李主任');
    expect(await text(sup, '#rota-list li[data-agent-id="li.zhuren"]')).toContain('未签入');
    expect(await text(sup, '#rota-list li[data-agent-id="li.zhuren"]')).toContain('00:00–24:00 · 席位 8001');

    // A caller waits: listed with the masked number and the desk; the wait ticks between pushes.
    const placed = ui.sim.control.placeCall({
      from: '13812341234',
      to: '12345',
      script: [
        waitPrompt('sound:hotline/desk-choice'),
        { kind: 'dtmf', digits: '1' },
        waitPrompt('sound:hotline/emergency-advice'),
        { kind: 'dtmf', digits: '0' },
      ],
    });
    await ui.until(
      'the caller is on the waiting list',
      async () => (await sup.locator('#waiting-list tbody tr').count()) === 1,
      { maxMs: 30_000 },
    );
    const waitRow = '#waiting-list tbody tr';
    expect(await text(sup, waitRow)).toContain('138****1234');
    expect(await text(sup, waitRow)).toContain('普通话');
    expect(await sup.content()).not.toContain('13812341234');
    const t1 = secondsOf(await text(sup, `${waitRow} .wait-time`));
    await sup.waitForTimeout(3_200); // real time: the page ticks once a second between pushes
    const t2 = secondsOf(await text(sup, `${waitRow} .wait-time`));
    expect(t2).toBeGreaterThanOrEqual(t1 + 2);

    // Past 15 s the row turns to the pre-warning colour and the alert shows, above the fold.
    await ui.until(
      'the pre-warning reaches the wallboard',
      async () => (await sup.locator('#alerts li[data-kind="answer-prewarning"]').count()) === 1,
      {
        maxMs: 20_000,
      },
    );
    await ui.until(
      'the waiting row shows the pre-warning',
      async () => (await sup.locator(`${waitRow}[data-level="prewarn"]`).count()) === 1,
      { maxMs: 5_000 },
    );
    for (const card of ['#alerts-card', '#callbacks-card', '#rota-card', '#waiting-card']) {
      const box = await sup.locator(card).boundingBox();
      expect(box, card).not.toBeNull();
      expect(box!.y + box!.height, `${card} ends above the fold`).toBeLessThanOrEqual(1080);
    }
    await sup.screenshot({ path: `${SHOTS}/ui-wallboard-1920.png` });

    // The supervisor makes 张伟 ready from the wallboard, with a reason: the call goes to them.
    await sup.selectOption(`${row} .force-state`, 'ready');
    await sup.click(`${row} .force-go`);
    await ui.until(
      'the reason is required',
      async () => (await text(sup, `${row} .force-message`)) === '请填写操作原因',
      { maxMs: 2_000 },
    );
    await sup.fill(`${row} .force-reason`, '排队超时，恢复接听');
    await sup.click(`${row} .force-go`);
    await ui.until(
      '张伟 answers the waiting caller',
      async () => (await sup.locator(`${row}[data-status="on-call"]`).count()) === 1,
      { maxMs: 20_000 },
    );
    expect(await text(sup, `${row} .talk-time`)).toMatch(/^\d+:\d{2}$/);
    await ui.until('nobody waits any more', async () => (await sup.locator('#waiting-list').count()) === 0);

    // Figures by hour and by agent for today.
    await ui.until(
      'the hour of the call is in the figures',
      async () => (await sup.locator('#hours-table tbody tr').count()) >= 1,
    );
    expect(await text(sup, '#agents-figures-table')).toContain('张伟');
    await sup.click('#days-yesterday');
    expect(await sup.locator('#no-hours').count()).toBe(1);

    // The admin takes 李主任 off the rota: the wallboard no longer lists them.
    const id = (added.json() as { id: number }).id;
    expect((await call('root', 'DELETE', `/rota/${id}`)).statusCode).toBe(204);
    expect((await call('root', 'DELETE', `/rota/${id}`)).statusCode).toBe(404);
    await ui.until('the rota is empty on the wallboard', async () => (await sup.locator('#no-rota').count()) === 1);

    ui.sim.control.hangupCall(placed.callerChannelId);
    await ui.until(
      'the agent is free again',
      async () => (await sup.locator(`${row}[data-status="on-call"]`).count()) === 0,
    );
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
