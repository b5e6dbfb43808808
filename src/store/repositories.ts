import { AccessLogRepo, type AccessLogReader } from './access-log-repo.ts';
import { SqliteAssessmentRepo, type AssessmentRepo } from './assessment-repo.ts';
import type { AuditRepo } from './audit-repo.ts';
import { SqliteAuditRepo } from './audit-repo.ts';
import { SqliteCalendarRepo, type CalendarRepo } from './calendar-repo.ts';
import { SqliteCallRecords, type CallRecords } from './call-records.ts';
import { CallsRepo } from './calls-repo.ts';
import { CallExportRepo, type CallExportReader } from './call-export-repo.ts';
import type { Store } from './db.ts';
import { SqliteExchangeRepo, type ExchangeRepo } from './exchange-repo.ts';
import { SqliteKnowledgeRepo, type KnowledgeRepo } from './knowledge-repo.ts';
import { SqliteOrganisationRepo, type OrganisationRepo } from './organisation-repo.ts';
import { PgAccessLogRepo } from './pg-access-log-repo.ts';
import { PgAssessmentRepo } from './pg-assessment-repo.ts';
import { PgAuditRepo } from './pg-audit-repo.ts';
import { PgCallExportRepo } from './pg-call-export-repo.ts';
import { PgCalendarRepo } from './pg-calendar-repo.ts';
import { PgCallRecords } from './pg-call-records.ts';
import { PgExchangeRepo } from './pg-exchange-repo.ts';
import { PgKnowledgeRepo } from './pg-knowledge-repo.ts';
import { PgOrganisationRepo } from './pg-organisation-repo.ts';
import { PgRecordingSearchRepo } from './pg-recording-search-repo.ts';
import { PgRecordingsStore } from './pg-recordings-store.ts';
import { PgReportRepo } from './pg-report-repo.ts';
import { PgRotaRepo } from './pg-rota-repo.ts';
import { PgSignInsRepo } from './pg-sign-ins-repo.ts';
import { PgSmsRepo } from './pg-sms-repo.ts';
import type { PgStore } from './pg-store.ts';
import type { WriteQueueOptions } from './pg-write-queue.ts';
import { createPgUsersRepo } from './pg-users-repo.ts';
import { PgWorkOrderRepo } from './pg-work-orders-repo.ts';
import { RecordingSearchRepo, type RecordingSearchReader } from './recording-search-repo.ts';
import { RecordingsRepo } from './recordings-repo.ts';
import { SqliteRecordingsStore, type RecordingsStore } from './recordings-store.ts';
import { ReportRepo, type ReportReader } from './report-repo.ts';
import { SqliteRotaRepo, type RotaRepo } from './rota-repo.ts';
import { SqliteSignInsRepo, type SignInsRepo } from './sign-ins-repo.ts';
import { SqliteSmsRepo, type SmsRepo } from './sms-repo.ts';
import { createSqliteUsersRepo, type UsersRepo } from './users-repo.ts';
import { SqliteWorkOrderRepo, type WorkOrderRepo } from './work-orders-repo.ts';

/**
 * The repositories that exist for both stores, behind the same interfaces (issue 12). The call records are
 * written synchronously by the call layer and, on PostgreSQL, committed by an ordered write queue
 * (call-records.ts); the recordings likewise by their own queue (pg-recordings-store.ts), after the call rows.
 */
export interface Repositories {
  readonly kind: 'sqlite' | 'postgres';
  readonly users: UsersRepo;
  readonly organisation: OrganisationRepo;
  readonly audit: AuditRepo;
  readonly workOrders: WorkOrderRepo;
  readonly calendar: CalendarRepo;
  readonly sms: SmsRepo;
  readonly knowledge: KnowledgeRepo;
  /** Calls, legs, call↔work-order links, callbacks and their attempts, call alerts. */
  readonly calls: CallRecords;
  /** Recordings and their hash-chained index (the call layer's writes are queued on PostgreSQL). */
  readonly recordings: RecordingsStore;
  /** The auditor console's reads (issue 11 items 5 and 6) and the reports' (src/reports). */
  readonly recordingSearch: RecordingSearchReader;
  readonly accessLog: AccessLogReader;
  readonly callExport: CallExportReader;
  readonly reports: ReportReader;
  /** The exchange outbox, inbound regional ids and intake tracking codes (art. 5, 16). */
  readonly exchange: ExchangeRepo;
  /** Weights, manual scores and frozen publications of the 100-point assessment (art. 30–33). */
  readonly assessment: AssessmentRepo;
  /** Agents signed in on the call desks, restored by a restarted server or the instance that takes over. */
  readonly signIns: SignInsRepo;
  /** The leader rota (art. 23). */
  readonly rota: RotaRepo;
}

export function sqliteRepositories(store: Store): Repositories {
  return {
    kind: 'sqlite',
    users: createSqliteUsersRepo(store.db),
    organisation: new SqliteOrganisationRepo(store.db),
    audit: new SqliteAuditRepo(store.db),
    workOrders: new SqliteWorkOrderRepo(store.sqlite),
    calendar: new SqliteCalendarRepo(store.db),
    sms: new SqliteSmsRepo(store.sqlite),
    knowledge: new SqliteKnowledgeRepo(store.sqlite),
    calls: new SqliteCallRecords(new CallsRepo(store.db)),
    recordings: new SqliteRecordingsStore(new RecordingsRepo(store.db)),
    recordingSearch: new RecordingSearchRepo(store.db),
    accessLog: new AccessLogRepo(store.db),
    callExport: new CallExportRepo(store.db),
    reports: new ReportRepo(store.db),
    exchange: new SqliteExchangeRepo(store.sqlite),
    assessment: new SqliteAssessmentRepo(store.sqlite),
    signIns: new SqliteSignInsRepo(store.db),
    rota: new SqliteRotaRepo(store.db),
  };
}

/** `callWrites`: the call records' write queue (its logger, retry backoff). */
export function pgRepositories(store: PgStore, callWrites: WriteQueueOptions = {}): Repositories {
  const calls = new PgCallRecords(store.pool, callWrites);
  return {
    kind: 'postgres',
    users: createPgUsersRepo(store.db),
    organisation: new PgOrganisationRepo(store.pool),
    audit: new PgAuditRepo(store.pool),
    workOrders: new PgWorkOrderRepo(store.pool),
    calendar: new PgCalendarRepo(store.pool),
    sms: new PgSmsRepo(store.pool),
    knowledge: new PgKnowledgeRepo(store.pool),
    calls,
    // A recording's row references its call's: it commits after the call rows queued before it.
    recordings: new PgRecordingsStore(store.db, store.pool, () => calls.flushed()),
    recordingSearch: new PgRecordingSearchRepo(store.pool),
    accessLog: new PgAccessLogRepo(store.pool),
    callExport: new PgCallExportRepo(store.pool),
    reports: new PgReportRepo(store.db, store.pool),
    exchange: new PgExchangeRepo(store.pool),
    assessment: new PgAssessmentRepo(store.pool),
    signIns: new PgSignInsRepo(store.pool),
    rota: new PgRotaRepo(store.pool),
  };
}
