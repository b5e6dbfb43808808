import type pg from 'pg';
import type { AccessLogQuery, AccessLogReader, AccessLogRow } from './access-log-repo.ts';
import { rows } from './pg-store.ts';

/** The recordings' access log on PostgreSQL: the SQLite twin's query over the audit trail, newest first, keyset on id. */
export class PgAccessLogRepo implements AccessLogReader {
  constructor(private readonly pool: pg.Pool) {}

  async list(q: AccessLogQuery): Promise<AccessLogRow[]> {
    const values: unknown[] = [];
    const p = (v: unknown): string => {
      values.push(v);
      return `$${values.length}`;
    };
    const where = [`(entity = 'recording' or (entity = 'calls' and entity_id = 'export'))`];
    if (q.actorId !== undefined) where.push(`actor_id = ${p(q.actorId)}`);
    if (q.recording !== undefined) where.push(`entity = 'recording' and entity_id = ${p(q.recording)}`);
    if (q.action !== undefined) where.push(`action = ${p(q.action)}`);
    if (q.from !== undefined) where.push(`at >= ${p(q.from)}`);
    if (q.to !== undefined) where.push(`at < ${p(q.to)}`);
    if (q.beforeId !== undefined) where.push(`id < ${p(q.beforeId)}`);
    const limit = p(Math.min(Math.max(q.limit ?? 50, 1), 200));
    const found = await rows<Omit<AccessLogRow, 'data'> & { data: string | null }>(
      this.pool,
      `select id, entity, entity_id as "entityId", action, actor_id as "actorId", actor_role as "actorRole", at, data
         from audit_log where ${where.join(' and ')} order by id desc limit ${limit}`,
      values,
    );
    return found.map((r) => ({ ...r, data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null }));
  }
}
