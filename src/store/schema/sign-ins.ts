import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Agents signed in on the call desks (issue 12): the call domain's agents as the owner of the calls last wrote
 * them, so that a restarted server or the instance that takes over finds every desk still signed in. A sign-out
 * deletes the row.
 */
export const agentSignIns = sqliteTable('agent_sign_ins', {
  agentId: text('agent_id').primaryKey(),
  /** The extension (endpoint) the agent signed in on; null when none was given. */
  endpoint: text('endpoint'),
  /** JSON array of the agent's skills. */
  skills: text('skills').notNull(),
  /** The domain's status at the last change (ready, paused, on-call, wrap-up, reserved). */
  status: text('status').notNull(),
  pauseReason: text('pause_reason'),
  signedInAt: integer('signed_in_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export type AgentSignInRow = typeof agentSignIns.$inferSelect;
