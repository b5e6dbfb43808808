import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { signWebhook } from '../../src/sms/webhook-signature.ts';
import { bearer, startTestServer, tokenFor, type TestServer } from '../platform/helpers.ts';
import { EXCHANGE_SECRET } from './harness.ts';
import { Receiver, until } from './receiver.ts';

const INBOUND_SECRET = 'regional-inbound-secret-0123456789';

// Runs on both stores (issue 12): with DATABASE_URL the outbox, the regional ids and the sender live in PostgreSQL.
describe.each(STORE_KINDS)('on %s: regional platform exchange through the server', (kind) => {
  const stores = storeFactory(kind);
  let s: TestServer;
  let clock: FakeClock;
  let rx: Receiver;
  beforeAll(async () => {
    clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    rx = await new Receiver(EXCHANGE_SECRET).start();
    const url = await stores.freshUrl();
    s = await startTestServer({
      clock,
      scanner: false,
      env: {
        EXCHANGE_ENDPOINT: rx.url,
        EXCHANGE_SECRET,
        EXCHANGE_WEBHOOK_SECRET: INBOUND_SECRET,
        ...(url ? { DATABASE_URL: url } : {}),
      },
    });
  }, 60_000);
  afterAll(async () => {
    await s?.cleanup();
    await rx?.close();
  });

  const assignment = (regionalId: string, over: Record<string, unknown> = {}) => ({
    format: '12345-exchange/1',
    regionalId,
    channel: 'phone',
    type: 'help',
    category: 'utilities.water-outage',
    content: '自治区平台转办：某小区停水两天无人处理',
    location: '兴宁区某小区',
    requester: { name: '李女士', phone: '13912345678' },
    ...over,
  });
  const post = (body: unknown, secret = INBOUND_SECRET, at = clock.now()) => {
    const payload = JSON.stringify(body);
    const ts = String(at);
    return s.app.inject({
      method: 'POST',
      url: '/exchange/incoming',
      payload,
      headers: {
        'content-type': 'application/json',
        'x-exchange-timestamp': ts,
        'x-exchange-signature': signWebhook(secret, ts, payload),
      },
    });
  };

  it('given an unsigned or wrongly signed assignment, when it arrives, then 401 and no order', async () => {
    const unsigned = await s.app.inject({
      method: 'POST',
      url: '/exchange/incoming',
      payload: assignment('R-0'),
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.statusCode).toBe(401);
    expect((await post(assignment('R-0'), 'wrong-secret-0123456789abcdef')).statusCode).toBe(401);
    expect(await s.workOrders.exchange.inboundOrder('R-0')).toBeNull();
  });

  it('given a signed assignment delivered twice and twice at once, when taken in, then each regional id makes one local order', async () => {
    const first = await post(assignment('R-1'));
    expect(first.statusCode).toBe(201);
    const orderId = first.json().orderId as number;
    expect(await s.workOrders.repo.get(orderId)).toMatchObject({ channel: 'phone', status: 'registered' });
    clock.advance(1_000); // a new signature: a redelivery, not a replay of the same request
    const again = await post(assignment('R-1'));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ orderId, duplicate: true, regionalId: 'R-1' });

    const [a, b] = await Promise.all([
      post(assignment('R-2')),
      post(assignment('R-2', { content: '同一转办单的第二次投递' })),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 201]);
    expect(a.json().orderId).toBe(b.json().orderId);
  });

  it('given a crash after the order was written but before its regional id pointed at it, when redelivered, then no second order', async () => {
    // The state such a crash leaves: the id claimed, the order written by its creator, the claim not updated.
    await s.workOrders.exchange.claimInbound('R-7', clock.now());
    const { order } = await s.workOrders.orders.intake(
      {
        channel: 'website',
        type: 'help',
        category: 'other',
        content: '自治区平台转办：路灯不亮',
        viaRegionalPlatform: true,
      },
      { id: 'regional:R-7', role: 'system', unitId: null, permissions: new Set() },
    );
    clock.advance(1_000);
    const redelivered = await post(assignment('R-7', { channel: 'website', category: 'other' }));
    expect(redelivered.statusCode).toBe(200);
    expect(redelivered.json()).toEqual({ orderId: order.id, duplicate: true, regionalId: 'R-7' });
    expect(await s.workOrders.exchange.inboundOrder('R-7')).toBe(order.id);
  });

  it('given a fresh claim without its order (another instance taking it in), when redelivered, then 409 until the claim is stale, then one order', async () => {
    // Another instance sharing the store claimed R-8 a moment ago and is still writing its order.
    expect(await s.workOrders.exchange.claimInbound('R-8', clock.now())).toBe(true);
    clock.advance(1_000);
    const busy = await post(assignment('R-8'));
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ code: 'regional-id-in-progress' });
    expect(busy.json().message).toContain('R-8');
    // When no order came of that claim within 30 s, it was cut short by a crash: the redelivery takes it in.
    clock.advance(30_000);
    const taken = await post(assignment('R-8'));
    expect(taken.statusCode).toBe(201);
    expect(await s.workOrders.exchange.inboundOrder('R-8')).toBe(taken.json().orderId);
    clock.advance(1_000);
    expect((await post(assignment('R-8'))).json()).toEqual({
      orderId: taken.json().orderId,
      duplicate: true,
      regionalId: 'R-8',
    });
  });

  it('given a bad field, when signed and sent, then 400 names it', async () => {
    const r = await post(assignment('R-3', { type: 'gossip' }));
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toContain('type');
  });

  it('given the endpoint configured, when orders change, then their records reach the receiver and the figures show the outbox', async () => {
    const orderId = (await s.workOrders.exchange.inboundOrder('R-1'))!;
    await until(() => rx.deliveries.some((d) => d.orderId === orderId), 'pushed');
    expect(rx.deliveries.every((d) => d.signatureOk)).toBe(true);
    await until(async () => (await s.workOrders.exchange.figures()).pending === 0, 'drained');
    // The wallboard's figures are read after each change; the last read follows the last acknowledgement.
    const token = await tokenFor(s, 'supervisor');
    const live = async () =>
      (await s.app.inject({ method: 'GET', url: '/calls/live', headers: bearer(token) })).json().exchange;
    await until(async () => (await live()).pending === 0, 'the wallboard shows the outbox drained');
    expect(await live()).toMatchObject({ pending: 0, failed: 0, lagMs: 0 });
    expect((await live()).acknowledged).toBeGreaterThanOrEqual(2);
  });
});
