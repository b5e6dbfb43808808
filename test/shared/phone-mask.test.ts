import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../src/shared/phone-mask.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { Writable } from 'node:stream';

describe('maskPhone', () => {
  it.each([
    ['13812341234', '138****1234'],
    ['+86 138-1234-1234', '138****1234'],
    ['07715551234', '077****1234'],
    ['110', '110'],
    ['12345', '12345'],
    ['555100', '****00'],
    ['', ''],
  ])('%s -> %s', (raw, masked) => {
    expect(maskPhone(raw)).toBe(masked);
  });
});

describe('logger', () => {
  it('never writes a full phone number', () => {
    let out = '';
    const dest = new Writable({
      write(chunk, _e, cb) {
        out += String(chunk);
        cb();
      },
    });
    const log = createLogger({ pretty: false, destination: dest });
    log.info(
      { phone: '13812341234', channel: { caller: { number: '13812341234' } }, callerNumber: '13812341234' },
      'call',
    );
    expect(out).toContain('"call"');
    expect(out).not.toContain('13812341234');
  });
});
