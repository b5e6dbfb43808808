import type pg from 'pg';
import { toAuditRecord, type AuditEntry, type AuditRecord, type AuditRepo } from './audit-repo.ts';
import { rows } from './pg-store.ts';
import { insertAudit } from './pg-work-orders-repo.ts';

/** The append-only audit trail on PostgreSQL; the table's triggers refuse UPDATE, DELETE and TRUNCATE. */
export class PgAuditRepo implements AuditRepo {
  constructor(private readonly pool: pg.Pool) {}

  append(entry: AuditEntry): Promise<number> {
    return insertAudit(this.pool, entry);
  }

  async listFor(entity: string, entityId: string): Promise<AuditRecord[]> {
    const r = await rows<Record<string, unknown>>(
      this.pool,
      `select id, entity, entity_id as "entityId", action, actor_id as "actorId", actor_role as "actorRole", at, reason,
        from_status as "fromStatus", to_status as "toStatus", data
       from audit_log where entity = $1 and entity_id = $2 order by id`,
      [entity, entityId],
    );
    return r.map((x) => toAuditRecord(x as never));
  }
}
