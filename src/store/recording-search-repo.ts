import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';

/**
 * What an auditor can search recordings by (issue 11 item 5). `number` is a full caller number;
 * `last4` the last four digits, which a masked number (138****1234) shows anyway, so a partial search
 * reveals nothing a masked result would not: it only matches numbers of 8 digits or more, whose mask
 * keeps the last four. Searching by any other part (middle digits) is not offered: it would let a
 * role without `phone:see-full` recover hidden digits by trying them one by one.
 */
export interface RecordingSearch {
  number?: string;
  last4?: string;
  agentId?: string;
  workOrderId?: string;
  /** Recording started at or after (epoch ms). */
  from?: number;
  /** Recording started before (epoch ms). */
  to?: number;
  minDurationMs?: number;
  maxDurationMs?: number;
  outcome?: string;
  fallback?: boolean;
  held?: boolean;
  /** Keyset position: the (startedAt, name) of the last row of the previous page. */
  after?: { startedAt: number; name: string };
  limit?: number;
}

/** A recording with the facts of its call the console shows. `callerNumber` is in full: the route masks it. */
export interface RecordingHit {
  name: string;
  callId: string;
  status: string;
  startedAt: number;
  stoppedAt: number | null;
  durationMs: number | null;
  bytes: number | null;
  sha256: string | null;
  retainUntil: number | null;
  held: boolean | null;
  callerNumber: string;
  agentId: string | null;
  outcome: string | null;
  arrivedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  fallback: boolean;
}

export class SearchFilterUnavailable extends Error {}

interface RawHit extends Omit<RecordingHit, 'held' | 'fallback'> {
  held: number | null;
  fallback: number;
}

/**
 * Keyset-paginated search over recordings joined with their calls, newest first, on the index
 * recordings(started_at, name). Each selective filter has its own index: calls(caller_number),
 * calls(substr(caller_number, -4), arrived_at), calls(agent_id, arrived_at), call_work_orders(work_order_id).
 * An OFFSET would read and drop every earlier row; the keyset reads only the page asked for.
 */
export class RecordingSearchRepo {
  private readonly raw: Database.Database;
  /** Legal holds (the `held` column) come with the retention work (issue 11 item 3); until then the filter is refused. */
  readonly hasHeld: boolean;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(db: BetterSQLite3Database) {
    this.raw = (db as unknown as { $client: Database.Database }).$client;
    const cols = this.raw.prepare(`select name from pragma_table_info('recordings')`).all() as Array<{ name: string }>;
    this.hasHeld = cols.some((c) => c.name === 'held');
  }

  search(q: RecordingSearch): RecordingHit[] {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (q.number !== undefined) {
      where.push('c.caller_number = @number');
      params.number = q.number;
    }
    if (q.last4 !== undefined) {
      where.push('substr(c.caller_number, -4) = @last4 and length(c.caller_number) >= 8');
      params.last4 = q.last4;
    }
    if (q.agentId !== undefined) {
      where.push('c.agent_id = @agentId');
      params.agentId = q.agentId;
    }
    if (q.workOrderId !== undefined) {
      where.push('r.call_id in (select w.call_id from call_work_orders w where w.work_order_id = @workOrderId)');
      params.workOrderId = q.workOrderId;
    }
    if (q.from !== undefined) {
      where.push('r.started_at >= @from');
      params.from = q.from;
    }
    if (q.to !== undefined) {
      where.push('r.started_at < @to');
      params.to = q.to;
    }
    if (q.minDurationMs !== undefined) {
      where.push('r.duration_ms >= @minDurationMs');
      params.minDurationMs = q.minDurationMs;
    }
    if (q.maxDurationMs !== undefined) {
      where.push('r.duration_ms <= @maxDurationMs');
      params.maxDurationMs = q.maxDurationMs;
    }
    if (q.outcome !== undefined) {
      where.push('c.outcome = @outcome');
      params.outcome = q.outcome;
    }
    if (q.fallback !== undefined) {
      where.push('c.fallback = @fallback');
      params.fallback = q.fallback ? 1 : 0;
    }
    if (q.held !== undefined) {
      if (!this.hasHeld) throw new SearchFilterUnavailable('legal holds are not recorded by this version: the held filter is unavailable');
      where.push('coalesce(r.held, 0) = @held');
      params.held = q.held ? 1 : 0;
    }
    if (q.after !== undefined) {
      where.push('(r.started_at < @afterAt or (r.started_at = @afterAt and r.name < @afterName))');
      params.afterAt = q.after.startedAt;
      params.afterName = q.after.name;
    }
    params.limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
    const sql = `
      select r.name, r.call_id as callId, r.status, r.started_at as startedAt, r.stopped_at as stoppedAt,
             r.duration_ms as durationMs, r.bytes, r.sha256, r.retain_until as retainUntil,
             ${this.hasHeld ? 'r.held' : 'null'} as held,
             c.caller_number as callerNumber, c.agent_id as agentId, c.outcome, c.arrived_at as arrivedAt,
             c.answered_at as answeredAt, c.ended_at as endedAt, c.fallback
        from recordings r join calls c on c.id = r.call_id
       ${where.length ? `where ${where.join(' and ')}` : ''}
       order by r.started_at desc, r.name desc
       limit @limit`;
    let st = this.statements.get(sql);
    if (!st) {
      st = this.raw.prepare(sql);
      this.statements.set(sql, st);
    }
    return (st.all(params) as RawHit[]).map((h) => ({ ...h, held: h.held === null ? null : h.held === 1, fallback: h.fallback === 1 }));
  }
}
