import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { WorkOrderModule } from '../work-orders/module.ts';
import { PgExchangeRepo } from '../store/pg-exchange-repo.ts';
import { OutboxSender, type ExchangeFigures } from './outbox-sender.ts';
import { SenderDuty } from './sender-duty.ts';
import { regionalWebhookRoutes } from './routes-regional-webhook.ts';

export interface ExchangeModule {
  /** Null when no regional endpoint is configured (nothing is written to the outbox then). */
  sender: OutboxSender | null;
  plugin: FastifyPluginAsync;
  /** For the supervisor figures; null when the exchange is off. */
  figures(): ExchangeFigures | null;
  /**
   * Starts pushing: at once on SQLite (one process per file); on PostgreSQL only while this instance holds the
   * sender lock, so that one instance of several pushes (sender-duty.ts).
   */
  start(): void;
  stop(): Promise<void>;
}

/** Whether order transitions go to the outbox: only when there is somewhere to push them. */
export function exchangeEnabled(c: Config['exchange']): boolean {
  return c.endpoint !== undefined;
}

/** Real-time exchange with the regional platform (issue 13 item 2, art. 5, 16). */
export function createExchangeModule(o: {
  config: Config['exchange'];
  workOrders: Pick<WorkOrderModule, 'orders' | 'exchange'>;
  clock: Clock;
  logger: Logger;
}): ExchangeModule {
  const c = o.config;
  if (c.endpoint !== undefined && c.secret === undefined)
    throw new Error('exchange.endpoint is set but exchange.secret (EXCHANGE_SECRET) is not: records must be signed');
  const sender =
    c.endpoint !== undefined && c.secret !== undefined
      ? new OutboxSender({
          repo: o.workOrders.exchange,
          endpoint: c.endpoint,
          secret: c.secret,
          clock: o.clock,
          logger: o.logger.child({ component: 'exchange' }),
          timeoutMs: c.timeoutMs,
          concurrency: c.concurrency,
        })
      : null;
  const repo = o.workOrders.exchange;
  const duty =
    sender && repo instanceof PgExchangeRepo
      ? new SenderDuty({ sender, tryLock: () => repo.trySenderLock(), clock: o.clock, logger: o.logger })
      : null;
  return {
    sender,
    start: () => (duty ? duty.start() : sender?.start()),
    stop: async () => (duty ? duty.stop() : sender?.stop()),
    plugin: regionalWebhookRoutes({
      orders: o.workOrders.orders,
      exchange: o.workOrders.exchange,
      secret: c.webhookSecret,
      clock: o.clock,
    }),
    figures: () => sender?.figures() ?? null,
  };
}
