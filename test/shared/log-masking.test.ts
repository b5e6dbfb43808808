import { describe, expect, it } from 'vitest';
import { maskLogLine } from '../../src/shared/log-masking.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { maskPhonesInText } from '../../src/shared/phone-mask.ts';
import { duplicateJsonKeys } from './json-duplicate-keys.ts';

describe('maskPhonesInText', () => {
  it.each([
    ['call from 138-1234-5678 ended', 'call from 138****5678 ended'],
    ['call from +86 138 1234 5678', 'call from 138****5678'],
    ['0086 13812345678', '138****5678'],
    ['(138)12345678', '138****5678'],
    ['%31%33%38%31%32%33%34%35%36%37%38', '138****5678'],
    ['tel 010-8765-4321', 'tel 010****4321'],
  ])('given %j, then %j', (text, masked) => {
    expect(maskPhonesInText(text)).toBe(masked);
  });

  it('given digits that are not a phone number (timestamps, ids, durations), then leaves them', () => {
    for (const s of ['time 1796306579515', 'order 12345', 'port 38399', '2026-01-05 09:00', 'v1.2.3'])
      expect(maskPhonesInText(s)).toBe(s);
  });
});

describe('maskLogLine (every line the logger writes)', () => {
  it('given numbers under keys no redact path lists, in messages and in errors, then masks them and keeps the line valid JSON', () => {
    const line = `${JSON.stringify({
      level: 50,
      time: 1796306579515,
      responseTime: 1.3812341234,
      msg: 'dial 138 1234 5678 failed',
      err: { message: 'GET /x?token=abc.def&phone=13812345678', stack: 'Error: for 13812345678\n    at f (a.ts:1:2)' },
      peer: {
        caller: { number: '+86 138 1234 5678', name: '张三' },
        contactPhones: ['13812345678'],
        dialled: 13812345678,
      },
      connectionNumber: 3,
      amiSecret: 'xyz',
    })}\n`;
    const out = maskLogLine(line);
    expect(out.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(out);
    expect(parsed).toMatchObject({
      time: 1796306579515,
      responseTime: 1.3812341234,
      msg: 'dial 138****5678 failed',
      err: {
        message: 'GET /x?token=[redacted]&phone=138****5678',
        stack: 'Error: for 138****5678\n    at f (a.ts:1:2)',
      },
      peer: { caller: { number: '138****5678', name: '张三' }, contactPhones: ['138****5678'], dialled: 13812345678 },
      connectionNumber: 3,
      amiSecret: '[redacted]',
    });
    expect(out).not.toContain('13812345678"');
  });

  it('given a logger, when a line carries a number in an error, then the written line is masked', () => {
    let out = '';
    const log = createLogger({ level: 'info', destination: { write: (s: string) => void (out += s) } });
    log.error({ err: new Error('lookup of 138-1234-5678 failed') }, 'history for (138)12345678 failed');
    expect(out).toContain('lookup of 138****5678 failed');
    expect(out).toContain('history for 138****5678 failed');
    expect(out).not.toMatch(/1234.?5678/);
  });
});

describe('maskLogLine keeps one key per line', () => {
  it('given a line where a child binding and the logged object repeat a key, then the written line has it once', () => {
    let out = '';
    const log = createLogger({ level: 'info', destination: { write: (s: string) => void (out += s) } });
    log.child({ app: 'hotline' }).error({ app: 'hotline' }, 'replaced');
    expect(duplicateJsonKeys(out.trim())).toEqual([]);
    expect(JSON.parse(out)).toMatchObject({ app: 'hotline', msg: 'replaced' });
  });
});

describe('maskLogLine by key name', () => {
  it('given phone-like keys (AMI and ARI spellings included), then masks them; ids and counters under other keys stay', () => {
    const out = JSON.parse(
      maskLogLine(
        JSON.stringify({
          CallerIDNum: '13812345678',
          ConnectedLineNum: '02087654321',
          caller: '13812345678',
          contact: { tel: '13812345678' },
          callerChannelId: '1796306579.12',
          connectionNumber: 12345678,
        }),
      ),
    );
    expect(out).toEqual({
      CallerIDNum: '138****5678',
      ConnectedLineNum: '020****4321',
      caller: '138****5678',
      contact: { tel: '138****5678' },
      callerChannelId: '1796306579.12',
      connectionNumber: 12345678,
    });
  });
});
