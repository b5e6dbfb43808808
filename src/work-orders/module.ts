import type { FastifyPluginAsync } from 'fastify';
import { organisationRoutes } from './routes-organisation.ts';
import { knowledgeRoutes } from './routes-knowledge.ts';
import { calendarRoutes } from './routes-calendar.ts';
import { smsWebhookRoutes } from './routes-sms-webhook.ts';
import { workOrderRoutes } from './routes-work-orders.ts';
import { workOrderStatisticsRoutes } from './routes-statistics.ts';
import { HotTopicsService } from './hot-topics.ts';
import { workOrderAdminRoutes } from './routes-admin.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { LogOnlySmsGateway } from '../sms/log-only-gateway.ts';
import type { SmsGateway } from '../sms/sms-gateway.ts';
import type { Store } from '../store/db.ts';
import { sqliteRepositories, type Repositories } from '../store/repositories.ts';
import { SqliteExchangeRepo, type ExchangeRepo } from '../store/exchange-repo.ts';
import { PgExchangeRepo } from '../store/pg-exchange-repo.ts';
import { PgWorkOrderRepo } from '../store/pg-work-orders-repo.ts';
import { toExchangeRecord } from './exchange-format.ts';
import { SqliteWorkOrderRepo, type NewNotice, type WorkOrderRepo } from '../store/work-orders-repo.ts';
import { type AreaTree, loadAreaTree } from './area-tree.ts';
import { AssessmentService } from './assessment-service.ts';
import { AssessmentPublisher } from './assessment-publication.ts';
import { assessmentPublicationRoutes } from './routes-assessment-publication.ts';
import { AttachmentStore } from './attachment-store.ts';
import { CalendarService } from './calendar-service.ts';
import { KnowledgeService } from './knowledge-service.ts';
import { OrganisationService } from './organisation-service.ts';
import { SatisfactionSms } from './satisfaction-sms.ts';
import { SupervisionScanner } from './supervision-scanner.ts';
import { WorkOrderService, type CallFacts, type WorkOrderNotifier } from './work-order-service.ts';

export interface WorkOrderModuleOptions {
  store: Store;
  /** The repositories (PostgreSQL when DATABASE_URL is set); default: SQLite ones over `store`. */
  repos?: Repositories;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  /** Regional calendar additions that apply, e.g. ['guangxi'] for 壮族三月三. */
  regions?: readonly string[];
  /** Default: the log-only gateway. */
  smsGateway?: SmsGateway;
  /** Shared secret of the SMS provider's reply webhook; without it the webhook refuses every call. */
  smsWebhookSecret?: string;
  scanIntervalMs?: number;
  /** Start the supervision scanner with the routes (default true). */
  startScanner?: boolean;
  /** Several instances: the scanner's timer passes run only while this holds (see ScannerDeps.runsHere). */
  scannerRunsHere?: () => Promise<boolean>;
  notifier?: WorkOrderNotifier;
  /** Told of each supervision notice the scanner records (SMS warning, yellow card, red card). */
  onSupervisionNotice?: (notice: NewNotice) => void;
  /** A call's caller and takers. Default: the call records; the server passes the call layer's, which also knows live calls. */
  callFacts?: (callId: string) => Promise<CallFacts | undefined>;
  /** Default: config/areas.json. */
  areas?: AreaTree;
  /** Write every order transition to the exchange outbox (art. 5), for the sender to push to the regional platform. */
  exchangeOutbox?: boolean;
  /** Told after an outbox record is written (the sender wakes up). */
  onOutboxWrite?: () => void;
}

/** Work orders, organisation, knowledge base, calendar and assessment wired over one store (no DI container). */
export interface WorkOrderModule {
  orders: WorkOrderService;
  organisation: OrganisationService;
  knowledge: KnowledgeService;
  calendar: CalendarService;
  assessment: AssessmentService;
  scanner: SupervisionScanner;
  sms: SatisfactionSms;
  smsGateway: SmsGateway;
  /** The work-order repository (PostgreSQL or SQLite); the call layer's caller history reads it too. */
  repo: WorkOrderRepo;
  /** The exchange outbox, regional ids taken in, and intake tracking codes (in the chosen store). */
  exchange: ExchangeRepo;
  /** Registers every route of the module (and loads stored calendar years first). */
  plugin: FastifyPluginAsync;
}

