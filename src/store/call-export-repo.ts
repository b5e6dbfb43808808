import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';

/** One CDR row as the export reads it (raw column names). */
export interface ExportCallRow {
  id: string;
  caller_number: string;
  dialed_number: string | null;
  arrived_at: number;
  ivr_exit_at: number | null;
  queued_at: number | null;
  skill: string | null;
  answered_at: number | null;
  ended_at: number | null;
  outcome: string | null;
  agent_id: string | null;
  answer_ms: number | null;
  breach_at: number | null;
  rona_count: number;
  repeat_caller: number;
  transfer_number: string | null;
  fallback: number;
  work_orders: string | null;
}

export interface ExportFilter {
  from?: number;
  to?: number;
}

/** The CDR export's pages on either store (SQLite: `CallExportRepo`, PostgreSQL: `PgCallExportRepo`). */
export interface CallExportReader {
  pages(filter: ExportFilter, pageSize?: number): Iterable<ExportCallRow[]> | AsyncIterable<ExportCallRow[]>;
}

/**
 * Reads call detail records for the CSV export in pages, newest first, keyed on (arrived_at, id).
 * Pages rather than one open cursor: better-sqlite3 refuses every other query on the connection while
 * an iterator is open, and the export is streamed while the server keeps taking calls.
 */
export class CallExportRepo implements CallExportReader {
  private readonly page: Database.Statement;

  constructor(db: BetterSQLite3Database) {
    const raw = (db as unknown as { $client: Database.Database }).$client;
    this.page = raw.prepare(`
      select c.id, c.caller_number, c.dialed_number, c.arrived_at, c.ivr_exit_at, c.queued_at, c.skill, c.answered_at,
             c.ended_at, c.outcome, c.agent_id, c.answer_ms, c.breach_at, c.rona_count, c.repeat_caller, c.transfer_number,
             c.fallback,
             (select group_concat(w.work_order_id, ' ') from call_work_orders w where w.call_id = c.id) as work_orders
        from calls c
       where (@from is null or c.arrived_at >= @from)
         and (@to is null or c.arrived_at < @to)
         and (@afterAt is null or c.arrived_at < @afterAt or (c.arrived_at = @afterAt and c.id < @afterId))
       order by c.arrived_at desc, c.id desc
       limit @limit`);
  }

  /** Yields every matching call, `pageSize` rows per query. */
  *pages(filter: ExportFilter, pageSize = 500): Generator<ExportCallRow[]> {
    let afterAt: number | null = null;
    let afterId: string | null = null;
    for (;;) {
      const rows = this.page.all({
        from: filter.from ?? null,
        to: filter.to ?? null,
        afterAt,
        afterId,
        limit: pageSize,
      }) as ExportCallRow[];
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!;
      afterAt = last.arrived_at;
      afterId = last.id;
    }
  }
}
