import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const ROLES = ['agent', 'supervisor', 'auditor', 'unit_handler', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** People who sign in. A unit handler belongs to a handling unit (`unitId`); other roles leave it null. */
export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull().unique(),
    displayName: text('display_name').notNull().default(''),
    /** `scrypt$N$r$p$salt$hash` (base64url), see src/auth/password.ts. */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    /** The handling unit's id for role unit_handler (organisation store); null for every other role. */
    unitId: text('unit_id'),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    /** Raised on password change, role change and disabling: tokens carrying an older version are refused. */
    tokenVersion: integer('token_version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('users_role_idx').on(t.role),
    check('users_role_check', sql`${t.role} in ('agent', 'supervisor', 'auditor', 'unit_handler', 'admin')`),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
