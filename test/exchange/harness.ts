import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { permissionsOf } from '../../src/auth/permissions.ts';
import { OutboxSender, type OutboxSenderOptions } from '../../src/exchange/outbox-sender.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import type { Repositories } from '../../src/store/repositories.ts';
import { createWorkOrderModule, type WorkOrderModule } from '../../src/work-orders/module.ts';
import { SYSTEM_CALLER, type Caller } from '../../src/work-orders/work-order-service.ts';

export const EXCHANGE_SECRET = 'exchange-secret-0123456789abcdef';
export const supervisor: Caller = {
  id: '9',
  role: 'supervisor',
  unitId: null,
  permissions: permissionsOf('supervisor'),
};

export interface OutboxHarness {
  dir: string;
  store: Store;
  clock: FakeClock;
  module: WorkOrderModule;
  /** Takes an order (one record) and, with `answered`, answers it directly (a second record). */
  order(n: number, answered?: boolean): Promise<number>;
  sender(endpoint: string, o?: Partial<OutboxSenderOptions>): OutboxSender;
  close(): Promise<void>;
}

/**
 * A work-order module with the exchange outbox on, over a database file in a fresh temp dir; with `repos`
 * (test/support/stores.ts), the work orders and the outbox live in that store instead.
 */
export function outboxHarness(repos?: Repositories): OutboxHarness {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  const store = openStore({ dataDir: dir });
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
  const logger = createLogger({ level: 'silent', pretty: false });
  const module = createWorkOrderModule({
    store,
    clock,
    logger,
    dataDir: dir,
    startScanner: false,
    exchangeOutbox: true,
    ...(repos ? { repos } : {}),
  });
  const senders: OutboxSender[] = [];
  return {
    dir,
    store,
    clock,
    module,
    async order(n, answered = false) {
      const { order } = await module.orders.intake(
        {
          channel: 'website',
          type: 'consultation',
          category: 'government.policy',
          content: `第${n}号咨询：社保卡补办需要哪些材料和流程`,
          requesterPhone: `1380000${String(n).padStart(4, '0')}`,
        },
        SYSTEM_CALLER,
      );
      if (answered)
        await module.orders.act(
          order.id,
          { action: 'answer-directly', answer: '携带身份证到社保窗口办理' },
          supervisor,
        );
      return order.id;
    },
    sender(endpoint, o = {}) {
      const s = new OutboxSender({
        repo: module.exchange,
        endpoint,
        secret: EXCHANGE_SECRET,
        clock,
        logger,
        backoffBaseMs: 1_000,
        timeoutMs: 5_000,
        ...o,
      });
      senders.push(s);
      return s;
    },
    async close() {
      await Promise.all(senders.map((s) => s.stop()));
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
