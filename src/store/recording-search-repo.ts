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
  /** The call arrived at or after (epoch ms). */
  from?: number;
  /** The call arrived before (epoch ms). */
  to?: number;
  minDurationMs?: number;
  maxDurationMs?: number;
  outcome?: string;
  fallback?: boolean;
  held?: boolean;
  /** Keyset position: the call's arrival and the recording's name of the last row of the previous page. */
  after?: { arrivedAt: number; name: string };
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

/** The recording search on either store (SQLite: `RecordingSearchRepo`, PostgreSQL: `PgRecordingSearchRepo`). */
export interface RecordingSearchReader {
  /** Whether the store records legal holds (the `held` filter). */
  readonly hasHeld: boolean;
  search(q: RecordingSearch): RecordingHit[] | Promise<RecordingHit[]>;
}

interface RawHit extends Omit<RecordingHit, 'held' | 'fallback'> {
  held: number | null;
  fallback: number;
}

/**
 * Keyset-paginated search over recordings joined with their calls, newest call first: the order is
 * (calls.arrived_at, recordings.name) descending, so every index that ends in arrived_at — calls(arrived_at),
 * calls(agent_id, arrived_at), calls(substr(caller_number, -4), arrived_at), the partial index of fallback
 * calls — yields rows already in order and the query stops after one page. A full number and a work order
 * (call_work_orders(work_order_id)) select few calls, which are sorted. An OFFSET would read and drop every
 * earlier row; the keyset reads only the page asked for.
 */
export class RecordingSearchRepo implements RecordingSearchReader {
  private readonly raw: Database.Database;
  /** Legal holds (`held_at`, set by POST /recordings/:name/hold); a store from before them refuses the filter. */
  readonly hasHeld: boolean;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(db: BetterSQLite3Database) {
    this.raw = (db as unknown as { $client: Database.Database }).$client;
    const cols = this.raw.prepare(`select name from pragma_table_info('recordings')`).all() as Array<{ name: string }>;
    this.hasHeld = cols.some((c) => c.name === 'held_at');
  }

  search(q: RecordingSearch): RecordingHit[] {
    const { sql, params } = this.build(q);
    let st = this.statements.get(sql);
    if (!st) {
      st = this.raw.prepare(sql);
      this.statements.set(sql, st);
    }
    return (st.all(params) as RawHit[]).map((h) => ({
      ...h,
      held: h.held === null ? null : h.held === 1,
      fallback: h.fallback === 1,
    }));
  }

  /** SQLite's plan for a search (tests and the benchmark check that each filter uses an index). */
  plan(q: RecordingSearch): string[] {
    const { sql, params } = this.build(q);
    return (this.raw.prepare(`explain query plan ${sql}`).all(params) as Array<{ detail: string }>).map(
      (r) => r.detail,
    );
  }

  private build(q: RecordingSearch): { sql: string; params: Record<string, unknown> } {
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
      where.push('c.arrived_at >= @from');
      params.from = q.from;
    }
    if (q.to !== undefined) {
      where.push('c.arrived_at < @to');
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
      // A literal, so that fallback = 1 can use the partial index calls_fallback_idx.
      where.push(q.fallback ? 'c.fallback = 1' : 'c.fallback = 0');
    }
    if (q.held !== undefined) {
      if (!this.hasHeld)
        throw new SearchFilterUnavailable(
          'legal holds are not recorded by this version: the held filter is unavailable',
        );
      where.push('(r.held_at is not null) = @held');
      params.held = q.held ? 1 : 0;
    }
    if (q.after !== undefined) {
      where.push('(c.arrived_at < @afterAt or (c.arrived_at = @afterAt and r.name < @afterName))');
      params.afterAt = q.after.arrivedAt;
      params.afterName = q.after.name;
    }
    params.limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
    // With a selective filter the planner starts from that filter's index. Without one (no filter,
    // dates, duration, outcome, fallback = 0) it must walk calls in arrival order and stop after a
    // page: INDEXED BY and CROSS JOIN fix that plan. Left to itself, with statistics, the planner may
    // scan every call of a common outcome and sort them all.
    const selective =
      q.number !== undefined ||
      q.last4 !== undefined ||
      q.agentId !== undefined ||
      q.workOrderId !== undefined ||
      q.fallback === true;
    const sql = `
      select r.name, r.call_id as callId, r.status, r.started_at as startedAt, r.stopped_at as stoppedAt,
             r.duration_ms as durationMs, r.bytes, r.sha256, r.retain_until as retainUntil,
             ${this.hasHeld ? '(r.held_at is not null)' : 'null'} as held,
             c.caller_number as callerNumber, c.agent_id as agentId, c.outcome, c.arrived_at as arrivedAt,
             c.answered_at as answeredAt, c.ended_at as endedAt, c.fallback
        from ${selective ? 'calls c join' : 'calls c indexed by calls_arrived_idx cross join'} recordings r on r.call_id = c.id
       ${where.length ? `where ${where.join(' and ')}` : ''}
       order by c.arrived_at desc, r.name desc
       limit @limit`;
    return { sql, params };
  }
}
