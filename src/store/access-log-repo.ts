import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';

export interface AccessLogQuery {
  actorId?: string;
  recording?: string;
  action?: string;
  from?: number;
  to?: number;
  /** Keyset position: rows with a smaller id than this (the last id of the previous page). */
  beforeId?: number;
  limit?: number;
}

export interface AccessLogRow {
  id: number;
  entity: string;
  entityId: string;
  action: string;
  actorId: string;
  actorRole: string;
  at: number;
  data: Record<string, unknown> | null;
}

/** The access log on either store (SQLite: `AccessLogRepo`, PostgreSQL: `PgAccessLogRepo`). */
export interface AccessLogReader {
  list(q: AccessLogQuery): AccessLogRow[] | Promise<AccessLogRow[]>;
}

/**
 * The recordings' access log (issue 11 item 5): who searched, listened to, downloaded or packaged which
 * recording, and who exported the CDR, read from the append-only audit trail, newest first, keyset on id.
 */
export class AccessLogRepo implements AccessLogReader {
  private readonly raw: Database.Database;

  constructor(db: BetterSQLite3Database) {
    this.raw = (db as unknown as { $client: Database.Database }).$client;
  }

  list(q: AccessLogQuery): AccessLogRow[] {
    const where = [`(entity = 'recording' or (entity = 'calls' and entity_id = 'export'))`];
    const params: Record<string, unknown> = { limit: Math.min(Math.max(q.limit ?? 50, 1), 200) };
    if (q.actorId !== undefined) {
      where.push('actor_id = @actorId');
      params.actorId = q.actorId;
    }
    if (q.recording !== undefined) {
      where.push(`entity = 'recording' and entity_id = @recording`);
      params.recording = q.recording;
    }
    if (q.action !== undefined) {
      where.push('action = @action');
      params.action = q.action;
    }
    if (q.from !== undefined) {
      where.push('at >= @from');
      params.from = q.from;
    }
    if (q.to !== undefined) {
      where.push('at < @to');
      params.to = q.to;
    }
    if (q.beforeId !== undefined) {
      where.push('id < @beforeId');
      params.beforeId = q.beforeId;
    }
    const rows = this.raw
      .prepare(
        `select id, entity, entity_id as entityId, action, actor_id as actorId, actor_role as actorRole, at, data
           from audit_log where ${where.join(' and ')} order by id desc limit @limit`,
      )
      .all(params) as Array<Omit<AccessLogRow, 'data'> & { data: string | null }>;
    return rows.map((r) => ({ ...r, data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null }));
  }
}