export function createWorkOrderModule(opts: WorkOrderModuleOptions): WorkOrderModule {
  const { store, clock, logger } = opts;
  const base = opts.repos ?? sqliteRepositories(store);
  const exchange = base.exchange;
  const onOutboxWrite = opts.onOutboxWrite;
  // Full personal data: the regional platform handles the order (art. 5, 16); never logged.
  const recordOf = (o: Parameters<typeof toExchangeRecord>[0]) => JSON.stringify(toExchangeRecord(o));
  // The outbox is written in the same transaction as the order (art. 5): with the exchange on, this module
  // builds its own work-order repository whose write hook appends the record on that transaction.
  const outboxRepo = (): WorkOrderRepo => {
    if (exchange instanceof SqliteExchangeRepo)
      return new SqliteWorkOrderRepo(store.sqlite, {
        onWrite: (o, at) => {
          exchange.appendSync(o.id, o.version, recordOf(o), at);
          if (onOutboxWrite) setImmediate(onOutboxWrite);
        },
      });
    if (exchange instanceof PgExchangeRepo && base.workOrders instanceof PgWorkOrderRepo)
      return base.workOrders.withHooks({
        onWrite: (c, o, at) => PgExchangeRepo.appendIn(c, o.id, o.version, recordOf(o), at),
        // After the commit, so the sender's look finds the records.
        ...(onOutboxWrite ? { onCommitted: onOutboxWrite } : {}),
      });
    throw new Error('the exchange outbox needs the work orders and the exchange in the same store');
  };
  const repos: Repositories = opts.exchangeOutbox ? { ...base, workOrders: outboxRepo() } : base;
  const audit = repos.audit;
  const orgRepo = repos.organisation;
  const repo = repos.workOrders;
  const callRecords = repos.calls;
  const calendar = new CalendarService({
    repo: repos.calendar,
    audit,
    clock,
    regions: opts.regions ?? [],
    logger,
  });
  const smsGateway = opts.smsGateway ?? new LogOnlySmsGateway(logger);
  const sms = new SatisfactionSms(smsGateway, repos.sms, clock, logger);
  const areas = opts.areas ?? loadAreaTree();
  const orders = new WorkOrderService({
    areas,
    repo,
    org: orgRepo,
    calendar,
    clock,
    logger,
    sms,
    attachments: new AttachmentStore(opts.dataDir),
    callFacts:
      opts.callFacts ??
      (async (callId) => {
        const row = await callRecords.getCall(callId);
        return row ? { callerNumber: row.callerNumber, takenBy: row.agentId ? [row.agentId] : [] } : undefined;
      }),
    ...(opts.notifier ? { notifier: opts.notifier } : {}),
  });
  const organisation = new OrganisationService(orgRepo, audit, clock);
  const knowledge = new KnowledgeService(repos.knowledge, orgRepo, audit, calendar, clock);
  const assessmentRepo = repos.assessment;
  const publisher = new AssessmentPublisher({ repo: assessmentRepo, orders: repo, clock });
  const assessment = new AssessmentService(repo, calendar, audit, clock, (appeal, caller) =>
    publisher.appealAccepted(appeal, caller),
  );
  const scanner = new SupervisionScanner({
    repo,
    orders,
    org: orgRepo,
    calendar,
    sms,
    clock,
    logger,
    ...(opts.scanIntervalMs ? { intervalMs: opts.scanIntervalMs } : {}),
    ...(opts.onSupervisionNotice ? { onNotice: opts.onSupervisionNotice } : {}),
    ...(opts.scannerRunsHere ? { runsHere: opts.scannerRunsHere } : {}),
  });

  const plugin: FastifyPluginAsync = async (app) => {
    await calendar.init();
    await app.register(workOrderRoutes({ orders, areas }));
    await app.register(workOrderAdminRoutes({ orders, scanner, assessment, repo, clock }));
    await app.register(workOrderStatisticsRoutes({ hotTopics: new HotTopicsService(repo, areas) }));
    await app.register(assessmentPublicationRoutes({ publisher, repo: assessmentRepo, org: orgRepo }));
    await app.register(organisationRoutes({ organisation }));
    await app.register(knowledgeRoutes({ knowledge }));
    await app.register(calendarRoutes({ calendar }));
    await app.register(smsWebhookRoutes({ orders, secret: opts.smsWebhookSecret, clock }));
    if (opts.startScanner !== false) {
      scanner.start();
      app.addHook('onClose', async () => {
        scanner.stop();
        await scanner.idle();
      });
    }
  };

  return {
    orders,
    organisation,
    knowledge,
    calendar,
    assessment,
    scanner,
    sms,
    smsGateway,
    repo,
    exchange,
    plugin,
  };
}
