import { createHash } from 'node:crypto';
import { waitForPage } from './page-wait.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/recordings/verify-cli.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { archiveCall, untar } from '../audit-console/fixtures.ts';
import { login, startTestServer, tempDir, type TestServer } from '../platform/helpers.ts';
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

const text = async (page: Page, sel: string): Promise<string> =>
  (await page.locator(sel).count()) > 0 ? ((await page.locator(sel).first().textContent()) ?? '') : '';

describe('auditor console (/ui/audit) in headless Chromium', () => {
  let s: TestServer;
  let browser: Browser;
  let wav: Buffer;
  const downloads = tempDir('audit-dl-');

  beforeAll(async () => {
    browser = await launchChromium();
    s = await startTestServer({ clock: new FakeClock(Date.now()) });
    // Given two archived calls; the one searched for has a 4-second recording.
    wav = archiveCall(s, {
      callId: 'a1',
      name: 'rec-a1',
      callerNumber: CALLER,
      agentId: 'zhang.wei',
      arrivedAt: Date.now() - 3_600_000,
      durationMs: 4_000,
    });
    archiveCall(s, {
      callId: 'a2',
      name: 'rec-a2',
      callerNumber: '13900001111',
      agentId: 'li.na',
      arrivedAt: Date.now() - 1_800_000,
      durationMs: 2_000,
    });
    for (const [username, role] of [
      ['shenji', 'auditor'],
      ['li.na', 'agent'],
      ['guanli', 'admin'],
    ] as const) {
      await s.auth.createUser({ username, password: 'user-password-1', role, unitId: null });
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await s?.cleanup();
    downloads.cleanup();
  }, 30_000);

  it('an auditor searches by number, plays the recording with its timeline, places a legal hold, downloads a package that verifies, and sees the access log', {
    timeout: 90_000,
  }, async () => {
    const ctx = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      locale: 'zh-CN',
      acceptDownloads: true,
    });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const streamStatuses: number[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/stream?ticket=')) streamStatuses.push(r.status());
    });

    await signIn(page, `${s.url}/ui/audit`, { username: 'shenji', password: 'user-password-1' });
    await page.waitForSelector('#search-form');
    // The held filter shows: this version records legal holds.
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
    await waitForPage(
      page,
      '(() => { const a = document.querySelector("#audio"); return a !== null && a.readyState >= 1 && Number.isFinite(a.duration); })()',
    );
    expect(await page.evaluate('document.querySelector("#audio").duration')).toBeCloseTo(4, 1);
    // Seeking: the player asks for a byte range, answered 206.
    await page.evaluate(
      'new Promise((resolve) => { const a = document.querySelector("#audio"); a.addEventListener("seeked", () => resolve(), { once: true }); a.currentTime = 2.5; })',
    );
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
    // …and the offline verifier (`npm run verify -- --package`, no DATA_DIR) accepts it, chain entry included.
    const verified = await runVerify(['--package', saved], {}, downloads.dir);
    expect(verified.out).toContain('OK: the package verifies');
    expect(verified.exitCode).toBe(0);

    // Legal hold: the auditor sees the 法律保全 action; an empty case reference is refused in Chinese.
    expect(await text(page, '#hold-state')).toContain('未处于法律保全');
    await page.fill('#hold-reason', '市民投诉调查');
    await page.click('#hold-submit');
    await page.waitForSelector('#hold-error:not(:empty)');
    expect(await text(page, '#hold-error')).toBe('请填写案件编号');
    await page.fill('#hold-case', 'TS-2026-0042');
    await page.click('#hold-submit');
    // When placed, the details and the results row show it, and the server has it.
    await page.waitForSelector('#hold-state[data-held="true"]');
    expect(await text(page, '#hold-state')).toContain('TS-2026-0042');
    expect(await text(page, '#hold-state')).toContain('shenji');
    expect(await text(page, '#results tbody tr[data-name="rec-a1"] .held-cell')).toBe('保全中');
    expect(await page.isVisible('#release-submit')).toBe(true);
    const held = s.store.sqlite.prepare('select held_by, hold_case_ref from recordings where name = ?').get('rec-a1');
    expect(held).toEqual({ held_by: 'shenji', hold_case_ref: 'TS-2026-0042' });
    // The held=true filter finds it, and only it.
    await page.fill('#q-number', '');
    await page.check('#q-held');
    await page.click('#search-submit');
    await waitForPage(
      page,
      'document.querySelectorAll("#results tbody tr").length === 1 && document.querySelector("#results tbody tr").dataset.name === "rec-a1"',
    );
    expect(await text(page, '#results tbody tr .held-cell')).toBe('保全中');
    await page.uncheck('#q-held');
    // Meanwhile another auditor releases it: the page's 解除保全 is refused (409 not-held) in Chinese.
    const other = await login(s, 'shenji', 'user-password-1');
    const released = await s.app.inject({
      method: 'POST',
      url: '/recordings/rec-a1/release',
      headers: { authorization: `Bearer ${other}` },
      payload: { reason: '调查结束' },
    });
    expect(released.statusCode).toBe(200);
    await page.fill('#release-reason', '结案');
    await page.click('#release-submit');
    await page.waitForSelector('#hold-error:not(:empty)');
    expect(await text(page, '#hold-error')).toBe('该录音未处于法律保全，无需解除');
    // …and the panel now shows the recording as it is: not held, with 法律保全 offered again.
    await page.waitForSelector('#hold-state[data-held="false"]');
    expect(await text(page, '#results tbody tr[data-name="rec-a1"] .held-cell')).toBe('—');
    // Another auditor holds it meanwhile: 法律保全 from the page is refused (409 already-held) in Chinese, and the panel shows their hold.
    const heldElsewhere = await s.app.inject({
      method: 'POST',
      url: '/recordings/rec-a1/hold',
      headers: { authorization: `Bearer ${other}` },
      payload: { reason: '复查', caseRef: 'TS-2026-0043' },
    });
    expect(heldElsewhere.statusCode).toBe(200);
    await page.fill('#hold-reason', '市民投诉调查');
    await page.fill('#hold-case', 'TS-2026-0042');
    await page.click('#hold-submit');
    await page.waitForSelector('#hold-error:not(:empty)');
    expect(await text(page, '#hold-error')).toBe('该录音已处于法律保全中，不能重复保全');
    await page.waitForSelector('#hold-state[data-held="true"]');
    expect(await text(page, '#hold-state')).toContain('TS-2026-0043');
    expect(await text(page, '#results tbody tr[data-name="rec-a1"] .held-cell')).toBe('保全中');

    // The access log panel: the search, the playback, the package, the holds and the release, by this auditor.
    await page.waitForSelector('#access-log tr[data-action="release"]');
    const actions = await page
      .locator('#access-log tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['search', 'view', 'listen', 'package', 'hold', 'release']));
    const holds = await page.locator('#access-log tr[data-action="hold"]').allTextContents();
    expect(holds.some((t) => t.includes('案件 TS-2026-0042'))).toBe(true);
    expect(await text(page, '#access-log tr[data-action="package"]')).toContain('下载证据包');
    expect(await text(page, '#access-log tr[data-action="package"]')).toContain('shenji');
    const searches = await page.locator('#access-log tr[data-action="search"]').allTextContents();
    expect(searches.some((t) => t.includes(`号码 ${MASKED}`))).toBe(true);
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

  it('an admin (no recordings:hold) sees the hold state but no 法律保全 / 解除保全 buttons', {
    timeout: 30_000,
  }, async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await signIn(page, `${s.url}/ui/audit`, { username: 'guanli', password: 'user-password-1' });
    await page.waitForSelector('#search-form');
    await page.fill('#q-number', '13900001111');
    await page.click('#search-submit');
    await page.click('#results tbody tr[data-name="rec-a2"] button.play');
    await page.waitForSelector('#hold-state');
    expect(await text(page, '#hold-state')).toContain('未处于法律保全');
    expect(await page.locator('#hold-submit, #release-submit, #hold-form, #release-form').count()).toBe(0);
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
