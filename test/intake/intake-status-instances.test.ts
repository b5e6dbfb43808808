// Issue 12: with PostgreSQL as the store, a tracking code handed out by one instance is known to every other
// instance (each has its own DATA_DIR), so the citizen's status look-up may land on any of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { signWebhook } from '../../src/sms/webhook-signature.ts';
import { startTestServer, type TestServer } from '../platform/helpers.ts';
import { storeFactory } from '../support/stores.ts';

const SECRET = 'wechat-secret-0123456789abcdef';
const PHONE = '13812340001';

describe('intake status by tracking code across two instances on one PostgreSQL', () => {
  const stores = storeFactory('postgres');
  let a: TestServer;
  let b: TestServer;
  let clock: FakeClock;
  beforeAll(async () => {
    clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    const url = (await stores.freshUrl())!;
    const env = { INTAKE_CREDENTIALS: `wechat:wx-backend:${SECRET}`, DATABASE_URL: url };
    a = await startTestServer({ clock, scanner: false, env });
    b = await startTestServer({ clock, scanner: false, env });
  }, 60_000);
  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
  });

  it('given a submission taken by one instance, when its status is asked on the other, then it answers from the shared store', async () => {
    const payload = JSON.stringify({
      type: 'complaint',
      category: 'environment.noise',
      content: '小区旁工地夜间施工噪音扰民',
      phone: PHONE,
    });
    const ts = String(clock.now());
    const taken = await a.app.inject({
      method: 'POST',
      url: '/intake/wechat',
      payload,
      headers: {
        'content-type': 'application/json',
        'x-intake-key': 'wx-backend',
        'x-intake-timestamp': ts,
        'x-intake-signature': signWebhook(SECRET, ts, payload),
      },
    });
    expect(taken.statusCode).toBe(201);
    const code = taken.json().trackingCode as string;

    const there = await b.app.inject({ method: 'GET', url: `/intake/status?code=${code}&phone=${PHONE}` });
    expect(there.statusCode).toBe(200);
    expect(there.json()).toMatchObject({ trackingCode: code, status: 'registered', statusText: '已受理，等待派单' });
    // The other instance's SQLite file holds no receipt: the code is in PostgreSQL only.
    expect(b.store.sqlite.prepare('select count(*) as n from intake_receipts').get()).toEqual({ n: 0 });
    expect(a.store.sqlite.prepare('select count(*) as n from intake_receipts').get()).toEqual({ n: 0 });
  });
});
