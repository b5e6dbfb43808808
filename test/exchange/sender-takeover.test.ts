// Several instances on one PostgreSQL (issue 12): one pushes the outbox (the sender lock), and when it dies another
// takes over and resumes each order where it stopped.
import { afterEach, describe, expect, it } from 'vitest';
import { OutboxSender } from '../../src/exchange/outbox-sender.ts';
import { SenderDuty } from '../../src/exchange/sender-duty.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { PgExchangeRepo } from '../../src/store/pg-exchange-repo.ts';
import { openPgStore, type PgStore } from '../../src/store/pg-store.ts';
import { pgRepositories } from '../../src/store/repositories.ts';
import { createWorkOrderModule } from '../../src/work-orders/module.ts';
import { SYSTEM_CALLER } from '../../src/work-orders/work-order-service.ts';
import { storeFactory } from '../support/stores.ts';
import { EXCHANGE_SECRET, supervisor } from './harness.ts';
import { Receiver, until } from './receiver.ts';

const logger = createLogger({ level: 'silent', pretty: false });

describe('exchange sender on one instance of several (PostgreSQL)', () => {
  const stores = storeFactory('postgres');
  const open: { close(): Promise<void> | void }[] = [];
  let rx: Receiver | undefined;
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
    await rx?.close();
    rx = undefined;
  });

  /** One instance: its own pool on the shared database, a sender and its duty. */
  async function instance(url: string, clock: FakeClock, endpoint: string) {
    const store: PgStore = await openPgStore({ url, poolSize: 4 });
    open.push(store);
    const repo = new PgExchangeRepo(store.pool);
    const sender = new OutboxSender({
      repo,
      endpoint,
      secret: EXCHANGE_SECRET,
      clock,
      logger,
      concurrency: 2,
      timeoutMs: 600_000,
    });
    const duty = new SenderDuty({ sender, tryLock: () => repo.trySenderLock(), clock, logger, retryMs: 1_000 });
    open.push({ close: () => duty.stop() });
    return { store, repo, sender, duty };
  }

  it('given two instances, when the pushing one dies mid-push, then the other takes over and every order arrives whole and in order', async () => {
    const url = (await stores.freshUrl())!;
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    // Given 4 orders with two transitions each in the outbox, written through PostgreSQL.
    const writer = await openPgStore({ url, poolSize: 2 });
    open.push(writer);
    const local: Store = openStore({ dataDir: ':memory:' });
    open.push(local);
    const m = createWorkOrderModule({
      store: local,
      repos: pgRepositories(writer),
      clock,
      logger,
      dataDir: ':memory:',
      startScanner: false,
      exchangeOutbox: true,
    });
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { order } = await m.orders.intake(
        {
          channel: 'website',
          type: 'consultation',
          category: 'government.policy',
          content: `第${i}号咨询：医保异地备案怎么办理`,
          requesterPhone: `1370000${String(i).padStart(4, '0')}`,
        },
        SYSTEM_CALLER,
      );
      await m.orders.act(order.id, { action: 'answer-directly', answer: '在国家医保服务平台办理' }, supervisor);
      ids.push(order.id);
    }
    // The receiver acknowledges two pushes and then holds its answers: the first instance is mid-push.
    rx = await new Receiver(EXCHANGE_SECRET, (n) => (n < 2 ? 'ack' : 'hang')).start();
    const a = await instance(url, clock, rx.url);
    const b = await instance(url, clock, rx.url);

    // When both start, only one holds the sender lock and pushes.
    a.duty.start();
    await until(() => a.duty.holding, 'a takes the sender lock');
    b.duty.start();
    await b.duty.tick();
    expect(b.duty.holding).toBe(false);
    await until(() => rx!.deliveries.length === 4, 'a pushes two and holds two in flight');
    const inFlight = rx.deliveries.slice(2).map((d) => d.id);

    // When a dies (its database session ends, as with kill -9 or a cut network; its pushes are abandoned).
    const lockSessions = await writer.pool.query<{ pid: number }>(
      "select pid from pg_locks where locktype = 'advisory' and granted and objid = $1",
      [0x12_3451],
    );
    expect(lockSessions.rows).toHaveLength(1);
    await a.sender.stop();
    await writer.pool.query('select pg_terminate_backend($1)', [lockSessions.rows[0]!.pid]);
    await until(() => !a.duty.holding, 'a notices its lock is gone');
    await a.duty.stop(); // the process is gone: it tries no more
    rx.behaviour = () => 'ack';

    // Then b takes the lock at its next try and drains the outbox.
    await clock.advanceAsync(1_000);
    await until(() => b.duty.holding, 'b takes over');
    await until(async () => (await b.sender.refreshFigures()).pending === 0, 'b drains the outbox');
    const per = rx.firstDeliveries();
    for (const id of ids) expect(per.get(id)).toEqual([1, 2]);
    // At least once: the pushes in flight at the death came again; every record arrived.
    for (const id of inFlight) expect(rx.deliveries.filter((d) => d.id === id).length).toBeGreaterThanOrEqual(2);
    expect(new Set(rx.deliveries.map((d) => d.id)).size).toBe(8);
  });

  it('given the lock holder, when it releases the lock, then a standby takes it and a second try is refused while held', async () => {
    const url = (await stores.freshUrl())!;
    const one = await openPgStore({ url, poolSize: 2 });
    const two = await openPgStore({ url, poolSize: 2 });
    open.push(one, two);
    const first = await new PgExchangeRepo(one.pool).trySenderLock();
    expect(first).not.toBeNull();
    expect(await first!.held()).toBe(true);
    expect(await new PgExchangeRepo(two.pool).trySenderLock()).toBeNull();
    await first!.release();
    expect(await first!.held()).toBe(false);
    const second = await new PgExchangeRepo(two.pool).trySenderLock();
    expect(second).not.toBeNull();
    await second!.release();
  });
});
