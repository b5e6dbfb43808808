import type { Browser } from 'playwright-core';
import { waitForPage } from './page-wait.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { startTestServer, type TestServer } from '../platform/helpers.ts';
import { launchChromium } from './browser.ts';

const PHONE = '13812345678';

describe('public submission form (/public/submit) in headless Chromium', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    s = await startTestServer({
      clock: new FakeClock(Date.now()),
      scanner: false,
      env: { INTAKE_POW_BITS: '8', INTAKE_PER_NUMBER_PER_HOUR: '1' },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.cleanup();
  });

  it('given a citizen without an account, when they fill the form, then the proof of work passes, the order is registered and the status reads back', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${s.url}/public/submit`);
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      await page.waitForSelector('#category option[value="environment.noise"]', { state: 'attached' });
      await page.selectOption('#type', 'complaint');
      await page.selectOption('#category', 'environment.noise');
      await page.fill('#content', '小区旁边工地每天夜里十二点以后还在施工，噪音很大');
      await page.fill('#location', '青秀区民族大道 100 号');
      await page.fill('#phone', PHONE);
      await page.setInputFiles('#file', {
        name: '现场.png',
        mimeType: 'image/png',
        buffer: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
      });
      await page.click('#send');
      await page.waitForSelector('#receipt:not([hidden])');
      const code = (await page.textContent('#tracking-code'))!.trim();
      expect(code).toMatch(/^[0-9]{10}$/);

      const orderId = (await s.workOrders.exchange.receipt(code))!.orderId;
      const order = (await s.workOrders.repo.get(orderId))!;
      expect(order).toMatchObject({ channel: 'website', status: 'registered', requester: { phone: PHONE } });
      expect(order.category.code).toBe('environment.noise');
      expect(await s.workOrders.repo.attachmentsOf(orderId)).toHaveLength(1);

      await page.fill('#status-code', code);
      await page.fill('#status-phone', PHONE);
      await page.click('#status-form button');
      await waitForPage(page, 'document.querySelector("#status-result").textContent !== ""');
      expect(await page.textContent('#status-result')).toContain('已受理，等待派单');

      await page.fill('#status-phone', '13900000000');
      await page.click('#status-form button');
      await waitForPage(page, 'document.querySelector("#status-result").textContent.includes("未找到")');
    } finally {
      await page.close();
    }
  });

  it('given the number already used its hourly submission, when the form is sent again, then a Chinese refusal is shown and no order is made', async () => {
    const page = await browser.newPage();
    try {
      const before = (await s.workOrders.repo.findByPhone(PHONE, 50)).length;
      await page.goto(`${s.url}/public/submit`);
      await page.waitForSelector('#category option[value="other"]', { state: 'attached' });
      await page.selectOption('#category', 'other');
      await page.fill('#content', '再次反映：路灯坏了一个月没有人修');
      await page.fill('#phone', PHONE);
      await page.click('#send');
      await page.waitForSelector('#error:not([hidden])');
      expect(await page.textContent('#error')).toContain('该手机号码提交过于频繁');
      expect((await s.workOrders.repo.findByPhone(PHONE, 50)).length).toBe(before);
    } finally {
      await page.close();
    }
  });

  it('given a submission without a solved challenge, when posted, then 400 names the nonce', async () => {
    const c = (await s.app.inject({ method: 'GET', url: '/public/challenge' })).json();
    const r = await s.app.inject({
      method: 'POST',
      url: '/public/submit',
      payload: {
        type: 'help',
        category: 'other',
        content: '没有做工作量证明的提交',
        phone: '13700000001',
        challenge: c.challenge,
        nonce: 'x1',
      },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toContain('body.nonce');
  });
});
