import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { createAuthService, type AuthService } from './auth/auth-service.ts';
import type { ScryptParams } from './auth/password.ts';
import { loadOrCreateTokenSecret } from './auth/token-secret.ts';
import { createTokenService } from './auth/token.ts';
import type { Config } from './config/index.ts';
import { buildApp, type AppDeps, type RoutePlugin } from './http/app/build-app.ts';
import { attachSocketServer, type SocketServer } from './realtime/socket-server.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import { openStore, type Store } from './store/db.ts';
import type { UsersRepo } from './store/users-repo.ts';
import { openPgStore, probeHealth } from './store/pg-store.ts';
import { pgRepositories, sqliteRepositories, type Repositories } from './store/repositories.ts';
import { extensionPolicy } from './calls/agent-extension.ts';
import { createCallLayer, DeferredReconcile, type CallLayer } from './calls/call-layer.ts';
import { historyNamesFrom, workOrderHistory } from './calls/work-order-history.ts';
import { loadIvrConfig } from './ivr-config/load-ivr-config.ts';
import { retryPlanFromEnv } from './domain/callbacks/retry-plan.ts';
import { HttpSmsGateway } from './sms/http-sms-gateway.ts';
import { idleTelephony, startTelephony, type TelephonyRuntime } from './telephony-runtime.ts';
import { createWorkOrderModule, type WorkOrderModule } from './work-orders/module.ts';
import { uiRoutes } from './http/routes/ui.ts';
import { recordingRetentionRoutes } from './http/routes/recording-retention.ts';
import { RecordingRetention } from './recordings/retention.ts';
import { wavEncoder } from './recordings/archive.ts';
import { auditConsoleRoutes } from './http/routes/audit-console.ts';
import { callsExportRoutes } from './http/routes/calls-export.ts';
import { PlaybackTickets } from './audit-console/playback-ticket.ts';
import { FallbackIngest } from './fallback/fallback-ingest.ts';
import { ariRecordingSource } from './recordings/ari-recording-source.ts';
import { callerOf } from './work-orders/work-order-service.ts';
import { orderView } from './work-orders/order-view.ts';
import { ServiceError } from './work-orders/service-error.ts';
import { UnitInbox } from './work-orders/namespace-unit.ts';
import { pooledOpusEncoder } from './recordings/opus-codec.ts';
import { createIntakeModule } from './intake/intake-module.ts';
import { createExchangeModule, exchangeEnabled } from './exchange/exchange-module.ts';
import { resolveEncoderThreads } from './recordings/opus-worker-pool.ts';
import { ReportService } from './reports/report-service.ts';
import { reportRoutes } from './reports/routes-reports.ts';
import { clusterDatabaseUrl, startCluster, type Cluster } from './cluster/cluster.ts';
import { metricsRoute } from './metrics/metrics-route.ts';
import { PgSessionLock } from './store/pg-session-lock.ts';
import { wireMetrics } from './metrics/wire-metrics.ts';

/** Everything wired together; what main.ts starts and what end-to-end tests drive. */
export interface RunningServer {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly store: Store;
  /** The repositories of users, organisation, work orders, knowledge, calendar, SMS and audit: PostgreSQL when DATABASE_URL is set. */
  readonly repos: Repositories;
  readonly users: UsersRepo;
  readonly auth: AuthService;
  readonly app: FastifyInstance;
  readonly sockets: SocketServer;
  readonly telephony: TelephonyRuntime;
  /** Work orders, organisation, knowledge, calendar, assessment and the supervision scanner (issue 3). */
  readonly workOrders: WorkOrderModule;
  /** The call layer (agents' commands, live figures): the demo traffic drives simulated agents through it. */
  readonly callLayer: CallLayer;
  /** The /unit namespace's publisher (tests wait on its idle()). */
  readonly unitInbox: UnitInbox;
  /** Several instances (docs/scale-out.md): the call-ownership lease and the relay; undefined when alone. */
  readonly cluster: Cluster | undefined;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, disconnects sockets, stops telephony, closes the store. Safe to call twice. */
  close(): Promise<void>;
}

/** What a part of the product needs to build its routes, namespaces and services. */
export interface PlatformContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  store: Store;
  auth: AuthService;
  telephony: TelephonyRuntime;
}

