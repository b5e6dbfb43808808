import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { SqliteExchangeRepo } from '../store/exchange-repo.ts';
import { AttachmentStore } from '../work-orders/attachment-store.ts';
import type { WorkOrderModule } from '../work-orders/module.ts';
import { IntakeService } from './intake-service.ts';
import { ProofOfWork } from './proof-of-work.ts';
import { SlidingWindowLimiter } from './rate-limiter.ts';
import { publicFormRoutes } from './routes-public-form.ts';
import { intakeRoutes, parseCredentials } from './routes-intake.ts';

export interface IntakeModule {
  service: IntakeService;
  plugins: FastifyPluginAsync[];
}

/** Citizen intake (issue 13 item 1): the signed channel API, the status look-up and the public form. */
export function createIntakeModule(o: {
  config: Config['intake'];
  workOrders: Pick<WorkOrderModule, 'orders' | 'repo' | 'exchange'>;
  clock: Clock;
  logger: Logger;
  dataDir: string;
}): IntakeModule {
  const c = o.config;
  const service = new IntakeService({
    orders: o.workOrders.orders,
    repo: o.workOrders.repo,
    receipts: o.workOrders.exchange,
    ...(o.workOrders.exchange instanceof SqliteExchangeRepo ? { syncReceipts: o.workOrders.exchange } : {}),
    attachments: new AttachmentStore(o.dataDir),
    clock: o.clock,
    logger: o.logger.child({ component: 'intake' }),
    perNumber: new SlidingWindowLimiter(o.clock, c.perNumberPerHour, 3_600_000),
    perCredential: new SlidingWindowLimiter(o.clock, c.perCredentialPerMinute, 60_000),
    maxAttachments: c.maxAttachments,
    maxAttachmentBytes: c.maxAttachmentBytes,
  });
  // base64 grows the files by 4/3; the text fields need far less than 64 KiB.
  const bodyLimit = Math.ceil((c.maxAttachments * c.maxAttachmentBytes * 4) / 3) + 65_536;
  const plugins: FastifyPluginAsync[] = [
    intakeRoutes({
      intake: service,
      credentials: parseCredentials(c.credentials),
      clock: o.clock,
      statusLimiter: new SlidingWindowLimiter(o.clock, 30, 60_000),
      bodyLimit,
    }),
  ];
  if (c.publicForm)
    plugins.push(
      publicFormRoutes({
        intake: service,
        pow: new ProofOfWork(o.clock, c.powBits),
        categories: () => o.workOrders.orders.categories(),
        challengeLimiter: new SlidingWindowLimiter(o.clock, 30, 60_000),
        bodyLimit,
      }),
    );
  return { service, plugins };
}
