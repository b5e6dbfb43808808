import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../platform/helpers.ts';
import { alertKindsInSource, errorCodesInSource } from './api-codes.ts';

const ROOT = resolve(import.meta.dirname, '../..');
type Messages = {
  ERROR_ZH: Record<string, string>;
  ALERT_KIND_ZH: Record<string, string>;
  refusalText(err: unknown): string;
  alertKindZh(kind: string): string;
};
const load = async (): Promise<Messages> =>
  (await import(pathToFileURL(join(ROOT, 'public/ui/messages-zh.js')).href)) as Messages;

const HAN = /\p{Script=Han}/u;

describe('public/ui/messages-zh.js: every code the server can answer with has a Chinese message (issue 9 item 5)', () => {
  let m: Messages;
  beforeAll(async () => {
    m = await load();
  });

  it('given the error codes constructed in src/, then each has a Chinese entry', () => {
    const codes = errorCodesInSource(ROOT);
    // The scan finds the codes of every construction style (a sanity floor, so a broken pattern cannot pass).
    for (const known of [
      'invalid-request',
      'bad-credentials',
      'call-not-yours',
      'no-call',
      'desk-unstaffed',
      'not-lead-unit',
    ])
      expect(codes).toContain(known);
    const missing = [...codes].filter((c) => !(c in m.ERROR_ZH)).sort();
    expect(missing, 'add these codes to ERROR_ZH in public/ui/messages-zh.js').toEqual([]);
    for (const text of Object.values(m.ERROR_ZH)) expect(text).toMatch(HAN);
  });

  it('given the alert kinds raised in src/, then each has a Chinese name', () => {
    const kinds = alertKindsInSource(ROOT);
    for (const known of ['answer-prewarning', 'ring-no-answer', 'late-sign', 'recording-lost'])
      expect(kinds).toContain(known);
    const missing = [...kinds].filter((k) => !(k in m.ALERT_KIND_ZH)).sort();
    expect(missing, 'add these kinds to ALERT_KIND_ZH in public/ui/messages-zh.js').toEqual([]);
    expect(m.alertKindZh('ring-no-answer')).toBe('坐席未接听（振铃超时）');
  });

  it("given a socket.io ack's error or an HTTP error, then refusalText gives the Chinese of its precise code", () => {
    expect(
      m.refusalText({ code: 'invalid-input', reason: 'bad-request', message: 'number must be 3 to 20 digits' }),
    ).toBe('请求内容有误');
    expect(m.refusalText({ code: 'invalid-transition', reason: 'desk-unstaffed' })).toBe(
      '该服务台当前无人签入，不能转入',
    );
    expect(m.refusalText({ status: 403, code: 'call-not-yours' })).toBe('这通电话不是您接听的，不能据此登记工单');
    expect(m.refusalText({ statusCode: 0, code: 'timeout' })).toBe('服务器无应答，请检查网络');
  });

  describe('the scan itself', () => {
    let dir: string;
    let cleanup: () => void;
    beforeAll(() => {
      ({ dir, cleanup } = tempDir('codes-'));
      mkdirSync(join(dir, 'src/feature'), { recursive: true });
      writeFileSync(
        join(dir, 'src/feature/service.ts'),
        [
          "throw badInput('brand-new-code', 'x');",
          "throw new HttpError(409, 'another-new-code', 'y');",
          "return { code: 'invalid-transition', reason: 'a-new-reason', message: 'z' };",
          "export type AlertKind = 'a-new-alert' | 'late-sign';",
        ].join('\n'),
      );
    });
    afterAll(() => cleanup());

    it('given a new code in the source, when scanned, then it is found (and would fail the check above until it has a message)', () => {
      const codes = errorCodesInSource(dir);
      expect([...codes].sort()).toEqual(['a-new-reason', 'another-new-code', 'brand-new-code', 'invalid-transition']);
      expect('brand-new-code' in m.ERROR_ZH).toBe(false);
      expect([...alertKindsInSource(dir)].sort()).toEqual(['a-new-alert', 'late-sign']);
    });
  });
});
