import { and, gte, lt, or } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { rows } from './pg-store.ts';
import type { IntakeGroupRow, ReportReader } from './report-repo.ts';
import { calls } from './schema-pg/calls.ts';
import type { CallRow } from './schema/calls.ts';

/** The reports' reads on PostgreSQL (the SQLite twin's queries): calls of a period, and orders taken per group. */
export class PgReportRepo implements ReportReader {
  constructor(
    private readonly db: NodePgDatabase,
    private readonly pool: pg.Pool,
  ) {}

  callsTouching(from: number, to: number): Promise<CallRow[]> {
    return this.db
      .select()
      .from(calls)
      .where(
        or(
          and(gte(calls.arrivedAt, from), lt(calls.arrivedAt, to)),
          and(gte(calls.queuedAt, from), lt(calls.queuedAt, to)),
        ),
      );
  }

  intakeGroups(from: number, to: number): Promise<IntakeGroupRow[]> {
    return rows<IntakeGroupRow>(
      this.pool,
      `select channel, type, category, location, count(*)::int as count from work_orders
        where created_at >= $1 and created_at < $2 group by channel, type, category, location`,
      [from, to],
    );
  }
}
