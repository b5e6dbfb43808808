import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPublicDir } from '../../src/http/routes/ui.ts';
import { startTestServer, type TestServer } from '../platform/helpers.ts';

const HAN = /[\u4e00-\u9fff]/;
const source = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** Every refusal code the work-order service and its state machine can answer, read from their source. */
function workOrderCodes(): string[] {
  const codes = new Set<string>();
  // refuse('code', …), and refuse(cond ? 'code-a' : 'code-b', …) written over several lines.
  for (const m of source('src/domain/work-orders/decide.ts').matchAll(
    /refuse\(\s*(?:[^'()]*\?\s*)?'([a-z-]+)'(?:\s*:\s*'([a-z-]+)')?/g,
  )) {
    codes.add(m[1]!);
    if (m[2]) codes.add(m[2]);
  }
  // The visibility decider's refusals (art. 22).
  for (const m of source('src/domain/work-orders/visibility.ts').matchAll(/code: '([a-z-]+)'/g)) codes.add(m[1]!);
  for (const m of source('src/work-orders/work-order-service.ts').matchAll(
    /(?:badInput|conflict|notFound|notYours)\('([a-z-]+)'/g,
  ))
    codes.add(m[1]!);
  return [...codes].sort();
}

describe('the unit pages’ Chinese messages (public/ui/unit-labels.js)', () => {
  let labels: {
    ERROR_MESSAGES: Record<string, string>;
    errorText: (e: unknown) => string;
    clockState: (due: number, now: number, start: number | null) => string;
    remainingText: (due: number, now: number) => string;
  };
  beforeAll(async () => {
    labels = await import(pathToFileURL(`${defaultPublicDir}/unit-labels.js`).href);
  });

  it('have a Chinese message for every refusal code of the work-order service and state machine', () => {
    // Given the codes in the source (the scan must find the ones we know of, or it checks nothing).
    const codes = workOrderCodes();
    expect(codes).toEqual(
      expect.arrayContaining(['not-your-unit', 'confidential', 'return-window-passed', 'extension-pending']),
    );
    expect(codes.length).toBeGreaterThan(25);
    // Then each has an entry, in Chinese.
    const missing = codes.filter((c) => !HAN.test(labels.ERROR_MESSAGES[c] ?? ''));
    expect(missing).toEqual([]);
  });

  it('fall back by HTTP status, never to the server’s English text', () => {
    const e = (status: number, code?: string) => ({ status, code, message: 'order 5: the order is not assigned' });
    expect(labels.errorText(e(403, 'not-your-unit'))).toBe('该工单未派给本单位，无权查看或办理');
    expect(labels.errorText(e(404, 'something-new'))).toBe('要查看的内容不存在');
    for (const status of [0, 400, 401, 403, 409, 413, 429, 500, 502]) {
      const t = labels.errorText(e(status, 'unknown-code'));
      expect(t, String(status)).toMatch(HAN);
      expect(t).not.toContain('order 5');
    }
  });

  it('colour a clock ok, then amber in its last quarter, then red once passed', () => {
    const start = 0;
    const due = 30 * 60_000;
    expect(labels.clockState(due, 22 * 60_000, start)).toBe('ok');
    expect(labels.clockState(due, 23 * 60_000, start)).toBe('near');
    expect(labels.clockState(due, due, start)).toBe('overdue');
    expect(labels.clockState(due, 29 * 60_000, null)).toBe('ok');
    expect(labels.remainingText(due, 23 * 60_000)).toBe('还剩 7 分 0 秒');
    expect(labels.remainingText(due, due + 90_000)).toBe('已超时 1 分 30 秒');
    expect(labels.remainingText(3 * 86_400_000, 0)).toBe('还剩 3 天 0 小时');
  });
});

describe('the /ui/unit and /ui/order routes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.cleanup();
  });

  it('serve both pages without a token; the order page takes only ?id=', async () => {
    for (const [url, title] of [
      ['/ui/unit', '承办单位工作台'],
      ['/ui/order?id=12', '工单详情'],
      ['/ui/order', '工单详情'],
    ] as const) {
      const res = await s.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.body).toContain(title);
    }
    expect((await s.app.inject({ method: 'GET', url: '/ui/order?id=1&x=2' })).statusCode).toBe(400);
    expect((await s.app.inject({ method: 'GET', url: `/ui/order?id=${'9'.repeat(33)}` })).statusCode).toBe(400);
    expect((await s.app.inject({ method: 'GET', url: '/ui/unit?id=1' })).statusCode).toBe(400);
  });
});
