// PostgreSQL twin of ../schema/sign-ins.ts (agents' sign-ins), checked by src/store/schema-parity.ts.
import { bigint, pgTable, text } from 'drizzle-orm/pg-core';

export const agentSignIns = pgTable('agent_sign_ins', {
  agentId: text('agent_id').primaryKey(),
  endpoint: text('endpoint'),
  skills: text('skills').notNull(),
  status: text('status').notNull(),
  pauseReason: text('pause_reason'),
  signedInAt: bigint('signed_in_at', { mode: 'number' }).notNull(),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
});
