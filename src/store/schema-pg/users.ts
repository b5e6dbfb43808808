// PostgreSQL twin of ../schema/users.ts: the same tables and column names, checked by src/store/schema-parity.ts.
// Epoch-millisecond times are bigint (number mode), flags are boolean; comments on the columns live in the SQLite file.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, pgTable, text } from 'drizzle-orm/pg-core';

export const ROLES = ['agent', 'supervisor', 'auditor', 'unit_handler', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** People who sign in. A unit handler belongs to a handling unit (`unitId`); other roles leave it null. */
export const users = pgTable(
  'users',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    username: text('username').notNull().unique(),
    displayName: text('display_name').notNull().default(''),
    /** `scrypt$N$r$p$salt$hash` (base64url), see src/auth/password.ts. */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    /** The handling unit's id for role unit_handler (organisation store); null for every other role. */
    unitId: text('unit_id'),
    disabled: boolean('disabled').notNull().default(false),
    /** Raised on password change, role change and disabling: tokens carrying an older version are refused. */
    tokenVersion: bigint('token_version', { mode: 'number' }).notNull().default(1),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('users_role_idx').on(t.role),
    check('users_role_check', sql`${t.role} in ('agent', 'supervisor', 'auditor', 'unit_handler', 'admin')`),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
