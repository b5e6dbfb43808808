import type { AuditRepo } from './audit-repo.ts';
import { SqliteAuditRepo } from './audit-repo.ts';
import { SqliteCalendarRepo, type CalendarRepo } from './calendar-repo.ts';
import type { Store } from './db.ts';
import { SqliteKnowledgeRepo, type KnowledgeRepo } from './knowledge-repo.ts';
import { SqliteOrganisationRepo, type OrganisationRepo } from './organisation-repo.ts';
import { PgAuditRepo } from './pg-audit-repo.ts';
import { PgCalendarRepo } from './pg-calendar-repo.ts';
import { PgKnowledgeRepo } from './pg-knowledge-repo.ts';
import { PgOrganisationRepo } from './pg-organisation-repo.ts';
import { PgRotaRepo } from './pg-rota-repo.ts';
import { PgSignInsRepo } from './pg-sign-ins-repo.ts';
import { PgSmsRepo } from './pg-sms-repo.ts';
import type { PgStore } from './pg-store.ts';
import { createPgUsersRepo } from './pg-users-repo.ts';
import { PgWorkOrderRepo } from './pg-work-orders-repo.ts';
import { SqliteRotaRepo, type RotaRepo } from './rota-repo.ts';
import { SqliteSignInsRepo, type SignInsRepo } from './sign-ins-repo.ts';
import { SqliteSmsRepo, type SmsRepo } from './sms-repo.ts';
import { createSqliteUsersRepo, type UsersRepo } from './users-repo.ts';
import { SqliteWorkOrderRepo, type WorkOrderRepo } from './work-orders-repo.ts';

/**
 * The repositories that exist for both stores, behind the same interfaces (issue 12). The call records and
 * recordings (CallsRepo, RecordingsRepo and the auditor console's reads) are synchronous and stay in the SQLite
 * file under DATA_DIR on either choice: the call layer commits them inside its event handling.
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
    signIns: new SqliteSignInsRepo(store.db),
    rota: new SqliteRotaRepo(store.db),
  };
}

export function pgRepositories(store: PgStore): Repositories {
  return {
    kind: 'postgres',
    users: createPgUsersRepo(store.db),
    organisation: new PgOrganisationRepo(store.pool),
    audit: new PgAuditRepo(store.pool),
    workOrders: new PgWorkOrderRepo(store.pool),
    calendar: new PgCalendarRepo(store.pool),
    sms: new PgSmsRepo(store.pool),
    knowledge: new PgKnowledgeRepo(store.pool),
    signIns: new PgSignInsRepo(store.pool),
    rota: new PgRotaRepo(store.pool),
  };
}
