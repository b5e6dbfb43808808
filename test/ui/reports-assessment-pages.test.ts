import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { tempDir } from '../platform/helpers.ts';
import { intakeBody, seedOrganisation, startHarness, type Harness } from '../work-orders/helpers.ts';
import { launchChromium } from './browser.ts';

const S = 1000;
// 5 Jan 2026 00:00 Asia/Shanghai (the harness starts at 09:00 that day).
const DAY = Date.UTC(2026, 0, 4, 16, 0);

async function signIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url);
  await page.fill('#login-username', username);
  await page.fill('#login-password', 'user-password-1');
  await page.click('#login-submit');
}

describe('report and assessment pages in headless Chromium (issue 13 items 3 and 4)', () => {
  let h: Harness;
  let browser: Browser;
  const downloads = tempDir('report-dl-');
  const requests: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    h = await startHarness();
    await seedOrganisation(h);
    // Given calls on 5 Jan at 10:00: two answered (5 s and 30 s) and one abandoned.
    const repo = new CallsRepo(h.server.store.db);
    const q = DAY + 10 * 3_600_000;
    const base = { status: 'ended' as const, phase: 'ended', skill: 'mandarin' };
    for (const [id, off, answerS, agentId] of [
      ['p1', 0, 5, 'li.na'],
      ['p2', 60, 30, 'zhang.wei'],
    ] as const) {
      const at = q + off * S;
      repo.insertCall({
        ...base,
        id,
        callerChannelId: `c-${id}`,
        callerNumber: '13800000001',
        arrivedAt: at - 10 * S,
        ivrExitAt: at,
        queuedAt: at,
        answeredAt: at + answerS * S,
        answerMs: answerS * S,
        endedAt: at + 200 * S,
        outcome: 'answered',
        agentId,
      });
    }
    repo.insertCall({
      ...base,
      id: 'p3',
      callerChannelId: 'c-p3',
      callerNumber: '13800000003',
      arrivedAt: q + 100 * S,
      ivrExitAt: q + 110 * S,
      queuedAt: q + 110 * S,
      endedAt: q + 140 * S,
      outcome: 'abandoned',
    });
    // And January's assessment published, then corrected after an accepted appeal.
    const agent = await h.as('agent');
    const u1 = await h.as('unit_handler', 'u1');
    const u2 = await h.as('unit_handler', 'u2');
    const make = async (phone: string, content: string) =>
      (await h.req('POST', '/work-orders', agent, intakeBody({ requesterPhone: phone, content }))).body.order
        .id as number;
    const a = await make('13300000001', '路灯损坏多日无人维修');
    const b = await make('13300000002', '小区垃圾清运不及时');
    const c = await make('13300000003', '公交站台广告牌松动');
    for (const [id, unit, who] of [
      [a, 'u1', u1],
      [b, 'u1', u1],
      [c, 'u2', u2],
    ] as const) {
      await h.req('POST', `/work-orders/${id}/dispatch`, agent, { leadUnitId: unit });
      await h.req('POST', `/work-orders/${id}/sign`, who, {});
    }
    await h.req('POST', `/work-orders/${a}/reply`, u1, { content: '已修复' });
    await h.req('POST', `/work-orders/${b}/return`, u1, { reason: '不属本单位职责' });
    await h.req('POST', `/work-orders/${c}/reply`, u2, { content: '已加固' });
    h.clock.setTime(Date.UTC(2026, 1, 2, 2, 0));
    const sup = await h.as('supervisor');
    expect((await h.req('POST', '/assessment/publications', sup, { month: '2026-01' })).status).toBe(201);
    const appeal = await h.req('POST', '/assessment/appeals', await h.as('unit_handler', 'u1'), {
      cycleYear: 2026,
      orderId: b,
      reason: '派单错误',
    });
    await h.req('POST', `/assessment/appeals/${appeal.body.id}/decision`, sup, {
      status: 'accepted',
      decision: '属实',
    });
    await h.server.auth.createUser({
      username: 'banzhang',
      password: 'user-password-1',
      role: 'supervisor',
      unitId: null,
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await h?.cleanup();
    downloads.cleanup();
  }, 30_000);

  const newPage = async () => {
    const ctx = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      locale: 'zh-CN',
      acceptDownloads: true,
    });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    return { page, errors };
  };

  it('the report page draws the day as SVG charts and exports CSV with a BOM', { timeout: 90_000 }, async () => {
    const { page, errors } = await newPage();
    await signIn(page, `${h.server.url}/ui/reports`, 'banzhang');
    await page.waitForSelector('#report-form');
    await page.fill('#period-day', '2026-01-05');
    await page.click('#load');
    await page.waitForSelector('#call-summary');
    expect(await page.textContent('#sum-offered .tile-value')).toBe('3');
    expect(await page.textContent('#sum-answered .tile-value')).toBe('2');
    expect(await page.textContent('#sum-rate .tile-value')).toBe('33.3%');
    expect(await page.textContent('#sum-asa .tile-value')).toBe('17.5 秒');
    // The hour chart: 24 hours × 2 series of bars, the 10:00 bars non-empty.
    expect(await page.locator('#call-charts svg rect.bar').count()).toBe(48);
    const tallest = await page.evaluate(
      'Math.max(...[...document.querySelectorAll("#call-charts rect.bar")].map((r) => Number(r.getAttribute("height"))))',
    );
    expect(tallest).toBeGreaterThan(0);
    expect(await page.locator('#order-charts svg').count()).toBe(3);
    expect(await page.textContent('#call-report')).toContain('zhang.wei');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-calls-hours')]);
    const saved = join(downloads.dir, 'hours.csv');
    await download.saveAs(saved);
    const bytes = readFileSync(saved);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // Talk of 195 s and 170 s; p1 reached the voice menu at 09:59:50, so 10:00 counts two menu arrivals.
    expect(bytes.toString('utf8')).toContain('10:00,3,2,1,33.3,1,17.5,182.5,2');
    // A bad period is refused in Chinese.
    await page.fill('#period-day', '');
    await page.click('#load');
    await page.waitForSelector('#report-error:not(:empty)');
    expect(await page.textContent('#report-error')).toMatch(/日期有误|报表生成失败/);
    expect(errors).toEqual([]);
  });

  it('the assessment page ranks the units, charts each over the months, shows the correction and prints the bulletin', {
    timeout: 90_000,
  }, async () => {
    const { page, errors } = await newPage();
    await signIn(page, `${h.server.url}/ui/assessment`, 'banzhang');
    await page.fill('#cycle', '2026');
    await page.click('#load');
    await page.waitForSelector('#ranking tbody tr');
    const rows = await page.locator('#ranking tbody tr').allTextContents();
    // After the appeal u1 (市城管局) has full marks and leads.
    expect(rows[0]).toContain('市城管局');
    expect(rows[0]).toContain('100.00');
    expect(await page.textContent('#assessment h2')).toContain('第2版');
    // One chart per unit; January's point drawn on each.
    expect(await page.locator('#unit-charts .unit-chart').count()).toBe(2);
    expect(await page.locator('#unit-charts .unit-chart svg circle.point').count()).toBe(2);
    expect(await page.textContent('#month-2026-01')).toContain('根据申诉');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bulletin-2026-01')]);
    const saved = join(downloads.dir, 'bulletin.html');
    await download.saveAs(saved);
    const html = readFileSync(saved, 'utf8');
    expect(html).toContain('成员单位考核月度通报（2026年1月）');
    expect(html).toContain('更正说明');
    // Publishing a month that is not over is refused in Chinese.
    await page.fill('#publish-month', '2026-02');
    await page.click('#publish');
    await page.waitForSelector('#publish-message.error');
    expect(await page.textContent('#publish-message')).toBe('该月尚未结束，不能发布。');
    expect(errors).toEqual([]);
    // Nothing was fetched from anywhere but this server (no CDN).
    expect(
      requests.filter((u) => !u.startsWith(h.server.url) && !u.startsWith('blob:') && !u.startsWith('data:')),
    ).toEqual([]);
  });
});
