import type { Logger } from 'pino';
import type { RetryPlan } from '../domain/callbacks/retry-plan.ts';
import type { CallCenterConfig } from '../domain/calls/call-center-state.ts';
import { callRoutes } from './routes-calls.ts';
import { agentRoutes } from './routes-agents.ts';
import { callbackRoutes } from './routes-callbacks.ts';
import { recordingRoutes } from './routes-recordings.ts';
import type { RoutePlugin } from '../http/app/build-app.ts';
import { agentIdOf, attachAgentNamespace, type AgentNamespaceOptions } from './namespace-agent.ts';
import type { SocketServer } from '../realtime/socket-server.ts';
import { attachSupervisorNamespace } from './namespace-supervisor.ts';
import { RecordingArchive, type ArchiveEncoder, type StoredRecordingSource } from '../recordings/archive.ts';
import { IntegrityMonitor } from '../recordings/integrity-monitor.ts';
import { ariRecordingSource } from '../recordings/ari-recording-source.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuditEntry } from '../store/audit-repo.ts';
import { SqliteCallRecords, type CallRecords } from '../store/call-records.ts';
import { CallsRepo } from '../store/calls-repo.ts';
import type { Store } from '../store/db.ts';
import { RecordingsRepo } from '../store/recordings-repo.ts';
import { SqliteRecordingsStore, type RecordingsStore } from '../store/recordings-store.ts';
import type { ReconcileHandler, ReconcileSnapshot } from '../telephony/ari/reconcile.ts';
import type { AriRestClient } from '../telephony/ari/rest-client.ts';
import type { AriEvent } from '../telephony/ari/events.ts';
import type { ExtensionPolicy } from './agent-extension.ts';
import { CallController } from './call-controller.ts';
import { CallEventHub } from './call-events.ts';
import { CallReconciler } from './call-reconciler.ts';
import { emptyHistory, type CallerHistorySource } from './caller-history.ts';
import { DomainRunner } from './domain-runner.ts';
import { FiguresPublisher } from './live-figures.ts';
import { agentCallRoutes } from './routes-agent-call.ts';
import { WorkOrderLinker } from './work-order-link.ts';
import { RotaFeed } from './rota-feed.ts';
import { rotaRoutes } from './routes-rota.ts';
import { figuresRoutes } from './routes-figures.ts';
import { attachSupervisorCommands } from './supervisor-commands.ts';
import { UserNames } from './user-names.ts';
import type { Role } from '../store/schema/users.ts';
import { SqliteAuditRepo } from '../store/audit-repo.ts';
import { SqliteRotaRepo, type RotaRepo } from '../store/rota-repo.ts';
import { SqliteSignInsRepo, type SignInsRepo } from '../store/sign-ins-repo.ts';
import { SignInPersistence } from './sign-in-persistence.ts';

/** The socket.io server-side event (through the cluster's adapter) that makes every instance reload the rota. */
const ROTA_CHANGED = 'cluster:rota-changed';

/** The slice of the ARI connection the call layer uses (AriConnection satisfies it). */
export interface AriEventSource {
  readonly rest: AriRestClient;
  on(type: '*', listener: (event: AriEvent) => void): () => void;
}

