import type pg from 'pg';
import { rows } from './pg-store.ts';
import type { RecordingHit, RecordingSearch, RecordingSearchReader } from './recording-search-repo.ts';

/**
 * The recording search on PostgreSQL (issue 12), with the SQLite twin's filters, order and keyset:
 * (calls.arrived_at, recordings.name) descending. Names compare in byte order (`collate "C"`) as SQLite's do,
 * so a cursor from either store pages the same way. The planner picks the index itself (no INDEXED BY here).
 */
export class PgRecordingSearchRepo implements RecordingSearchReader {
  /** Legal holds are part of the PostgreSQL schema from its first migration. */
  readonly hasHeld = true;

  constructor(private readonly pool: pg.Pool) {}

  search(q: RecordingSearch): Promise<RecordingHit[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const p = (v: unknown): string => {
      values.push(v);
      return `$${values.length}`;
    };
    if (q.number !== undefined) where.push(`c.caller_number = ${p(q.number)}`);
    // Only numbers of 8 digits or more: their mask (138****1234) shows the last four anyway.
    if (q.last4 !== undefined) where.push(`right(c.caller_number, 4) = ${p(q.last4)} and length(c.caller_number) >= 8`);
    if (q.agentId !== undefined) where.push(`c.agent_id = ${p(q.agentId)}`);
    if (q.workOrderId !== undefined)
      where.push(`r.call_id in (select w.call_id from call_work_orders w where w.work_order_id = ${p(q.workOrderId)})`);
    if (q.from !== undefined) where.push(`c.arrived_at >= ${p(q.from)}`);
    if (q.to !== undefined) where.push(`c.arrived_at < ${p(q.to)}`);
    if (q.minDurationMs !== undefined) where.push(`r.duration_ms >= ${p(q.minDurationMs)}`);
    if (q.maxDurationMs !== undefined) where.push(`r.duration_ms <= ${p(q.maxDurationMs)}`);
    if (q.outcome !== undefined) where.push(`c.outcome = ${p(q.outcome)}`);
    if (q.fallback !== undefined) where.push(q.fallback ? 'c.fallback' : 'not c.fallback');
    if (q.held !== undefined) where.push(`(r.held_at is not null) = ${p(q.held)}`);
    if (q.after !== undefined) {
      const at = p(q.after.arrivedAt);
      const name = p(q.after.name);
      where.push(`(c.arrived_at < ${at} or (c.arrived_at = ${at} and r.name collate "C" < ${name}))`);
    }
    const limit = p(Math.min(Math.max(q.limit ?? 50, 1), 200));
    return rows<RecordingHit>(
      this.pool,
      `select r.name, r.call_id as "callId", r.status, r.started_at as "startedAt", r.stopped_at as "stoppedAt",
              r.duration_ms as "durationMs", r.bytes, r.sha256, r.retain_until as "retainUntil",
              (r.held_at is not null) as held, c.caller_number as "callerNumber", c.agent_id as "agentId", c.outcome,
              c.arrived_at as "arrivedAt", c.answered_at as "answeredAt", c.ended_at as "endedAt", c.fallback
         from calls c join recordings r on r.call_id = c.id
        ${where.length ? `where ${where.join(' and ')}` : ''}
        order by c.arrived_at desc, r.name collate "C" desc
        limit ${limit}`,
      values,
    );
  }
}
