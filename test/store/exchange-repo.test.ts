// The exchange repository's contract on both stores (issue 12): the outbox written in the order's own
// transaction, per-order order, acknowledgement and backoff, inbound regional ids and intake receipts.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { createWorkOrderModule, type WorkOrderModule } from '../../src/work-orders/module.ts';
import { pendingDeadline, SYSTEM_CALLER } from '../../src/work-orders/work-order-service.ts';
import { supervisor } from '../exchange/harness.ts';
import { STORE_KINDS, storeFactory, type StoreUnderTest } from '../support/stores.ts';

const NOW = Date.UTC(2026, 0, 5, 2, 0, 0);

describe.each(STORE_KINDS)('exchange repository on %s', (kind) => {
  const stores = storeFactory(kind);
  let s: StoreUnderTest;
  let local: Store | undefined;
  afterEach(async () => {
    await s?.close();
    local?.close();
    local = undefined;
  });

  /** A work-order module with the outbox on, over the store under test (the call records stay in SQLite). */
  async function module(onOutboxWrite?: () => void): Promise<{ m: WorkOrderModule; clock: FakeClock }> {
    s = await stores.fresh();
    local = openStore({ dataDir: ':memory:' });
    const clock = new FakeClock(NOW);
    const m = createWorkOrderModule({
      store: local,
      repos: s.repos,
      clock,
      logger: createLogger({ level: 'silent', pretty: false }),
      dataDir: ':memory:',
      startScanner: false,
      exchangeOutbox: true,
      ...(onOutboxWrite ? { onOutboxWrite } : {}),
    });
    return { m, clock };
  }

  const take = async (m: WorkOrderModule, n: number, answered = false) => {
    const { order } = await m.orders.intake(
      {
        channel: 'website',
        type: 'consultation',
        category: 'government.policy',
        content: `第${n}号咨询：公积金提取需要哪些材料`,
        requesterPhone: `1390000${String(n).padStart(4, '0')}`,
      },
      SYSTEM_CALLER,
    );
    if (answered)
      await m.orders.act(order.id, { action: 'answer-directly', answer: '携带身份证到窗口办理' }, supervisor);
    return order.id;
  };

  it('given the outbox on, when orders are taken and answered, then each transition is one record and only the oldest of each order is due', async () => {
    let woken = 0;
    const { m, clock } = await module(() => woken++);
    const a = await take(m, 1, true);
    const b = await take(m, 2);
    await new Promise((r) => setImmediate(r));
    expect(woken).toBeGreaterThan(0);
    expect(await m.exchange.figures()).toEqual({ pending: 3, failed: 0, oldestCreatedAt: NOW });
    const due = await m.exchange.due(clock.now(), 10);
    expect(due.map((r) => [r.orderId, r.orderVersion])).toEqual([
      [a, 1],
      [b, 1],
    ]);
    expect(JSON.parse(due[0]!.record)).toMatchObject({ format: '12345-exchange/1', orderId: a, version: 1 });

    // When the head of order a is acknowledged, its second record becomes due.
    expect(await m.exchange.ackAll([due[0]!.id])).toBe(1);
    expect(await m.exchange.ackAll([due[0]!.id])).toBe(0);
    const next = await m.exchange.due(clock.now(), 10);
    expect(next.map((r) => [r.orderId, r.orderVersion])).toEqual([
      [a, 2],
      [b, 1],
    ]);
  });

  it('given a failed push, when it is recorded, then the record waits for its backoff and counts as failed', async () => {
    const { m, clock } = await module();
    const a = await take(m, 3, true);
    const [head] = await m.exchange.due(clock.now(), 10);
    await m.exchange.fail(head!.id, clock.now(), `HTTP 503 ${'x'.repeat(600)}`, clock.now() + 1_000);
    expect(await m.exchange.figures()).toMatchObject({ pending: 2, failed: 1 });
    // The order's second record does not overtake the failed first one.
    expect(await m.exchange.due(clock.now(), 10)).toEqual([]);
    expect(await m.exchange.nextHeadAttemptAt()).toBe(NOW + 1_000);
    const again = await m.exchange.due(clock.now() + 1_000, 10);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ orderId: a, orderVersion: 1, attempts: 1 });
    expect(again[0]!.lastError).toHaveLength(500);
  });

  it('given a transition that loses its version race, when it is refused, then no outbox record is written either', async () => {
    const { m } = await module();
    const id = await take(m, 4);
    const stored = (await m.repo.load(id))!;
    const change = (version: number) => ({
      order: { ...stored.order, version: stored.order.version + 1 },
      index: {
        nextDeadlineAt: pendingDeadline(stored.order)?.at ?? null,
        nextCheckAt: null,
        nextDeadlineKind: null,
        supervisionLevel: 0,
        fastResponse: false,
        createdBy: 'system',
      },
      expectedVersion: version,
      audit: [],
      actorRole: 'system',
      at: NOW,
    });
    expect(await m.repo.commit(change(stored.order.version + 5))).toBe('conflict');
    expect((await m.exchange.figures()).pending).toBe(1);
    expect(await m.repo.commit(change(stored.order.version))).toBe('ok');
    expect((await m.exchange.figures()).pending).toBe(2);
  });

  it('given a regional id, when it is claimed twice and pointed at its order, then the second claim is refused and the order is found', async () => {
    s = await stores.fresh();
    const x = s.repos.exchange;
    expect(await x.inboundOrder('R-1')).toBeNull();
    expect(await x.claimInbound('R-1', NOW)).toBe(true);
    expect(await x.claimInbound('R-1', NOW + 5)).toBe(false);
    expect(await x.inbound('R-1')).toEqual({ orderId: 0, receivedAt: NOW });
    await x.setInbound('R-1', 42);
    expect(await x.inboundOrder('R-1')).toBe(42);
    expect(await x.orderCreatedBy('regional:R-1')).toBeNull();
  });

  it('given a tracking code, when it is stored twice, then the second is refused and the code finds its order', async () => {
    s = await stores.fresh();
    const x = s.repos.exchange;
    const r = { trackingCode: '1234567890', orderId: 7, channel: 'wechat', credentialId: 'wx-1', createdAt: NOW };
    expect(await x.addReceipt(r)).toBe(true);
    expect(await x.addReceipt({ ...r, orderId: 8 })).toBe(false);
    expect(await x.receipt('1234567890')).toEqual(r);
    expect(await x.receipt('0000000000')).toBeNull();
  });
});
