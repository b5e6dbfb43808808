import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { LogOnlySmsGateway } from '../../src/sms/log-only-gateway.ts';
import { HttpSmsGateway } from '../../src/sms/http-sms-gateway.ts';
import { SmsGatewayError } from '../../src/sms/sms-gateway.ts';
import { openStore } from '../../src/store/db.ts';
import { SqliteSmsRepo } from '../../src/store/sms-repo.ts';
import { SatisfactionSms } from '../../src/work-orders/satisfaction-sms.ts';
import { PHONE, intakeBody, seedOrganisation, signedHeaders, startHarness, type Harness } from './helpers.ts';

describe('SMS webhook authentication', () => {
  let h: Harness;
  let orderId = 0;
  beforeAll(async () => {
    h = await startHarness();
    await seedOrganisation(h);
    const agent = await h.as('agent');
    orderId = (await h.req('POST', '/work-orders', agent, intakeBody())).body.order.id;
    await h.req('POST', `/work-orders/${orderId}/answer-directly`, agent, { answer: '已答复' });
  });
  afterAll(async () => h?.cleanup());

  const post = (payload: string, headers: Record<string, string>) =>
    h.server.app.inject({ method: 'POST', url: '/webhooks/sms', headers, payload });

  it('refuses replies without a signature, with a wrong one, with a stale timestamp, or with a body changed after signing', async () => {
    const payload = JSON.stringify({ from: PHONE, text: '3' });
    const none = await post(payload, { 'content-type': 'application/json' });
    expect(none.statusCode).toBe(401);
    const wrongKey = await post(payload, signedHeaders(payload, h.clock.now(), 'another-secret-another-secret-1234'));
    expect(wrongKey.statusCode).toBe(401);
    expect(wrongKey.json().message).toContain('signature does not match');
    const stale = await post(payload, signedHeaders(payload, h.clock.now() - 10 * 60_000));
    expect(stale.statusCode).toBe(401);
    expect(stale.json().message).toContain('window');
    const tampered = await post(JSON.stringify({ from: PHONE, text: '1' }), signedHeaders(payload, h.clock.now()));
    expect(tampered.statusCode).toBe(401);
    // None of them touched the order.
    const o = await h.req('GET', `/work-orders/${orderId}`, await h.as('supervisor'));
    expect(o.body.satisfaction.result).toBeUndefined();
  });

  it('accepts a signed reply and records the satisfaction', async () => {
    const payload = JSON.stringify({ from: PHONE, text: '1' });
    const ok = await post(payload, signedHeaders(payload, h.clock.now()));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ matched: true, orderId, satisfaction: 'satisfied' });
    const unknown = JSON.stringify({ from: '13111111111', text: '1' });
    const r = await post(unknown, signedHeaders(unknown, h.clock.now()));
    expect(r.json()).toEqual({ matched: false });
  });
});

describe('SMS gateways and logs', () => {
  it('never writes a full phone number to the log, whether the SMS is sent or fails', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger({ level: 'info', pretty: false, destination });
    const store = openStore({ dataDir: ':memory:' });
    try {
      const clock = new FakeClock();
      const ok = new SatisfactionSms(new LogOnlySmsGateway(logger), new SqliteSmsRepo(store.sqlite), clock, logger);
      expect(await ok.sendSurvey(1, PHONE, '满意请回复1')).toBe('sent');
      const failing = new SatisfactionSms(
        {
          name: 'down',
          send: async () => {
            throw new SmsGatewayError('gateway down');
          },
        },
        new SqliteSmsRepo(store.sqlite),
        clock,
        logger,
      );
      expect(await failing.sendSurvey(2, PHONE, '满意请回复1')).toBe('failed');
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.join('')).not.toContain(PHONE);
      expect(lines.join('')).toContain('138****1234');
    } finally {
      store.close();
    }
  });

  it('the HTTP gateway posts JSON with the token and reports non-2xx answers and timeouts as errors', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const g = new HttpSmsGateway({
      url: 'http://127.0.0.1:9/send',
      token: 'tok',
      fetch: (async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return new Response(JSON.stringify({ id: 'm-1' }), { status: 200 });
      }) as typeof fetch,
    });
    expect(await g.send({ to: PHONE, body: 'hi' })).toEqual({ gatewayId: 'm-1' });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ to: PHONE, body: 'hi' });
    expect((calls[0]!.init.headers as Record<string, string>)['authorization']).toBe('Bearer tok');
    const bad = new HttpSmsGateway({
      url: 'http://127.0.0.1:9/send',
      fetch: (async () => new Response('quota', { status: 429 })) as unknown as typeof fetch,
    });
    await expect(bad.send({ to: PHONE, body: 'hi' })).rejects.toMatchObject({ status: 429 });
    const hang = new HttpSmsGateway({
      url: 'http://127.0.0.1:9/send',
      timeoutMs: 50,
      fetch: ((_u: string, init: RequestInit) =>
        new Promise((_r, reject) =>
          init.signal?.addEventListener('abort', () => reject(Object.assign(new Error('t'), { name: 'TimeoutError' }))),
        )) as unknown as typeof fetch,
    });
    await expect(hang.send({ to: PHONE, body: 'hi' })).rejects.toThrow(/did not answer within 50 ms/);
  });
});
