import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { archiveCall, untar } from '../audit-console/fixtures.ts';
import { startTestServer, tempDir, type TestServer } from '../platform/helpers.ts';
import { launchChromium } from './browser.ts';

const CALLER = '13812341234';
const MASKED = '138****1234';
const SHOTS = process.env.UI_SCREENSHOT_DIR ?? '/tmp';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const HAN = /[\u4e00-\u9fff]/;

async function signIn(page: Page, url: string, who: { username: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.fill('#login-username', who.username);
  await page.fill('#login-password', who.password);
  await page.click('#login-submit');
}

const text = async (page: Page, sel: string): Promise<string> => ((await page.locator(sel).count()) > 0 ? ((await page.locator(sel).first().textContent()) ?? '') : '');

describe('auditor console (/ui/audit) in headless Chromium', () => {
  let s: TestServer;
  let browser: Browser;
  let wav: Buffer;
  const downloads = tempDir('audit-dl-');

  beforeAll(async () => {
    browser = await launchChromium();
    s = await startTestServer({ clock: new FakeClock(Date.now()) });
    // Given two archived calls; the one searched for has a 4-second recording.
    wav = archiveCall(s, { callId: 'a1', name: 'rec-a1', callerNumber: CALLER, agentId: 'zhang.wei', arrivedAt: Date.now() - 3_600_000, durationMs: 4_000 });
    archiveCall(s, { callId: 'a2', name: 'rec-a2', callerNumber: '13900001111', agentId: 'li.na', arrivedAt: Date.now() - 1_800_000, durationMs: 2_000 });
    for (const [username, role] of [['shenji', 'auditor'], ['li.na', 'agent']] as const) {
      await s.auth.createUser({ username, password: 'user-password-1', role, unitId: null });
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await s?.cleanup();
    downloads.cleanup();
  }, 30_000);

  it('an auditor searches by number, plays the recording with its timeline, downloads a package that verifies, and sees the access log', { timeout: 90_000 }, async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'zh-CN', acceptDownloads: true });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const streamStatuses: number[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/stream?ticket=')) streamStatuses.push(r.status());
    });

    await signIn(page, `${s.url}/ui/audit`, { username: 'shenji', password: 'user-password-1' });
    await page.waitForSelector('#search-form');
    // The held filter stays hidden while this version records no legal holds.
    await page.fill('#q-number', CALLER);
    await page.click('#search-submit');
    await page.waitForSelector('#results tbody tr');
    expect(await page.locator('#results tbody tr').count()).toBe(1);
    expect(await page.getAttribute('#results tbody tr', 'data-name')).toBe('rec-a1');
    expect(await text(page, '#results tbody tr')).toContain(MASKED);
    expect(await page.content()).not.toContain(CALLER);
    expect(await page.isVisible('#held-filter')).toBe(true);

    // Play: the timeline shows beside the player, and the <audio> element loads the 4-second file.
    await page.click('#results tbody tr[data-name="rec-a1"] button.play');
    await page.waitForSelector('#timeline li');
    const steps = await page.locator('#timeline li').allTextContents();
    expect(steps.some((t) => t.includes(`来电（${MASKED}）`))).toBe(true);
    expect(steps.some((t) => t.includes('按 1 · 普通话'))).toBe(true);
    expect(steps.some((t) => t.includes('进入排队（普通话）'))).toBe(true);
    expect(steps.some((t) => t.includes('坐席 zhang.wei 接通'))).toBe(true);
    expect(steps.at(-1)).toContain('通话结束（已接通）');
    // (Browser-side code as strings: the tests compile without the DOM library.)
    await page.waitForFunction('(() => { const a = document.querySelector("#audio"); return a !== null && a.readyState >= 1 && Number.isFinite(a.duration); })()');
    expect(await page.evaluate('document.querySelector("#audio").duration')).toBeCloseTo(4, 1);
    // Seeking: the player asks for a byte range, answered 206.
    await page.evaluate('new Promise((resolve) => { const a = document.querySelector("#audio"); a.addEventListener("seeked", () => resolve(), { once: true }); a.currentTime = 2.5; })');
    expect(await page.evaluate('document.querySelector("#audio").currentTime')).toBeGreaterThan(0);
    expect(streamStatuses).toContain(206);

    // The evidence package downloads and its checksums verify.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-package')]);
    expect(download.suggestedFilename()).toBe('evidence-rec-a1.tar');
    const saved = join(downloads.dir, 'evidence.tar');
    await download.saveAs(saved);
    const files = untar(readFileSync(saved));
    expect(files.get('audio/rec-a1.wav')!.equals(wav)).toBe(true);
    for (const line of files.get('SHA256SUMS')!.toString().trim().split('\n')) {
      const [hash, name] = line.split('  ');
      expect(sha256(files.get(name!)!), name).toBe(hash);
    }
    expect(JSON.parse(files.get('manifest.json')!.toString()).recordingChecksums.sha256).toBe(sha256(wav));

    // The access log panel: the search, the playback and the package, by this auditor.
    await page.waitForSelector('#access-log tr[data-action="package"]');
    const actions = await page.locator('#access-log tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['search', 'view', 'listen', 'package']));
    expect(await text(page, '#access-log tr[data-action="package"]')).toContain('下载证据包');
    expect(await text(page, '#access-log tr[data-action="package"]')).toContain('shenji');
    expect(await text(page, '#access-log tr[data-action="search"]')).toContain(`号码 ${MASKED}`);
    await page.screenshot({ path: `${SHOTS}/ui-audit.png`, fullPage: true });

    // The CDR export downloads as CSV for Excel, numbers masked for an auditor.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    expect(csv.suggestedFilename()).toBe('calls.csv');
    const csvPath = join(downloads.dir, 'calls.csv');
    await csv.saveAs(csvPath);
    const csvText = readFileSync(csvPath, 'utf8');
    expect(csvText.startsWith('\uFEFF通话编号')).toBe(true);
    expect(csvText).toContain(MASKED);
    expect(csvText).not.toContain(CALLER);

    // Refusals are shown in Chinese: a partial number, and a date range the server refuses.
    await page.fill('#q-number', '12');
    await page.click('#search-submit');
    await page.waitForSelector('#search-error:not(:empty)');
    expect(await text(page, '#search-error')).toBe('号码请填写完整号码，或只填后 4 位数字');
    await page.fill('#q-number', '');
    await page.fill('#q-from', '2026-03-05');
    await page.fill('#q-to', '2026-03-01');
    await page.click('#search-submit');
    // The server's 400 invalid-range, mapped to Chinese.
    await page.waitForSelector('#search-error:text("结束日期不能早于开始日期")');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('a role without the console is told so in Chinese', { timeout: 30_000 }, async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await signIn(page, `${s.url}/ui/audit`, { username: 'li.na', password: 'user-password-1' });
    await page.waitForSelector('#fatal');
    expect(await text(page, '#fatal')).toMatch(HAN);
    expect(await text(page, '#fatal')).toContain('审计员');
    await ctx.close();
  });
});
