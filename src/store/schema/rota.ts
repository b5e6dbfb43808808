import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The leader rota (领导轮值, art. 23), kept by admins: which leader takes calls on which day, in
 * which time span (Asia/Shanghai wall time; an end at or before the start runs past midnight), at
 * which seat and for which desk (null = every desk).
 */
export const leaderRota = sqliteTable(
  'leader_rota',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** YYYY-MM-DD, Asia/Shanghai. */
    date: text('date').notNull(),
    /** HH:MM, Asia/Shanghai. */
    startTime: text('start_time').notNull(),
    /** HH:MM (24:00 allowed); at or before start_time = the next day. */
    endTime: text('end_time').notNull(),
    /** The leader's user name (their agent id on the desktop). */
    username: text('username').notNull(),
    seat: text('seat').notNull(),
    skill: text('skill'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('leader_rota_date_idx').on(t.date)],
);

export type LeaderRotaRow = typeof leaderRota.$inferSelect;
