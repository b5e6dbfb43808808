import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { signWebhook } from '../../src/sms/webhook-signature.ts';
import { EXCHANGE_SECRET } from '../exchange/harness.ts';
import { Receiver, until } from '../exchange/receiver.ts';
import { startTestServer } from '../platform/helpers.ts';

const NUMBER = '13975318642';
const SECRET = 'wechat-secret-0123456789abcdef';
const INBOUND = 'regional-inbound-secret-0123456789';

/** The number with anything a client or an encoder may put between its digits, or 7 of them in a row. */
const FORBIDDEN = [NUMBER, NUMBER.slice(0, 7), NUMBER.slice(3)].map(
  (d) => new RegExp([...d].join('(?:[\\s.()+_/-]|%[0-9A-Fa-f]{2}){0,4}')),
);

describe('no full phone number in the logs of intake and exchange (art. 22)', () => {
  it('given submissions, refusals, status look-ups, an assignment and failing pushes with the number, when logged at trace, then no full number', async () => {
    const raw: string[] = [];
    const logger = createLogger({
      level: 'trace',
      pretty: false,
      destination: { write: (s: string) => void raw.push(s) },
    });
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    const rx = await new Receiver(EXCHANGE_SECRET, (n) => (n < 3 ? 'fail' : 'ack')).start();
    const s = await startTestServer({
      logger,
      clock,
      scanner: false,
      env: {
        INTAKE_CREDENTIALS: `wechat:wx:${SECRET}`,
        INTAKE_PER_NUMBER_PER_HOUR: '1',
        EXCHANGE_ENDPOINT: rx.url,
        EXCHANGE_SECRET,
        EXCHANGE_WEBHOOK_SECRET: INBOUND,
      },
    });
    try {
      const post = (url: string, body: unknown, headers: (ts: string, payload: string) => Record<string, string>) => {
        const payload = JSON.stringify(body);
        const ts = String(clock.now());
        return s.app.inject({
          method: 'POST',
          url,
          payload,
          headers: { 'content-type': 'application/json', ...headers(ts, payload) },
        });
      };
      const intake = (phone: string) =>
        post(
          '/intake/wechat',
          { type: 'help', category: 'other', content: '路灯坏了一个月没人修', phone },
          (ts, p) => ({
            'x-intake-key': 'wx',
            'x-intake-timestamp': ts,
            'x-intake-signature': signWebhook(SECRET, ts, p),
          }),
        );
      const ok = await intake(NUMBER);
      expect(ok.statusCode).toBe(201);
      clock.advance(1_000);
      expect((await intake('139-7531-8642')).statusCode).toBe(429);
      const bad = await s.app.inject({
        method: 'POST',
        url: '/intake/wechat',
        payload: { phone: NUMBER },
        headers: { 'x-intake-key': 'wx' },
      });
      expect(bad.statusCode).toBe(401);
      const code = ok.json().trackingCode as string;
      expect(
        (await s.app.inject({ method: 'GET', url: `/intake/status?code=${code}&phone=${NUMBER}` })).statusCode,
      ).toBe(200);
      expect(
        (await s.app.inject({ method: 'GET', url: `/intake/status?code=${code}&phone=%2B86${NUMBER}x` })).statusCode,
      ).toBe(400);
      const assigned = await post(
        '/exchange/incoming',
        {
          format: '12345-exchange/1',
          regionalId: 'R-9',
          channel: 'phone',
          type: 'help',
          category: 'other',
          content: '转办',
          requester: { phone: NUMBER },
        },
        (ts, p) => ({ 'x-exchange-timestamp': ts, 'x-exchange-signature': signWebhook(INBOUND, ts, p) }),
      );
      expect(assigned.statusCode).toBe(201);
      // The pushes fail three times (logged as warnings) before the receiver acknowledges.
      for (let i = 0; i < 10 && (await s.workOrders.exchange.figures()).pending > 0; i++) {
        await until(() => rx.deliveries.length > i, 'a push');
        await clock.advanceAsync(5_000);
      }
      await until(async () => (await s.workOrders.exchange.figures()).pending === 0, 'outbox drained');
    } finally {
      await s.cleanup();
      await rx.close();
    }
    const text = raw.join('');
    expect(text).toContain('intake: citizen submission taken');
    expect(text).toContain('push to the regional platform failed');
    expect(text).toContain('139****8642');
    for (const re of FORBIDDEN) expect(re.exec(text)?.[0], String(re)).toBeUndefined();
  });
});
