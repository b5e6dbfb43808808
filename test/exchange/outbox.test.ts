import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/exchange/outbox-sender.ts';
import { pendingDeadline } from '../../src/work-orders/work-order-service.ts';
import { EXCHANGE_SECRET, outboxHarness, type OutboxHarness } from './harness.ts';
import { Receiver, until } from './receiver.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

describe('exchange outbox: written with the transition', () => {
  let h: OutboxHarness | undefined;
  afterEach(async () => h?.close());

  it('given the outbox on, when an order is taken and answered, then one record per transition is kept in order', async () => {
    h = outboxHarness();
    const id = await h.order(1, true);
    const rows = await h.module.exchange.due(h.clock.now(), 10);
    // Only the oldest record of an order may go.
    expect(rows.map((r) => [r.orderId, r.orderVersion])).toEqual([[id, 1]]);
    expect(await h.module.exchange.figures()).toMatchObject({ pending: 2, failed: 0 });
    const record = JSON.parse(rows[0]!.record);
    expect(record).toMatchObject({ format: '12345-exchange/1', orderId: id, status: 'registered', version: 1 });
  });

  it('given a transition that loses its version race, when it is refused, then no outbox record is written either', async () => {
    h = outboxHarness();
    const id = await h.order(2);
    const stored = (await h.module.repo.load(id))!;
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
      at: h!.clock.now(),
    });
    expect(await h.module.repo.commit(change(stored.order.version + 5))).toBe('conflict');
    expect((await h.module.exchange.figures()).pending).toBe(1);
    expect(await h.module.repo.commit(change(stored.order.version))).toBe('ok');
    expect((await h.module.exchange.figures()).pending).toBe(2);
  });
});

// Runs on both stores (issue 12).
describe.each(STORE_KINDS)('on %s: exchange outbox sender against a local receiver', (kind) => {
  const stores = storeFactory(kind);
  const harness = async () => outboxHarness(kind === 'postgres' ? (await stores.fresh()).repos : undefined);
  let h: OutboxHarness | undefined;
  let rx: Receiver | undefined;
  afterEach(async () => {
    await h?.close();
    await rx?.close();
    h = undefined;
    rx = undefined;
  });

  it('given a receiver that fails, when the sender pushes, then it retries with backoff and the record is kept until acknowledged', async () => {
    h = await harness();
    rx = await new Receiver(EXCHANGE_SECRET, (n) => (n < 2 ? 'fail' : 'ack')).start();
    const id = await h.order(3);
    const sender = h.sender(rx.url);
    sender.start();
    await until(
      async () => rx!.deliveries.length === 1 && (await h!.module.exchange.figures()).failed === 1,
      'first failure',
    );
    await sender.idle();
    expect(await sender.refreshFigures()).toMatchObject({ pending: 1, failed: 1, acknowledged: 0 });
    // Backoff: nothing before 1 s, the second try at 1 s, the third 2 s after that.
    await h.clock.advanceAsync(999);
    await sender.idle();
    expect(rx.deliveries).toHaveLength(1);
    await h.clock.advanceAsync(1);
    await until(() => rx!.deliveries.length === 2, 'second try');
    await sender.idle();
    await h.clock.advanceAsync(1_999);
    await sender.idle();
    expect(rx.deliveries).toHaveLength(2);
    await h.clock.advanceAsync(1);
    await until(async () => (await sender.refreshFigures()).pending === 0, 'acknowledged');
    expect(sender.figures()).toMatchObject({ pending: 0, failed: 0, lagMs: 0, acknowledged: 1 });
    expect(rx.deliveries.every((d) => d.signatureOk && d.orderId === id && d.version === 1)).toBe(true);
    expect(backoffDelay(1, 1_000, 300_000)).toBe(1_000);
    expect(backoffDelay(30, 1_000, 300_000)).toBe(300_000);
  });

  it('given a receiver that does not answer, when the push times out, then it is sent again and the duplicate is told apart by its id', async () => {
    h = await harness();
    rx = await new Receiver(EXCHANGE_SECRET, (n) => (n === 0 ? 'hang' : 'ack')).start();
    await h.order(4);
    const sender = h.sender(rx.url);
    sender.start();
    await until(() => rx!.deliveries.length === 1, 'first push arrives');
    h.clock.advance(60_000);
    expect((await sender.refreshFigures()).lagMs).toBe(60_000);
    // The timeout was armed at the push: 60 s later it has fired; the retry waits for its backoff.
    await until(async () => (await h!.module.exchange.figures()).failed === 1, 'timeout recorded');
    await sender.idle();
    await h.clock.advanceAsync(1_000);
    await until(async () => (await sender.refreshFigures()).pending === 0, 'acknowledged after the retry');
    expect(rx.deliveries.map((d) => d.id)).toEqual([rx.deliveries[0]!.id, rx.deliveries[0]!.id]);
    expect(sender.figures().acknowledged).toBe(1);
  });

  it('given acknowledgements that repeat an earlier id, when they arrive, then the current record stays and goes again', async () => {
    h = await harness();
    let lastAcked = '';
    rx = await new Receiver(EXCHANGE_SECRET, (n, d) => {
      // The second push is answered with the first record's id again (a duplicated acknowledgement).
      if (n === 1) return { ackId: lastAcked };
      lastAcked = d.id;
      return 'ack';
    }).start();
    const id = await h.order(5, true);
    const sender = h.sender(rx.url);
    sender.start();
    await until(
      async () => rx!.deliveries.length === 2 && (await sender.refreshFigures()).failed === 1,
      'stale ack refused',
    );
    await sender.idle();
    expect(await sender.refreshFigures()).toMatchObject({ pending: 1, acknowledged: 1 });
    await h.clock.advanceAsync(1_000);
    await until(async () => (await sender.refreshFigures()).pending === 0, 'all acknowledged');
    expect(rx.firstDeliveries().get(id)).toEqual([1, 2]);
    expect(rx.deliveries.map((d) => d.version)).toEqual([1, 2, 2]);
  });

  it("given several orders and a flaky receiver, when all is pushed, then every record arrives and each order's records in order", async () => {
    h = await harness();
    rx = await new Receiver(EXCHANGE_SECRET, (n) => (n % 3 === 1 ? 'fail' : 'ack')).start();
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push(await h.order(10 + i, true));
    const sender = h.sender(rx.url, { concurrency: 3 });
    sender.start();
    for (let i = 0; i < 40 && (await sender.refreshFigures()).pending > 0; i++) {
      await until(() => true, 'turn');
      await sender.idle();
      await h.clock.advanceAsync(2_000);
    }
    expect(sender.figures().pending).toBe(0);
    // Every record counted once as acknowledged, also when acknowledgement groups overlap on PostgreSQL.
    expect(sender.figures().acknowledged).toBe(8);
    const per = rx.firstDeliveries();
    for (const id of ids) expect(per.get(id)).toEqual([1, 2]);
    // Never two pushes of one order at once: a record was first sent only after its predecessor was acknowledged.
    for (const id of ids) {
      const seq = rx.deliveries.filter((d) => d.orderId === id).map((d) => d.version);
      expect(seq.indexOf(2)).toBeGreaterThan(seq.lastIndexOf(1));
    }
  });
});
