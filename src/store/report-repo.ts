import { and, gte, lt, or } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { calls, type CallRow } from './schema/calls.ts';

/** Orders taken in a period, counted per combination of the fields the order report groups by. */
export interface IntakeGroupRow {
  channel: string;
  type: string;
  category: string;
  location: string | null;
  count: number;
}

/** The reports' reads on either store (SQLite: `ReportRepo`, PostgreSQL: `PgReportRepo`). */
export interface ReportReader {
  callsTouching(from: number, to: number): CallRow[] | Promise<CallRow[]>;
  intakeGroups(from: number, to: number): IntakeGroupRow[] | Promise<IntakeGroupRow[]>;
}

/** Reads for the supervisors' call and order reports (src/reports). Read-only. */
export class ReportRepo implements ReportReader {
  private readonly raw: Database.Database;
  private readonly intake: Database.Statement<[number, number], IntakeGroupRow>;

  constructor(private readonly db: BetterSQLite3Database) {
    this.raw = (db as unknown as { $client: Database.Database }).$client;
    this.intake = this.raw.prepare(
      `select channel, type, category, location, count(*) as count from work_orders
        where created_at >= ? and created_at < ? group by channel, type, category, location`,
    );
  }

  /**
   * Calls that arrived or entered the queue in [from, to): the IVR side of the figures counts arrivals, the
   * answer side queue entries (src/domain/stats/README.md). Both columns are indexed.
   */
  callsTouching(from: number, to: number): CallRow[] {
    return this.db
      .select()
      .from(calls)
      .where(
        or(
          and(gte(calls.arrivedAt, from), lt(calls.arrivedAt, to)),
          and(gte(calls.queuedAt, from), lt(calls.queuedAt, to)),
        ),
      )
      .all();
  }

  intakeGroups(from: number, to: number): IntakeGroupRow[] {
    return this.intake.all(from, to);
  }
}