export interface StartServerOptions {
  logger?: Logger;
  clock?: Clock;
  /** Tests lower the scrypt cost; production keeps the default. */
  scrypt?: ScryptParams;
  /** Extra route plugins (tests). */
  plugins?: (ctx: PlatformContext) => RoutePlugin[];
  onRoute?: AppDeps['onRoute'];
  /** false: do not start the PBX simulator or connect ARI (tests of the HTTP surface). */
  telephony?: boolean;
  /** false: do not start the work-order supervision scanner. */
  scanner?: boolean;
  /**
   * Schedule the daily recording purge and integrity check on the clock. Default: only on the system
   * clock, so tests that advance a FakeClock by hours do not get purges and alerts they did not ask for.
   */
  recordingJobs?: boolean;
  /**
   * Several instances: this instance lost the call-ownership lease (fenced, ARI stopped). Its call state is stale,
   * so main.ts exits and the supervisor restarts it as a clean standby (docs/scale-out.md).
   */
  onDeposed?: () => void;
}

export async function startServer(config: Config, opts: StartServerOptions = {}): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  const logger =
    opts.logger ??
    createLogger({
      level: config.log.level,
      pretty: config.log.format === 'auto' ? undefined : config.log.format === 'pretty',
    });

  const store = openStore({ dataDir: config.server.dataDir });
  const cleanups: (() => Promise<void> | void)[] = [() => store.close()];
  try {
    // DATABASE_URL (issue 12): the repositories below live in PostgreSQL, the call records and recordings included
    // (src/store/README.md); the SQLite file under DATA_DIR then holds nothing another instance needs.
    let repos = sqliteRepositories(store);
    let pgOk: (() => boolean) | undefined;
    let scannerLock: PgSessionLock | undefined;
    if (config.server.databaseUrl) {
      const pgStore = await openPgStore({ url: config.server.databaseUrl });
      cleanups.unshift(() => pgStore.close());
      const probe = probeHealth(pgStore);
      cleanups.unshift(() => probe.stop());
      pgOk = probe.ok;
      repos = pgRepositories(pgStore, { logger: logger.child({ component: 'call-records' }) });
      cleanups.unshift(() => repos.calls.close());
      // Rows a caller still writes to the SQLite file (tests, tools) may reference calls that now live in
      // PostgreSQL: that file cannot check the reference any more (PostgreSQL checks it for the tables it holds).
      store.sqlite.pragma('foreign_keys = OFF');
      // The supervision scanner runs on the instance holding this lock (closed before the pool, see cleanups).
      const lock = new PgSessionLock(pgStore.pool, 'hotline:supervision-scanner', logger);
      cleanups.unshift(() => lock.close());
      scannerLock = lock;
      logger.info({ database: pgStore.safeUrl }, 'store: PostgreSQL');
    }
    const users = repos.users;
    const tokens = createTokenService({
      secret: loadOrCreateTokenSecret(config.server.dataDir, config.auth.tokenSecret),
      ttlSeconds: config.auth.tokenTtlSeconds,
      clock,
    });
    const orgUnits = repos.organisation;
    const auth = createAuthService({
      users,
      tokens,
      clock,
      passwordMinLength: config.auth.passwordMinLength,
      scrypt: opts.scrypt,
      unitExists: async (id) => (await orgUnits.get(id))?.active === true,
    });

    if (config.auth.adminUsername && config.auth.adminPassword) {
      const result = await auth.ensureFirstAdmin(config.auth.adminUsername, config.auth.adminPassword);
      logger.info(
        { user: config.auth.adminUsername },
        result === 'created' ? 'first admin created' : 'an admin exists; ADMIN_USERNAME ignored',
      );
    } else if ((await users.countActiveAdmins()) === 0) {
      logger.warn(
        'no admin account: set ADMIN_USERNAME and ADMIN_PASSWORD, or run npm run create-admin -- --username NAME',
      );
    }

    // CLUSTER (issue 12): with a PostgreSQL for it, ARI waits for the call-ownership lease (docs/scale-out.md).
    const clusterUrl = clusterDatabaseUrl(config);
    const cluster = clusterUrl ? await startCluster({ url: clusterUrl, config, clock, logger }) : undefined;
    if (cluster) cleanups.unshift(() => cluster.close({ release: true }));
    // Each instance would otherwise sign tokens with the secret in its own DATA_DIR: a desktop moved to another
    // instance (a takeover, the load balancer) would be refused with 401 there.
    if (cluster && !config.auth.tokenSecret)
      logger.warn(
        'several instances: set TOKEN_SECRET to the same value on every instance, or share DATA_DIR; else a desktop that moves to another instance must sign in again',
      );

    // TELEPHONY: the ARI connection starts now; its reconcile step waits until the call layer exists.
    const reconcile = new DeferredReconcile();
    const telephony: TelephonyRuntime =
      opts.telephony === false
        ? idleTelephony({ config, clock, logger, reconcile })
        : await startTelephony({
            config,
            clock,
            logger,
            reconcile,
            autoStart: !cluster,
            guard: cluster ? () => cluster.ownership.fence() : undefined,
          });
    cleanups.unshift(() => telephony.stop());

    const ctx: PlatformContext = { config, logger, clock, store, auth, telephony };

    // PARTS of the product, wired by hand. Each brings route plugins, optionally socket.io namespaces
    // and a close step (src/http/README.md).
    // The unit inbox's live refresh (/unit namespace): orders dispatched to a unit and cards issued to it.
    const unitInbox = new UnitInbox(logger);
    const workOrders = createWorkOrderModule({
      notifier: unitInbox,
      onSupervisionNotice: (n) => unitInbox.notice(n),
      store,
      repos,
      clock,
      logger,
      dataDir: config.server.dataDir,
      regions: config.workOrders.regions,
      smsGateway: config.sms.gatewayUrl
        ? new HttpSmsGateway({
            url: config.sms.gatewayUrl,
            token: config.sms.gatewayToken,
            sender: config.sms.sender,
            timeoutMs: config.sms.timeoutMs,
          })
        : undefined,
      smsWebhookSecret: config.sms.webhookSecret,
      startScanner: opts.scanner !== false,
      // Several instances on one PostgreSQL (issue 12): one scans, so each notice and SMS is made once.
      scannerRunsHere: scannerLock ? () => scannerLock.held() : undefined,
      // A phone order's callId must name a call, whose caller is the requester; the call layer (built below)
      // also knows calls not yet written.
      callFacts: (callId) => calls.callFacts(callId),
      // Issue 13 item 2: with a regional endpoint, every transition goes to the outbox in its own transaction.
      exchangeOutbox: exchangeEnabled(config.exchange),
      onOutboxWrite: () => exchange.sender?.wake(),
    });
    // Issue 13: citizen intake channels and the real-time exchange with the regional platform.
    const intake = createIntakeModule({
      config: config.intake,
      workOrders,
      clock,
      logger,
      dataDir: config.server.dataDir,
    });
    const exchange = createExchangeModule({ config: config.exchange, workOrders, clock, logger });
    // Opus in Ogg unless the site keeps the lossless WAV (RECORDING_ARCHIVE_FORMAT=wav), encoded on
    // worker threads so the main thread keeps serving ARI events; the threads end when the server closes.
    const opusPool =
      config.recordings.archiveFormat === 'wav'
        ? null
        : pooledOpusEncoder({
            bitrate: config.recordings.opusBitrate,
            threads: resolveEncoderThreads(config.recordings.encoderThreads),
            logger,
          });
    const archiveEncoder = opusPool ?? wavEncoder;
    if (opusPool) cleanups.unshift(() => opusPool.close());
    // The call layer (issue 4): routes, /agent and /supervisor, and the ARI reconcile step.
    // The recordings' scheduled jobs (purge, integrity check) run on one instance: the one owning the calls.
    const recordingJobsHere = (): boolean => (cluster ? cluster.ownership.isOwner() : true);
    const calls = createCallLayer({
      app: config.asterisk.app,
      ari: telephony.ari,
      clock,
      logger,
      store,
      calls: repos.calls,
      // The wallboard's display names (the users are in PostgreSQL with DATABASE_URL).
      ...(repos.kind === 'postgres'
        ? { displayNameOf: async (u: string) => (await repos.users.byUsername(u))?.displayName || undefined }
        : {}),
      recordings: repos.recordings,
      recordingJobsHere,
      dataDir: config.server.dataDir,
      callCenter: loadIvrConfig(),
      agentDialTemplate: config.asterisk.agentDialTemplate,
      externalDialTemplate: config.asterisk.externalDialTemplate,
      // The caller history from the work-order repository of either store (read beside the calls, issue 12).
      history: workOrderHistory(workOrders.repo, historyNamesFrom(repos), intake.service),
      audit: repos.audit,
      notifyAgentOfMonitoring: config.callCenter.monitorNotifyAgent,
      callbackPlan: retryPlanFromEnv({
        CALLBACK_MAX_TRIES: String(config.callCenter.callbackMaxTries),
        CALLBACK_RETRY_MINUTES: String(config.callCenter.callbackRetryMinutes),
        CALLBACK_QUIET_HOURS: config.callCenter.callbackQuietHours,
      }),
      // Agent ids are user names: a taken extension is refused naming its holder's display name.
      extensions: extensionPolicy(
        config.asterisk.agentExtensionPattern,
        async (agentId) => (await users.byUsername(agentId))?.displayName || undefined,
      ),
      recordingArchive: {
        retentionYears: config.recordings.retentionYears,
        encoder: archiveEncoder,
        verifyFilesPerDay: config.recordings.verifyFilesPerDay,
        dir: config.recordings.dir,
      },
      agentNamespace: { relay: cluster?.relay },
      // Agents' sign-ins outlive this process (issue 12): PostgreSQL with DATABASE_URL, else the SQLite file.
      signIns: repos.signIns,
      rota: {
        repo: repos.rota,
        roleOf: async (username) => {
          const u = await users.byUsername(username);
          return u && !u.disabled ? u.role : undefined;
        },
      },
    });
    // Calls the dialplan fallback recorded while this server was down: archived once ARI is back (issue 11 item 2).
    const fallbackIngest = new FallbackIngest({
      calls: calls.calls,
      recordings: calls.recordings,
      pbx: ariRecordingSource(telephony.ari.rest),
      dataDir: config.server.dataDir,
      recordingsDir: config.recordings.dir,
      clock,
      logger: logger.child({ component: 'fallback-ingest' }),
    });
    cleanups.unshift(() => fallbackIngest.close());
    // A recording the PBX no longer has after every attempt is marked lost and shown to supervisors (issue 11 item 2).
    calls.archive.onLost = (lost) =>
      calls.events.emit('alert', {
        id: 0,
        level: 'critical',
        kind: 'recording-lost',
        callId: lost.callId,
        at: clock.now(),
        message: `recording ${lost.name} is not on the PBX after ${lost.attempts} attempts (${lost.lastError ?? 'not found'}); looked up again at each ARI reconnect`,
      });
    reconcile.attach({
      async reconcile(snapshot, rest) {
        await calls.reconciler.reconcile(snapshot, rest);
        void fallbackIngest.run();
        // After an Asterisk restart its spool may hold recordings the attempts during the outage did not find.
        void calls.archive
          .rediscover()
          .catch((err: unknown) => logger.warn({ err: String(err) }, 'recordings: rediscovery failed'));
      },
    });
    // Runs after calls.close(): the recordings' queued writes commit before the store closes.
    cleanups.unshift(() => repos.recordings.flushed());
    cleanups.unshift(() => calls.close());
    calls.figures.setExchangeFigures(() => exchange.figures());
    if (exchange.sender) exchange.sender.onChange = () => calls.figures.refresh();
    // Recording retention (issue 11): legal holds, the daily purge and the daily integrity check.
    // Archiving, its retries and the fallback ingest follow ARI, which only the owner holds.
    const retention = new RecordingRetention({
      repo: calls.recordings,
      clock,
      logger,
      resolveFile: (row) => calls.archive.resolveFile(row),
      batchSize: config.recordings.purgeBatchSize,
      // Several instances on one store: the purge runs on the call owner only (the integrity check likewise).
      runsHere: recordingJobsHere,
    });
    cleanups.unshift(() => retention.close());
    if (opts.recordingJobs ?? opts.clock === undefined) {
      retention.start();
      calls.integrity.start();
    }

    // ROUTE PLUGINS: the parts' routes, then any extra ones (tests).
    // The browser pages /ui/agent and /ui/supervisor (docs/ui.md).
    const callCenter = loadIvrConfig();
    const ui = uiRoutes({
      ivr: callCenter.ivr,
      wrapUp: {
        codes: callCenter.acd.wrapUpCodes,
        periodMs: callCenter.acd.wrapUpMs,
        maxMs: callCenter.acd.wrapUpMaxMs,
      },
    });
    const recordingJobs = recordingRetentionRoutes({ retention, verify: (o) => calls.integrity.run(o) });
    // The auditor console's API (issue 11 items 5 and 6): recording search, playback, evidence packages, access log, CDR export.
    const audit = repos.audit;
    const auditConsole = auditConsoleRoutes({
      search: repos.recordingSearch,
      accessLog: repos.accessLog,
      calls: calls.calls,
      recordings: calls.recordings,
      resolveFile: (row) => calls.archive.resolveFile(row),
      tickets: new PlaybackTickets(clock),
      clock,
      audit,
      workOrder: async (id, who) => {
        if (!/^\d{1,15}$/.test(id)) return null;
        const caller = callerOf(who);
        try {
          return orderView(await workOrders.orders.get(Number(id), caller), caller);
        } catch (err) {
          // Not found, or confidential and not for this role (art. 22): say so, show nothing of it.
          if (err instanceof ServiceError) return { id, withheld: err.code };
          throw err;
        }
      },
    });
    const callsExport = callsExportRoutes({ repo: repos.callExport, clock, audit });
    // Call and order reports per day and month (issue 13 item 4), on the live figures' definitions.
    const reports = reportRoutes({
      reports: new ReportService({
        reports: repos.reports,
        orders: workOrders.repo,
        clock,
        thresholdMs: loadIvrConfig().acd.breachMs,
      }),
    });
    // Prometheus (issue 12 item 5): GET /metrics, names in docs/metrics.md.
    const metrics = wireMetrics({
      instanceId: cluster?.instanceId ?? 'single',
      owner: () => (cluster ? cluster.ownership.isOwner() : true),
      calls,
      ari: telephony.ari,
      ariConnected: () => telephony.connected(),
      sms: repos.sms,
    });
    cleanups.unshift(() => metrics.close());
    const plugins: RoutePlugin[] = [
      workOrders.plugin,
      ...calls.routes,
      recordingJobs,
      auditConsole,
      callsExport,
      reports,
      metricsRoute({ metrics: metrics.metrics, token: config.metrics.token }),
      ui,
      ...intake.plugins,
      exchange.plugin,
      ...(opts.plugins?.(ctx) ?? []),
    ];

    const app = await buildApp({
      logger,
      auth,
      clock,
      bodyLimit: config.server.bodyLimit,
      docsPublic: config.server.docsPublic,
      storeOk: () => store.ping() && (pgOk?.() ?? true),
      telephony: () => ({
        mode: telephony.mode,
        connected: telephony.connected(),
        ami: telephony.amiHealth(),
        owner: cluster ? cluster.ownership.isOwner() : true,
      }),
      plugins,
      onRoute: opts.onRoute,
      version: packageVersion(),
    });
    cleanups.unshift(() => app.close());

    const sockets = attachSocketServer(app.server, {
      auth,
      logger,
      io: cluster ? { adapter: cluster.adapter } : undefined,
    });
    cleanups.unshift(() => sockets.close());
    // SOCKET.IO NAMESPACES: /agent (calls:take) and /supervisor (calls:monitor).
    calls.attachSockets(sockets);
    // /unit (work-orders:handle): each unit handler hears of its own unit's orders only (docs/ui.md).
    unitInbox.attach(sockets, async (orderId) => {
      const o = await workOrders.repo.get(orderId);
      if (!o) return null;
      return { confidential: o.confidential, unitIds: (await workOrders.repo.unitsOf(orderId)).map((u) => u.unitId) };
    });

    // The live figures' stored window (PostgreSQL: a query) is in before anyone is served.
    await calls.figures.loaded;
    await app.listen({ host: config.server.host, port: config.server.port });
    if (exchange.sender) {
      // On PostgreSQL only the instance holding the sender lock pushes (src/exchange/sender-duty.ts).
      exchange.start();
      cleanups.unshift(() => exchange.stop());
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    if (cluster) {
      // The new owner connects the moment it holds the lease (issue 12 item 7); a deposed one stops at once.
      cluster.ownership.onAcquired(() => telephony.ari.start());
      cluster.ownership.onLost(() => {
        void telephony.ari.stop();
        // Its call state is stale: the new owner writes these rows from ARI's snapshot (docs/scale-out.md).
        repos.calls.stopWriting('call ownership lost');
        opts.onDeposed?.();
      });
      await cluster.ownership.start();
    }

    let closing: Promise<void> | undefined;
    return {
      config,
      logger,
      clock,
      store,
      repos,
      users,
      auth,
      app,
      sockets,
      telephony,
      workOrders,
      callLayer: calls,
      unitInbox,
      cluster,
      url: `http://${host}:${port}`,
      port,
      close() {
        closing ??= runCleanups(cleanups, logger);
        return closing;
      },
    };
  } catch (err) {
    await runCleanups(cleanups, logger);
    throw err;
  }
}

async function runCleanups(cleanups: (() => Promise<void> | void)[], logger: Logger): Promise<void> {
  for (const c of cleanups) {
    try {
      await c();
    } catch (err) {
      logger.error({ err }, 'error while shutting down');
    }
  }
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