export interface CallLayerOptions {
  app: string;
  ari: AriEventSource;
  clock: Clock;
  logger: Logger;
  store: Store;
  /** The call records (Repositories.calls); default: the SQLite store's. */
  calls?: CallRecords;
  /** The recordings' store (PostgreSQL with DATABASE_URL); default: the SQLite file's. */
  recordings?: RecordingsStore;
  /** Whether the daily integrity check runs on this instance now (several instances: the call owner). */
  recordingJobsHere?: () => boolean;
  dataDir: string;
  callCenter: CallCenterConfig;
  agentDialTemplate: string;
  /** `{number}` is replaced; default from EXTERNAL_DIAL_TEMPLATE, see externalDialTemplate(). */
  externalDialTemplate?: string;
  /** The caller history (the work-order store through its repositories); default: none. */
  history?: CallerHistorySource;
  /** How long a history read may take before the call goes on without it (default 2 s, on `clock`). */
  historyTimeoutMs?: number;
  audit?: { append(e: AuditEntry): Promise<number> };
  /** Replaces the ARI stored-recording source (tests). */
  recordingSource?: StoredRecordingSource;
  figuresMinIntervalMs?: number;
  archiveRetryBaseMs?: number;
  /** Recordings (issue 11): years kept, how the archived file is encoded, files re-hashed per daily check. */
  recordingArchive?: {
    retentionYears?: number;
    encoder?: ArchiveEncoder;
    verifyFilesPerDay?: number;
    /** RECORDINGS_DIR (default DATA_DIR/recordings). */
    dir?: string;
  };
  agentNamespace?: Pick<AgentNamespaceOptions, 'signOutGraceMs' | 'onPopEmitted' | 'relay'>;
  /** Callback retry plan (CALLBACK_MAX_TRIES, CALLBACK_RETRY_MINUTES, CALLBACK_QUIET_HOURS). */
  callbackPlan?: RetryPlan;
  /** Tell an agent's desktop when a supervisor listens, whispers or barges in (issue 10). */
  notifyAgentOfMonitoring?: boolean;
  /** A user's display name from the store holding the users, when that is not the SQLite file (PostgreSQL). */
  displayNameOf?: (username: string) => Promise<string | undefined>;
  /** Which extensions agents may sign in on, and how a holder is named (default: 3–6 digits, user names). */
  extensions?: ExtensionPolicy;
  /** Where agents' sign-ins are kept across restarts and takeovers (default: the SQLite file of `store`). */
  signIns?: SignInsRepo;
  /** The leader rota (default: the SQLite file of `store`), and who may be on it (default: its users table). */
  rota?: { repo: RotaRepo; roleOf: (username: string) => Promise<Role | undefined> };
}

/**
 * Holds the reconcile step until the call layer exists: the ARI connection starts with the
 * telephony runtime, before the routes and namespaces are built, and must not process a snapshot
 * (or any event) with nobody to hand it to.
 */
export class DeferredReconcile implements ReconcileHandler {
  private target: ReconcileHandler | undefined;
  private waiters: Array<() => void> = [];

  attach(target: ReconcileHandler): void {
    this.target = target;
    for (const w of this.waiters.splice(0)) w();
  }

  async reconcile(snapshot: ReconcileSnapshot, rest: AriRestClient): Promise<void> {
    if (!this.target) await new Promise<void>((resolve) => this.waiters.push(resolve));
    await this.target!.reconcile(snapshot, rest);
  }
}

export interface CallLayer {
  readonly controller: CallController;
  /** Links work orders to calls with the existence and visibility checks (routes and the /agent namespace). */
  readonly linker: WorkOrderLinker;
  /** Is there such a call, live or recorded (work-order intake checks a phone order's callId with it)? */
  hasCall(callId: string): Promise<boolean>;
  /** A live or recorded call's caller number and the agents who answered it (a phone order's requester and taker). */
  callFacts(callId: string): Promise<{ callerNumber: string; takenBy: string[] } | undefined>;
  readonly reconciler: CallReconciler;
  readonly events: CallEventHub;
  readonly figures: FiguresPublisher;
  /** Hands the leader rota to the domain again (after a change made outside the routes). */
  readonly rota: { reload(): Promise<void> };
  readonly archive: RecordingArchive;
  /** Daily hash-chain and file check; re-checks each download (alerts go to /supervisor). */
  readonly integrity: IntegrityMonitor;
  readonly calls: CallRecords;
  readonly recordings: RecordingsStore;
  readonly routes: RoutePlugin[];
  /** Declares `/agent` and `/supervisor` on the platform's socket.io server. */
  attachSockets(sockets: SocketServer): void;
  close(): Promise<void>;
}

