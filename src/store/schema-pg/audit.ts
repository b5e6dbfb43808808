// PostgreSQL twin of ../schema/audit.ts: the same tables and column names, checked by src/store/schema-parity.ts.
// Epoch-millisecond times are bigint (number mode), flags are boolean; comments on the columns live in the SQLite file.
import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Append-only audit trail (issue 3, item 12): every state change with actor, time and reason.
 * A custom migration adds triggers that refuse UPDATE and DELETE on this table.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    entity: text('entity').notNull(), // work_order | org_unit | knowledge_entry | calendar | ...
    entityId: text('entity_id').notNull(),
    action: text('action').notNull(),
    actorId: text('actor_id').notNull(),
    actorRole: text('actor_role').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    reason: text('reason'),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    data: text('data'), // JSON, never holds a full phone number
    /** Hash chain (issue 11 item 4), filled by a trigger in the inserting statement (drizzle-pg custom migration). */
    prevHash: text('prev_hash'),
    rowHash: text('row_hash'),
  },
  (t) => [index('audit_log_entity_idx').on(t.entity, t.entityId, t.id)],
);
