import { and, asc, eq } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { auditLog } from './schema/audit.ts';

export interface AuditEntry {
  entity: string;
  entityId: string;
  action: string;
  actorId: string;
  actorRole: string;
  at: number;
  reason?: string | null;
  fromStatus?: string | null;
  toStatus?: string | null;
  /** Extra facts; must never hold a full phone number. */
  data?: Record<string, unknown> | null;
}

export interface AuditRecord extends AuditEntry {
  id: number;
}

/**
 * The audit trail is append-only: this interface has no update or delete, and the database refuses
 * UPDATE and DELETE on the table (migration 0003).
 */
export interface AuditRepo {
  append(entry: AuditEntry): Promise<number>;
  listFor(entity: string, entityId: string): Promise<AuditRecord[]>;
}

export function auditValues(e: AuditEntry): typeof auditLog.$inferInsert {
  return {
    entity: e.entity,
    entityId: e.entityId,
    action: e.action,
    actorId: e.actorId,
    actorRole: e.actorRole,
    at: e.at,
    reason: e.reason ?? null,
    fromStatus: e.fromStatus ?? null,
    toStatus: e.toStatus ?? null,
    data: e.data ? JSON.stringify(e.data) : null,
  };
}

export function toAuditRecord(r: typeof auditLog.$inferSelect): AuditRecord {
  return {
    id: r.id,
    entity: r.entity,
    entityId: r.entityId,
    action: r.action,
    actorId: r.actorId,
    actorRole: r.actorRole,
    at: r.at,
    reason: r.reason,
    fromStatus: r.fromStatus,
    toStatus: r.toStatus,
    data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null,
  };
}

export class SqliteAuditRepo implements AuditRepo {
  constructor(private readonly db: BetterSQLite3Database) {}

  async append(entry: AuditEntry): Promise<number> {
    const r = this.db.insert(auditLog).values(auditValues(entry)).returning({ id: auditLog.id }).get();
    return r.id;
  }

  async listFor(entity: string, entityId: string): Promise<AuditRecord[]> {
    return this.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, entity), eq(auditLog.entityId, entityId)))
      .orderBy(asc(auditLog.id))
      .all()
      .map(toAuditRecord);
  }
}