export function createCallLayer(o: CallLayerOptions): CallLayer {
  const calls = o.calls ?? new SqliteCallRecords(new CallsRepo(o.store.db));
  const recordings = o.recordings ?? new SqliteRecordingsStore(new RecordingsRepo(o.store.db));
  const events = new CallEventHub();
  const history = o.history ?? emptyHistory;
  const archive: RecordingArchive = new RecordingArchive({
    dataDir: o.dataDir,
    dir: o.recordingArchive?.dir,
    repo: recordings,
    source: o.recordingSource ?? ariRecordingSource(o.ari.rest),
    clock: o.clock,
    logger: o.logger,
    retryBaseMs: o.archiveRetryBaseMs,
    retentionYears: o.recordingArchive?.retentionYears,
    encoder: o.recordingArchive?.encoder,
    // Row writes join the call layer's CDR batch: one fsync for many calls.
    commit: (write): Promise<void> => controller.cdr.later(write),
  });
  const integrity = new IntegrityMonitor({
    repo: recordings,
    resolveFile: (row) => archive.resolveFile(row),
    clock: o.clock,
    logger: o.logger,
    filesPerDay: o.recordingArchive?.verifyFilesPerDay ?? 0,
    runsHere: o.recordingJobsHere,
    // Tampering is shown to supervisors like a call alert; it is about a recording, not a live call.
    alert: (a) =>
      events.emit('alert', {
        id: 0,
        level: 'critical',
        kind: a.kind,
        callId: a.callId ?? '',
        at: o.clock.now(),
        message: a.message,
      }),
  });
  const domain = new DomainRunner(o.callCenter);
  /** Agents signed in again from the store at the first reconcile (their desks' sign-out grace starts then). */
  let restoredSignIns: string[] = [];
  const signIns = new SignInPersistence({
    repo: o.signIns ?? new SqliteSignInsRepo(o.store.db),
    clock: o.clock,
    logger: o.logger,
  });
  const controller: CallController = new CallController({
    rest: o.ari.rest,
    app: o.app,
    clock: o.clock,
    logger: o.logger,
    domain,
    calls,
    recordings,
    archive,
    events,
    history,
    ...(o.historyTimeoutMs !== undefined ? { historyTimeoutMs: o.historyTimeoutMs } : {}),
    agentDialTemplate: o.agentDialTemplate,
    externalDialTemplate: o.externalDialTemplate ?? externalDialTemplate(o.agentDialTemplate),
    audit: o.audit,
    notifyAgentOfMonitoring: o.notifyAgentOfMonitoring,
    signIns,
    ...(o.callbackPlan ? { callbackPlan: o.callbackPlan } : {}),
  });
  // Live calls are answered from memory; only a call this instance does not hold is looked up in the store.
  const hasCall = async (callId: string): Promise<boolean> =>
    controller.liveCalls().has(callId) || (await calls.getCall(callId)) !== undefined;
  const callFacts = async (callId: string): Promise<{ callerNumber: string; takenBy: string[] } | undefined> => {
    const live = controller.liveCalls().get(callId);
    // Pending CDR rows first, so the store answers with what this instance knows.
    controller.cdr.flush();
    const row = await calls.getCall(callId);
    if (!live && !row) return undefined;
    // The CDR rows are written behind (100 ms): a live call's answering agent is the domain's record.
    const takenBy = new Set<string>();
    if (live?.record?.agentId) takenBy.add(live.record.agentId);
    if (row?.agentId) takenBy.add(row.agentId);
    for (const leg of row ? await calls.legs(callId) : [])
      if (leg.kind === 'agent' && leg.agentId && leg.answeredAt) takenBy.add(leg.agentId);
    return { callerNumber: live?.callerNumber ?? row?.callerNumber ?? '', takenBy: [...takenBy] };
  };
  const linker = new WorkOrderLinker({
    callExists: hasCall,
    calls,
    orders: history,
    link: (callId, workOrderId) => controller.linkWorkOrder(callId, workOrderId),
  });
  const reconciler = new CallReconciler({
    controller,
    live: controller.live,
    stasis: controller.stasis,
    app: o.app,
    clock: o.clock,
    logger: o.logger,
    calls,
    recordings,
    archive,
    events,
    beforeRestore: async () => {
      restoredSignIns = await signIns.restore(
        (input) => controller.input(input),
        (id) => domain.agent(id),
      );
      if (restoredSignIns.length > 0) events.emit('signInsRestored', restoredSignIns);
    },
  });
  const userNames = new UserNames(
    o.store.db,
    o.clock,
    60_000,
    o.displayNameOf && {
      displayName: o.displayNameOf,
      onLearned: () => figures.refresh(),
      onError: (err) => o.logger.warn({ err: String(err) }, 'calls: could not read a display name'),
    },
  );
  const figures = new FiguresPublisher({
    controller,
    state: () => domain.snapshot,
    repo: calls,
    clock: o.clock,
    events,
    minIntervalMs: o.figuresMinIntervalMs,
    displayNames: (ids) => userNames.displayNames(ids),
  });
  // The leader rota (art. 23): handed to the domain now, after each change and at each midnight.
  const rotaRepo = o.rota?.repo ?? new SqliteRotaRepo(o.store.db);
  /** Tells the other instances that the rota changed (set when /agent is declared with the cluster's relay). */
  let rotaChangedElsewhere: (() => void) | undefined;
  const rotaFeed = new RotaFeed({
    repo: rotaRepo,
    clock: o.clock,
    logger: o.logger,
    feed: (spans) => {
      const r = controller.input({ type: 'rota-set', spans });
      events.emit('changed');
      return r;
    },
  });
  rotaFeed.start();
  const audit = o.audit ?? new SqliteAuditRepo(o.store.db);
  const offEvents = o.ari.on('*', (e) => controller.onEvent(e));
  const closers: Array<() => void> = [];

  const routes: RoutePlugin[] = [
    callRoutes({ calls, recordings, figures, linker }),
    agentRoutes({ controller, extensions: o.extensions }),
    agentCallRoutes({ commands: controller.commands, agentIdOf }),
    callbackRoutes({ calls, events, clock: o.clock, dialer: controller.callbacks, plan: o.callbackPlan }),
    rotaRoutes({
      repo: rotaRepo,
      clock: o.clock,
      skills: o.callCenter.ivr.skills,
      roleOf: o.rota?.roleOf ?? ((u) => userNames.roleOf(u)),
      changed: async () => {
        rotaChangedElsewhere?.();
        await rotaFeed.reload();
      },
    }),
    figuresRoutes({ figures, clock: o.clock, thresholdMs: () => o.callCenter.acd.breachMs }),
    recordingRoutes({
      recordings,
      archive,
      clock: o.clock,
      audit: o.audit,
      checkFile: (row) => integrity.checkDownload(row),
    }),
  ];

  return {
    controller,
    linker,
    hasCall,
    callFacts,
    reconciler,
    events,
    figures,
    rota: rotaFeed,
    archive,
    integrity,
    calls,
    recordings,
    routes,
    attachSockets(sockets) {
      const agentNsp = sockets.namespace('/agent', { permission: 'calls:take' });
      if (o.agentNamespace?.relay) {
        // Several instances: an admin's rota change on any instance reaches the owner's domain (and the others').
        agentNsp.on(ROTA_CHANGED, () => void rotaFeed.reload());
        rotaChangedElsewhere = () => agentNsp.serverSideEmit(ROTA_CHANGED);
      }
      const agent = attachAgentNamespace({
        nsp: agentNsp,
        controller,
        linker,
        events,
        clock: o.clock,
        logger: o.logger,
        extensions: o.extensions,
        ...o.agentNamespace,
      });
      // The first reconcile may have restored sign-ins before /agent existed (a single server connects ARI while
      // it is still being built): their grace starts now.
      if (restoredSignIns.length > 0) events.emit('signInsRestored', restoredSignIns);
      const supNsp = sockets.namespace('/supervisor', { permission: 'calls:monitor' });
      attachSupervisorCommands({ nsp: supNsp, controller, audit, clock: o.clock, logger: o.logger });
      const sup = attachSupervisorNamespace({
        nsp: supNsp,
        events,
        figures,
        calls,
        clock: o.clock,
        logger: o.logger,
        monitor: controller.monitor,
        extensions: o.extensions,
      });
      closers.push(
        () => agent.close(),
        () => sup.close(),
      );
    },
    async close() {
      offEvents();
      for (const c of closers) c();
      rotaFeed.close();
      figures.close();
      controller.stop();
      await controller.idle();
      await signIns.idle();
      await archive.idle();
      archive.close();
      // The last rows (PostgreSQL: still in the write queue) are committed before the store closes.
      await calls.flushed();
      await integrity.close();
    },
  };
}

/**
 * How outside numbers (110/119/120/122, handling units) are dialled for transfers and three-way calls:
 * EXTERNAL_DIAL_TEMPLATE when set (must contain `{number}`), else the simulator's `external` context
 * when agents are Local channels into `agents` (simulator mode), else the `hotline-outbound` context a
 * real Asterisk must provide (docs/calls.md).
 */
export function externalDialTemplate(agentDialTemplate: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.EXTERNAL_DIAL_TEMPLATE;
  if (raw !== undefined && raw !== '') {
    if (!raw.includes('{number}') || !/^[A-Za-z]+\/\S+$/.test(raw)) {
      throw new Error(
        `EXTERNAL_DIAL_TEMPLATE: "${raw}" is not allowed; use a dial string containing {number}, e.g. PJSIP/{number}@trunk or Local/{number}@hotline-outbound`,
      );
    }
    return raw;
  }
  return /^Local\/\{ext\}@agents$/.test(agentDialTemplate)
    ? 'Local/{number}@external'
    : 'Local/{number}@hotline-outbound';
}
