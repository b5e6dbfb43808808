// PostgreSQL twin of ../schema/rota.ts (the leader rota, art. 23), checked by src/store/schema-parity.ts.
import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';

export const leaderRota = pgTable(
  'leader_rota',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    date: text('date').notNull(),
    startTime: text('start_time').notNull(),
    endTime: text('end_time').notNull(),
    username: text('username').notNull(),
    seat: text('seat').notNull(),
    skill: text('skill'),
    createdBy: text('created_by').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('leader_rota_date_idx').on(t.date)],
);
