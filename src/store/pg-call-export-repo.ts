import type pg from 'pg';
import type { CallExportReader, ExportCallRow, ExportFilter } from './call-export-repo.ts';
import { rows } from './pg-store.ts';

// The SQLite twin's columns: flags as 0/1 and the linked orders space-separated in byte order (SQLite reads them
// through the (call_id, work_order_id) key, so in that order), so both stores export the same CSV.
const PAGE_SQL = `
  select c.id, c.caller_number, c.dialed_number, c.arrived_at, c.ivr_exit_at, c.queued_at, c.skill, c.answered_at,
         c.ended_at, c.outcome, c.agent_id, c.answer_ms, c.breach_at, c.rona_count, c.repeat_caller::int as repeat_caller,
         c.transfer_number, c.fallback::int as fallback,
         (select string_agg(w.work_order_id, ' ' order by w.work_order_id collate "C")
            from call_work_orders w where w.call_id = c.id) as work_orders
    from calls c
   where ($1::bigint is null or c.arrived_at >= $1)
     and ($2::bigint is null or c.arrived_at < $2)
     and ($3::bigint is null or c.arrived_at < $3 or (c.arrived_at = $3 and c.id collate "C" < $4))
   order by c.arrived_at desc, c.id collate "C" desc
   limit $5`;

/** Call detail records for the CSV export on PostgreSQL, in pages keyed on (arrived_at, id), newest first. */
export class PgCallExportRepo implements CallExportReader {
  constructor(private readonly pool: pg.Pool) {}

  async *pages(filter: ExportFilter, pageSize = 500): AsyncGenerator<ExportCallRow[]> {
    let afterAt: number | null = null;
    let afterId: string | null = null;
    for (;;) {
      const page: ExportCallRow[] = await rows<ExportCallRow>(this.pool, PAGE_SQL, [
        filter.from ?? null,
        filter.to ?? null,
        afterAt,
        afterId,
        pageSize,
      ]);
      if (page.length === 0) return;
      yield page;
      if (page.length < pageSize) return;
      const last = page[page.length - 1]!;
      afterAt = last.arrived_at;
      afterId = last.id;
    }
  }
}
