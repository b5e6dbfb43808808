import { asc } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { auditValues, type AuditEntry } from './audit-repo.ts';
import { auditLog } from './schema/audit.ts';
import { calendarYears } from './schema/calendar.ts';

export interface StoredSchedule {
  year: number;
  region: string;
  /** The schedule as the admin gave it (validated by the domain before storing). */
  data: unknown;
  addedBy: string;
  addedAt: number;
}

/** Calendar years added at run time; the shipped years live in the domain's data files. */
export interface CalendarRepo {
  list(): Promise<StoredSchedule[]>;
  /** Stores (or replaces) one year's schedule together with its audit row, in one transaction. */
  save(s: StoredSchedule, audit: AuditEntry): Promise<void>;
}

export class SqliteCalendarRepo implements CalendarRepo {
  constructor(private readonly db: BetterSQLite3Database) {}

  async list(): Promise<StoredSchedule[]> {
    return this.db
      .select()
      .from(calendarYears)
      .orderBy(asc(calendarYears.year), asc(calendarYears.scope))
      .all()
      .map((r) => ({
        year: r.year,
        region: r.scope,
        data: JSON.parse(r.data) as unknown,
        addedBy: r.addedBy,
        addedAt: r.addedAt,
      }));
  }

  async save(s: StoredSchedule, audit: AuditEntry): Promise<void> {
    this.db.transaction((tx) => {
      const values = {
        year: s.year,
        scope: s.region,
        data: JSON.stringify(s.data),
        addedBy: s.addedBy,
        addedAt: s.addedAt,
      };
      tx.insert(calendarYears)
        .values(values)
        .onConflictDoUpdate({
          target: [calendarYears.year, calendarYears.scope],
          set: { data: values.data, addedBy: values.addedBy, addedAt: values.addedAt },
        })
        .run();
      tx.insert(auditLog).values(auditValues(audit)).run();
    });
  }
}
