import { and, asc, eq, gte, lte } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { auditValues, type AuditEntry } from './audit-repo.ts';
import { auditLog } from './schema/audit.ts';
import { leaderRota, type LeaderRotaRow } from './schema/rota.ts';

export type RotaRow = LeaderRotaRow;
export type NewRotaRow = Omit<LeaderRotaRow, 'id'>;

/** The leader rota (art. 23), on either store. Each change is written with its audit row in one transaction. */
export interface RotaRepo {
  /** Rows whose date is in [fromDate, toDate] (YYYY-MM-DD), by date, start and id. */
  between(fromDate: string, toDate: string): Promise<RotaRow[]>;
  get(id: number): Promise<RotaRow | undefined>;
  add(row: NewRotaRow, audit: (id: number) => AuditEntry): Promise<RotaRow>;
  /** False when there was no such entry (nothing audited). */
  remove(id: number, audit: AuditEntry): Promise<boolean>;
}

export class SqliteRotaRepo implements RotaRepo {
  constructor(private readonly db: BetterSQLite3Database) {}

  async between(fromDate: string, toDate: string): Promise<RotaRow[]> {
    return this.db
      .select()
      .from(leaderRota)
      .where(and(gte(leaderRota.date, fromDate), lte(leaderRota.date, toDate)))
      .orderBy(asc(leaderRota.date), asc(leaderRota.startTime), asc(leaderRota.id))
      .all();
  }

  async get(id: number): Promise<RotaRow | undefined> {
    return this.db.select().from(leaderRota).where(eq(leaderRota.id, id)).get();
  }

  async add(row: NewRotaRow, audit: (id: number) => AuditEntry): Promise<RotaRow> {
    return this.db.transaction((tx) => {
      const created = tx.insert(leaderRota).values(row).returning().get();
      tx.insert(auditLog)
        .values(auditValues(audit(created.id)))
        .run();
      return created;
    });
  }

  async remove(id: number, audit: AuditEntry): Promise<boolean> {
    return this.db.transaction((tx) => {
      const gone = tx.delete(leaderRota).where(eq(leaderRota.id, id)).returning().get();
      if (!gone) return false;
      tx.insert(auditLog).values(auditValues(audit)).run();
      return true;
    });
  }
}
