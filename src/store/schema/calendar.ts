import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Working-day calendar years added through the admin API (issue 3 item 6). Shipped years live as data files
 * in the domain; rows here add years (national) or regional additions (e.g. Guangxi's 三月三).
 */
export const calendarYears = sqliteTable(
  'calendar_years',
  {
    year: integer('year').notNull(),
    scope: text('scope').notNull(), // national | region code such as "guangxi"
    data: text('data').notNull(), // JSON: { holidays: string[], workdays: string[], source?: string }
    addedBy: text('added_by').notNull(),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.year, t.scope] })],
);
